/**
 * An account as its own stream tells it. A write answers with the caller's profile once the users read model shows
 * the write (read-your-writes, docs/api.md); when that wait times out under load the read model may not hold the
 * account yet, and the answer is built from here instead of a 404 for an account that was just written.
 */
import type { EventStore, RecordedEvent } from '../../infra/eventstore/port.js';
import { StreamNotFoundError } from '../../infra/eventstore/port.js';
import { userStream, type UserEvent } from '../../domain/user/events.js';
import { userDecider, type UserState } from '../../domain/user/user.js';

export interface AccountFromEvents {
  state: UserState;
  /** When the first and the last event of the stream happened (their `occurredAt`). */
  createdAt: Date;
  updatedAt: Date;
}

const happenedAt = (event: RecordedEvent): Date => {
  const at = event.metadata['occurredAt'];
  return typeof at === 'string' ? new Date(at) : event.createdAt;
};

/** The folded account, or undefined when the stream does not exist. */
export async function accountFromEvents(store: EventStore, userId: string): Promise<AccountFromEvents | undefined> {
  let state = userDecider.initialState();
  let createdAt: Date | undefined;
  let updatedAt: Date | undefined;
  try {
    for await (const event of store.readStream(userStream(userId))) {
      state = userDecider.evolve(state, { type: event.type, data: event.data } as unknown as UserEvent);
      createdAt ??= happenedAt(event);
      updatedAt = happenedAt(event);
    }
  } catch (err) {
    if (err instanceof StreamNotFoundError) return undefined;
    throw err;
  }
  return createdAt && updatedAt ? { state, createdAt, updatedAt } : undefined;
}
