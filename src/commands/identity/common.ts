/** Shared pieces of the identity command handlers. */
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../domain/shared/decider.js';
import { reservationDecider } from '../../domain/reservation/reservation.js';
import type { JsonObject, Position } from '../../infra/eventstore/port.js';
import type { Ports } from '../ports.js';
import { readAggregate } from '../handle-command.js';
import { eventMetadata, type RequestMetadata } from '../metadata.js';
import { reservationStream } from '../reservation.js';

/** What a handler appended: the routes wait for the projections reading these types to reach `position`. */
export interface Written {
  position: Position | undefined;
  eventTypes: string[];
}

export function written(...parts: Array<{ position: Position | undefined; events?: readonly DomainEvent[]; eventTypes?: readonly string[] }>): Written {
  let position: Position | undefined;
  const types = new Set<string>();
  for (const p of parts) {
    if (p.position && (!position || p.position.commit > position.commit)) position = p.position;
    for (const e of p.events ?? []) types.add(e.type);
    for (const t of p.eventTypes ?? []) types.add(t);
  }
  return { position, eventTypes: [...types] };
}

export const EMAIL_KIND = 'email';
export const USERNAME_KIND = 'username';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Who holds a reservation (`email` / `username` value), from the reservation stream itself. */
export async function reservationOwner(ctx: Pick<Ports, 'store'>, kind: string, value: string): Promise<string | null> {
  const { state } = await readAggregate(ctx.store, reservationStream(kind, value), reservationDecider);
  return state.ownerId;
}

/**
 * The stream of one sign-in session: its UserLoggedIn, then at most its UserLoggedOut or the refresh-token reuse
 * that ended it. One stream per session rather than per user, so nothing on the login path grows with every login.
 */
export const signInStream = (sessionId: string) => `signin-${sessionId}`;

/**
 * Append a fact nothing is decided from (a login, a logout) without reading the stream first. Command handlers
 * are still the only writers; this is the degenerate decider "always accept". `expectedRevision` 'no_stream'
 * states that the fact opens its stream (a login opens its session's stream).
 */
export async function appendFact(
  ctx: Pick<Ports, 'store'>,
  stream: string,
  event: DomainEvent,
  metadata: RequestMetadata,
  expectedRevision: 'any' | 'no_stream' = 'any',
): Promise<Written> {
  const result = await ctx.store.appendToStream(
    stream,
    [{ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata: eventMetadata(metadata) as unknown as JsonObject }],
    { expectedRevision },
  );
  return { position: result.position, eventTypes: [event.type] };
}
