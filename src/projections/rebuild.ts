/**
 * Replays: `rebuild` replays every event into shadow tables and swaps them in; `replayInto` replays into whatever
 * tables the transaction's search_path resolves first (rebuild and verify use a scratch schema).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../infra/db/database.js';
import type { EventStore, RecordedEvent } from '../infra/eventstore/port.js';
import { positionOf } from '../infra/eventstore/port.js';
import { applyFast } from './apply-batch.js';
import { readCheckpoint } from './checkpoints.js';
import { progressChannel } from './progress.js';
import type { Projection, Trx } from './projection.js';

/** Reads matching events in position order, after `after` and up to and including `until` when given. */
export async function* eventsFor(
  store: EventStore,
  projection: Projection,
  until?: bigint,
  batch = 2000,
  after?: bigint,
): AsyncGenerator<RecordedEvent[]> {
  let from: bigint | undefined = after;
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

export async function replayInto(trx: Trx, store: EventStore, projection: Projection, until?: bigint, signal?: AbortSignal): Promise<number> {
  let count = 0;
  for await (const events of eventsFor(store, projection, until)) {
    signal?.throwIfAborted();
    await applyFast(trx, projection, events);
    count += events.length;
  }
  return count;
}

/**
 * Rebuild under traffic, without blocking readers: replay every event into shadow tables in a scratch schema
 * (readers keep reading the live tables, the running projector keeps applying to them), then swap in one short
 * transaction — hold the checkpoint row (the projector waits), replay the events that arrived meanwhile into the
 * shadow tables, drop each live table and move its shadow into the live schema, and move the checkpoint. Readers
 * wait only for that swap (milliseconds), never see an empty table, and the projector continues after the swap
 * from the rebuilt position. The same path serves `syncode projections rebuild` and a projector starting a new
 * version of a projection; `signal` abandons the replay (the live tables stay as they were).
 */
export async function rebuildProjection(
  db: Db,
  store: EventStore,
  projection: Projection,
  signal?: AbortSignal,
): Promise<{ events: number; position: bigint }> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const live = rows[0]!.schema;
  const scratch = `rebuild_${randomBytes(5).toString('hex')}`;
  try {
    const head = (await store.headPosition())?.commit ?? 0n;
    const replayed = await db.transaction().execute(async (trx) => {
      await sql`CREATE SCHEMA ${sql.id(scratch)}`.execute(trx);
      for (const table of projection.tables) {
        await sql`CREATE TABLE ${sql.id(scratch, table)} (LIKE ${sql.id(live, table)} INCLUDING ALL)`.execute(trx);
      }
      await sql.raw(`SET LOCAL search_path TO "${scratch}", "${live}", public`).execute(trx);
      return replayInto(trx, store, projection, head, signal);
    });
    for (let attempt = 1; ; attempt++) {
      try {
        return await swapIn(db, store, projection, { live, scratch, head, replayed });
      } catch (err) {
        // A reader held one of the tables while waiting for another: give way to it rather than deadlock it.
        if ((err as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= SWAP_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  } finally {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(scratch)} CASCADE`.execute(db).catch(() => undefined);
  }
}

const LOCK_NOT_AVAILABLE = '55P03';
const SWAP_ATTEMPTS = 50;

/**
 * The swap transaction. The live tables are locked all at once with a short lock timeout: a reader that already
 * holds one of them and waits for another would otherwise deadlock with the swap (and be the one aborted).
 */
async function swapIn(
  db: Db,
  store: EventStore,
  projection: Projection,
  at: { live: string; scratch: string; head: bigint; replayed: number },
): Promise<{ events: number; position: bigint }> {
  const { live, scratch, head, replayed } = at;
  return db.transaction().execute(async (trx) => {
    const checkpoint = await readCheckpoint(trx, projection.name, true);
    const target = checkpoint && checkpoint.version === projection.version && checkpoint.position > head ? checkpoint.position : head;
    await sql.raw(`SET LOCAL search_path TO "${scratch}", "${live}", public`).execute(trx);
    let events = replayed;
    for await (const batch of eventsFor(store, projection, target, 2000, head)) {
      await applyFast(trx, projection, batch);
      events += batch.length;
    }
    await sql`SET LOCAL lock_timeout = '200ms'`.execute(trx);
    await sql`LOCK TABLE ${sql.join(projection.tables.map((t) => sql.id(live, t)))} IN ACCESS EXCLUSIVE MODE`.execute(trx);
    for (const table of projection.tables) {
      await sql`DROP TABLE ${sql.id(live, table)}`.execute(trx);
      await sql`ALTER TABLE ${sql.id(scratch, table)} SET SCHEMA ${sql.id(live)}`.execute(trx);
    }
    await sql`DELETE FROM ${sql.id(live, 'projection_dead_letters')} WHERE projection = ${projection.name}`.execute(trx);
    await sql`
      INSERT INTO ${sql.id(live, 'projection_checkpoints')} (name, version, position, status)
      VALUES (${projection.name}, ${projection.version}, ${target.toString()}, 'running')
      ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position, status = 'running',
        last_error = NULL, updated_at = now()`.execute(trx);
    await sql`SELECT pg_notify(${progressChannel(live)}, ${`${projection.name}:${target}`})`.execute(trx);
    return { events, position: target };
  });
}
