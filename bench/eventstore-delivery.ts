/**
 * Append → subscriber delivery latency of the Postgres event store, from the moment appendToStream is called to
 * the moment a subscriber holds the event.
 *
 * Two subscribers run side by side, both filtered on the probe event type (as projectors filter):
 *   same store:  subscribes on the store that appends (woken in-process after the commit);
 *   other store: a second store instance, woken only by NOTIFY (as in another process).
 * Scenarios: idle (probes only, one every 10 ms) and under load (plus ~500 single-event appends/s to other
 * streams). Goal: p99 <= 20 ms. The append columns show how much of it is the append itself (call to commit
 * acknowledged).
 *
 *   node --import tsx bench/eventstore-delivery.ts
 * Env: BENCH_PROBES (default 300), BENCH_LOAD_RATE (default 500), BENCH_POOL_SIZE (default 20), BENCH_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventStore } from '../src/infra/eventstore/port.js';
import { createPostgresEventStore } from '../src/infra/eventstore/postgres/store.js';
import { withBenchSchema } from './lib/bench-db.js';
import { printTable, summarize, writeResults, type Row } from './lib/report.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 300);
const PROBE_INTERVAL_MS = 10;
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 500);
const LOAD_WRITERS = 10;
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows the probe events and records, per probe id, when it arrived. */
function follow(store: EventStore, signal: AbortSignal): { arrived: Map<string, number>; done: Promise<void> } {
  const arrived = new Map<string, number>();
  const done = (async () => {
    for await (const message of store.subscribeToAll({ fromPosition: 'end', filter: { on: 'eventType', prefixes: ['Probe'] }, signal })) {
      if (message.kind === 'event') arrived.set(message.event.id, performance.now());
    }
  })();
  return { arrived, done };
}

/** Append at `rate` per second, spread over LOAD_WRITERS streams, until `signal` aborts. Returns appends made. */
async function backgroundLoad(store: EventStore, rate: number, signal: AbortSignal): Promise<number> {
  let appended = 0;
  const interval = (1000 * LOAD_WRITERS) / rate;
  await Promise.all(
    Array.from({ length: LOAD_WRITERS }, async (_, w) => {
      const start = performance.now() + (w * interval) / LOAD_WRITERS;
      for (let i = 0; !signal.aborted; i++) {
        const wait = start + i * interval - performance.now();
        if (wait > 0) await sleep(wait);
        if (signal.aborted) break;
        await store.appendToStream(`load-${w}`, [{ id: randomUUID(), type: 'Load', data: { w, i } }]);
        appended += 1;
      }
    }),
  );
  return appended;
}

async function scenario(name: string, writer: EventStore, other: EventStore, loadRate: number): Promise<Row[]> {
  const stop = new AbortController();
  const same = follow(writer, stop.signal);
  const remote = follow(other, stop.signal);
  // Let both subscriptions reach the head and the NOTIFY listener connect: wait for a warm-up probe on both.
  for (let i = 0; ; i++) {
    const id = randomUUID();
    await writer.appendToStream('probe-warmup', [{ id, type: 'ProbeWarmup', data: {} }]);
    await sleep(50);
    if (same.arrived.has(id) && remote.arrived.has(id)) break;
    if (i > 100) throw new Error('subscriptions did not start');
  }
  const loadStop = new AbortController();
  const loadStarted = performance.now();
  const loading = loadRate > 0 ? backgroundLoad(writer, loadRate, loadStop.signal) : Promise.resolve(0);
  if (loadRate > 0) await sleep(500); // reach a steady state first

  const sent = new Map<string, number>();
  const committed = new Map<string, number>();
  const probing: Promise<unknown>[] = [];
  const probeStart = performance.now();
  for (let i = 0; i < PROBES; i++) {
    const wait = probeStart + i * PROBE_INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const id = randomUUID();
    sent.set(id, performance.now());
    probing.push(writer.appendToStream(`probe-${i % 10}`, [{ id, type: 'Probe', data: { i } }]).then(() => committed.set(id, performance.now())));
  }
  await Promise.all(probing);
  const deadline = performance.now() + 5000;
  while ((same.arrived.size < sent.size + 1 || remote.arrived.size < sent.size + 1) && performance.now() < deadline) await sleep(20);
  loadStop.abort();
  const loadAppends = await loading;
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  stop.abort();
  await Promise.all([same.done, remote.done]);

  const rows: Row[] = [];
  for (const [label, sub] of [
    ['same store (in-process wake)', same],
    ['other store (NOTIFY)', remote],
  ] as const) {
    const latencies: number[] = [];
    const appendLatencies: number[] = [];
    let missing = 0;
    for (const [id, t0] of sent) {
      const t1 = sub.arrived.get(id);
      appendLatencies.push(committed.get(id)! - t0);
      if (t1 === undefined) missing += 1;
      else latencies.push(t1 - t0);
    }
    const s = summarize(latencies);
    const a = summarize(appendLatencies);
    rows.push({
      scenario: name,
      subscriber: label,
      'load appends/s': loadRate > 0 ? loadAppends / loadSeconds : 0,
      probes: s.count,
      missing,
      'append p50 ms': a.p50,
      'append p99 ms': a.p99,
      'p50 ms': s.p50,
      'p99 ms': s.p99,
      'max ms': s.max,
    });
  }
  return rows;
}

await withBenchSchema(POOL_SIZE, async ({ pool, schema }) => {
  const writer = createPostgresEventStore({ pool, schema });
  const other = createPostgresEventStore({ pool, schema });
  let rows: Row[] = [];
  try {
    rows = [...(await scenario('idle', writer, other, 0)), ...(await scenario('load', writer, other, LOAD_RATE))];
  } finally {
    await Promise.all([writer.close(), other.close()]);
  }
  printTable(`Append -> subscriber delivery (${PROBES} probes every ${PROBE_INTERVAL_MS} ms, pool ${POOL_SIZE}, goal p99 <= 20 ms)`, rows);
  const file = writeResults('eventstore-delivery', { probes: PROBES, probeIntervalMs: PROBE_INTERVAL_MS, loadRate: LOAD_RATE, poolSize: POOL_SIZE, goalP99Ms: 20, results: rows });
  console.log(`\nwrote ${file}`);
});
