/**
 * Offline replays: `rebuild` resets a projection and replays every event into its live tables; `replayInto`
 * replays into whatever tables the transaction's search_path resolves first (verify uses a scratch schema).
 */
import { sql } from 'kysely';
import type { Db } from '../infra/db/database.js';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.js';
import { positionOf } from '../infra/eventstore/port.js';
import { applyFast } from './apply-batch.js';
import { resetProjection } from './checkpoints.js';
import type { Projection, Trx } from './projection.js';

/** Reads matching events in position order, up to and including `until` when given. */
export async function* eventsFor(
  store: EventStore,
  projection: Projection,
  until?: bigint,
  batch = 2000,
): AsyncGenerator<RecordedEvent[]> {
  let from: bigint | undefined;
  while (true) {
    const chunk: RecordedEvent[] = [];
    for await (const event of store.readAll({
      fromPosition: from === undefined ? 'start' : positionOf(from + 1n),
      maxCount: batch,
      filter: { on: 'eventType', prefixes: projection.eventTypes },
    })) {
      if (until !== undefined && event.position.commit > until) break;
      chunk.push(event);
    }
    const relevant = chunk.filter((e) => projection.eventTypes.includes(e.type));
    if (relevant.length > 0) yield relevant;
    if (chunk.length < batch || (until !== undefined && chunk[chunk.length - 1]!.position.commit >= until)) return;
    from = chunk[chunk.length - 1]!.position.commit;
  }
}

export async function replayInto(trx: Trx, store: EventStore, projection: Projection, until?: bigint): Promise<number> {
  let count = 0;
  for await (const events of eventsFor(store, projection, until)) {
    await applyFast(trx, projection, events);
    count += events.length;
  }
  return count;
}

/**
 * Rebuild in place, in one transaction: readers keep seeing the old rows until the new ones commit. The running
 * projector (if any) blocks on the checkpoint row meanwhile and continues from the rebuilt position afterwards.
 */
export async function rebuildProjection(db: Db, store: EventStore, projection: Projection): Promise<{ events: number; position: bigint }> {
  const head = (await store.headPosition())?.commit ?? 0n;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${projection.name} FOR UPDATE`.execute(trx);
    await resetProjection(trx, projection);
    const events = await replayInto(trx, store, projection, head);
    await sql`UPDATE projection_checkpoints SET position = ${head.toString()}, updated_at = now() WHERE name = ${projection.name}`.execute(trx);
    return { events, position: head };
  });
}
