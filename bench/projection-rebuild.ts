/**
 * Projection rebuild rate: replay N events into a projection from zero (`rebuildProjection`), against the bare read
 * of the same events (`readAll` without applying) as the baseline measured in the same run. Goal ≥ 10,000 events/s.
 *   node --import tsx bench/projection-rebuild.ts [events=50000]
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createEventStore } from '../src/infra/eventstore/index.js';
import { rebuildProjection, eventsFor } from '../src/projections/rebuild.js';
import { batchedCounterProjection as counterProjection } from '../test/platform/counter-fixture.js';
import { withBenchSchema } from './lib/bench-db.js';
import { printTable, writeResults } from './lib/report.js';

const total = Number(process.argv[2] ?? 50_000);
const STREAMS = 2_000;
const PER_APPEND = 50;

await withBenchSchema(10, async (db) => {
  await sql`CREATE TABLE test_counters (id text PRIMARY KEY, value integer NOT NULL, last_revision bigint NOT NULL, updated_at timestamptz NOT NULL)`.execute(db.db);
  const store = await createEventStore({ config: { EVENT_STORE: 'postgres', KURRENTDB_URL: '', DB_SCHEMA: db.schema }, pool: db.pool, schema: db.schema });
  const occurredAt = new Date().toISOString();
  for (let written = 0, i = 0; written < total; i++) {
    const n = Math.min(PER_APPEND, total - written);
    const events = Array.from({ length: n }, () => ({ id: randomUUID(), type: 'CounterIncremented', data: { by: 1 }, metadata: { occurredAt } }));
    await store.appendToStream(`counter-${i % STREAMS}`, events);
    written += n;
  }

  let started = performance.now();
  let read = 0;
  for await (const batch of eventsFor(store, counterProjection)) read += batch.length;
  const readMs = performance.now() - started;

  started = performance.now();
  const rebuilt = await rebuildProjection(db.db, store, counterProjection);
  const rebuildMs = performance.now() - started;
  const check = await sql<{ sum: string }>`SELECT sum(value) AS sum FROM test_counters`.execute(db.db);
  if (Number(check.rows[0]!.sum) !== total || rebuilt.events !== total || read !== total) throw new Error('rebuild lost events');

  const rows = [
    { step: 'read only (baseline)', events: read, ms: readMs, eventsPerSecond: (read / readMs) * 1000 },
    { step: 'rebuild (read + apply + commit)', events: rebuilt.events, ms: rebuildMs, eventsPerSecond: (rebuilt.events / rebuildMs) * 1000 },
  ];
  printTable(`Projection rebuild, ${total} events over ${STREAMS} streams`, rows);
  const ratio = rows[1]!.eventsPerSecond / rows[0]!.eventsPerSecond;
  console.log(`rebuild rate ${rows[1]!.eventsPerSecond.toFixed(0)} events/s (goal ≥ 10000); ${ratio.toFixed(2)}× the bare read rate`);
  writeResults('projection-rebuild', { total, rows, ratioToRead: ratio, goalEventsPerSecond: 10_000 });
  await store.close();
});
