/**
 * The account a sign-in identifier (an email or a username) names, with its folded state.
 *
 * The owner of an identifier is its reservation stream's holder. A sign-in usually names an account this process
 * has seen before, so the owner it found last time is remembered and checked against the account itself instead of
 * reading the reservation stream again: the account's stream is read anyway (to the newest revision), and while an
 * account's stream says its username or email is `value`, that account holds the reservation of `value` — a new
 * value is claimed before the account's change is appended, the old one released only after, and a deleted
 * account's values are released after its deletion. So when the freshly read account still carries `value` (and is
 * not deleted), it is the owner the reservation would name; otherwise the reservation is read as before.
 */
import { userStream } from '../../domain/user/events.js';
import { userDecider, type UserState } from '../../domain/user/user.js';
import type { Ports } from '../ports.js';
import { readAggregate } from '../handle-command.js';
import { EMAIL_KIND, reservationOwner } from './common.js';

export interface SignInAccount {
  ownerId: string;
  /** The live account (undefined: the owner's stream shows no account, or a deleted one). */
  user: UserState | undefined;
}

/** Identifiers remembered (`ctx.signInOwners`); the least recently used goes first. */
const MAX_REMEMBERED = 10_000;

const carries = (user: UserState, kind: string, value: string) => (kind === EMAIL_KIND ? user.email === value : user.username === value);

async function liveAccount(store: Ports['store'], ownerId: string): Promise<UserState | undefined> {
  const account = await readAggregate(store, userStream(ownerId), userDecider);
  return account.exists && !account.state.deleted ? account.state : undefined;
}

/** `kind` EMAIL_KIND or USERNAME_KIND; `value` as the reservation holds it (emails normalised). Undefined: no owner. */
export async function signInAccount(ctx: Pick<Ports, 'store' | 'signInOwners'>, kind: string, value: string): Promise<SignInAccount | undefined> {
  const remembered = ctx.signInOwners;
  const key = `${kind}:${value}`;
  const known = remembered.get(key);
  if (known) {
    const user = await liveAccount(ctx.store, known);
    if (user && carries(user, kind, value)) return { ownerId: known, user };
    remembered.delete(key);
  }
  const ownerId = await reservationOwner(ctx, kind, value);
  if (!ownerId) return undefined;
  const user = await liveAccount(ctx.store, ownerId);
  if (user && carries(user, kind, value)) {
    remembered.delete(key); // re-inserted last: Map order is the LRU order
    remembered.set(key, ownerId);
    if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  }
  return { ownerId, user };
}
