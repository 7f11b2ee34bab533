/**
 * Append throughput of the Postgres event store against the raw commit rate of the same database.
 *
 * For 1, 8 and 32 concurrent writers (same pool for both):
 *   raw:   INSERT of one row (same JSON payload) into a table with a bigserial key, autocommit (one round trip,
 *          one commit) - the most the database can do per commit;
 *   store: appendToStream of one event with the exact expected revision, each writer on a stream of its own.
 * ratio = store / raw; the goal is >= 0.8.
 *
 * Each side runs ~3 s per concurrency, as ten 300 ms slices alternating with the other side (raw, store, store,
 * raw, raw, store, ...), so a change in machine load during the run hits both sides alike. Besides the ratio of the
 * totals it prints the median of the ratios of neighbouring slices, which a burst of load on one slice cannot move,
 * and the load average before and after.
 *
 *   node --import tsx bench/eventstore-append.ts
 * Env: BENCH_DURATION_MS (default 3000 per side and concurrency), BENCH_SLICES (default 10), BENCH_WRITERS (default
 * 1,8,32), BENCH_POOL_SIZE (default 16), BENCH_DATABASE_URL, BENCH_RAW_PREPARED=1.
 *
 * Both sides go through the same pool and the extended protocol in one round trip. By default the raw INSERT is an
 * unnamed statement, as pool.query(text, values) sends it, so Postgres parses and plans it on every call; the store's
 * statements are named and prepared once per connection. BENCH_RAW_PREPARED=1 names the raw INSERT too: the same
 * INSERT and COMMIT without the per-call parse, the strictest baseline.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createPostgresEventStore } from '../src/infra/eventstore/postgres/store.js';
import { withBenchSchema } from './lib/bench-db.js';
import { median, printTable, summarize, writeResults, type Row } from './lib/report.js';

const CONCURRENCY = (process.env.BENCH_WRITERS ?? '1,8,32').split(',').map(Number);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const WARMUP_MS = 500;
const SLICES = Number(process.env.BENCH_SLICES ?? 10);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 0);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 16);
const RAW_PREPARED = process.env.BENCH_RAW_PREPARED === '1';
const RAW_INSERT = 'INSERT INTO bench_raw (stream, data) VALUES ($1, $2::jsonb)';
const payload = (writer: number, i: number): Record<string, unknown> => ({ writer, i, note: 'x'.repeat(100) });

interface RunResult {
  opsPerSec: number;
  p50: number;
  p99: number;
  count: number;
}

/** Accumulates latencies (ms) and time over several slices of one side. */
class Side {
  readonly latencies: number[] = [];
  seconds = 0;

  /** Run `op` in `concurrency` loops for `durationMs`. */
  async run(concurrency: number, durationMs: number, op: (writer: number) => Promise<void>, record = true): Promise<number> {
    const started = performance.now();
    const before = this.latencies.length;
    const stopAt = started + durationMs;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, writer) => {
        while (performance.now() < stopAt) {
          const t0 = performance.now();
          await op(writer);
          if (record) this.latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (record) this.seconds += seconds;
    return (this.latencies.length - before) / seconds;
  }

  result(): RunResult {
    const { count, p50, p99 } = summarize(this.latencies);
    return { opsPerSec: count / this.seconds, p50, p99, count };
  }
}

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = loadAverage();

await withBenchSchema(POOL_SIZE, async ({ pool, schema }) => {
  await pool.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL)');
  const store = createPostgresEventStore({ pool, schema, listen: false, ...(IN_FLIGHT ? { maxInFlight: IN_FLIGHT } : {}) });
  const rows: Row[] = [];
  const results: Record<string, unknown>[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      let n = 0;
      const rawOp = async (writer: number): Promise<void> => {
        const values = [`raw-${writer}`, JSON.stringify(payload(writer, n++))];
        await pool.query(RAW_PREPARED ? { name: 'bench_raw_insert', text: RAW_INSERT, values } : { text: RAW_INSERT, values });
      };
      const run = randomUUID().slice(0, 8);
      const revisions = new Map<number, bigint>();
      let batches = 0;
      let batchedAppends = 0;
      const storeOp = async (writer: number): Promise<void> => {
        const result = await store.appendToStream(
          `bench-${run}-${writer}`,
          [{ id: randomUUID(), type: 'BenchAppended', data: payload(writer, n++) }],
          { expectedRevision: revisions.get(writer) ?? 'no_stream' },
        );
        revisions.set(writer, result.nextExpectedRevision);
      };
      const rawSide = new Side();
      const storeSide = new Side();
      await rawSide.run(concurrency, WARMUP_MS, rawOp, false);
      await storeSide.run(concurrency, WARMUP_MS, storeOp, false);
      const slice = DURATION_MS / SLICES;
      const sliceRatios: number[] = [];
      for (let i = 0; i < SLICES; i++) {
        const runStore = async (): Promise<number> => {
          const before = store.writerStats();
          const opsPerSec = await storeSide.run(concurrency, slice, storeOp);
          const after = store.writerStats();
          batches += after.batches - before.batches;
          batchedAppends += after.appends - before.appends;
          return opsPerSec;
        };
        if (i % 2 === 0) {
          const raw = await rawSide.run(concurrency, slice, rawOp);
          sliceRatios.push((await runStore()) / raw);
        } else {
          const es = await runStore();
          sliceRatios.push(es / (await rawSide.run(concurrency, slice, rawOp)));
        }
      }
      const raw = rawSide.result();
      const es = storeSide.result();
      const avgBatch = batches > 0 ? batchedAppends / batches : 0;
      const ratio = es.opsPerSec / raw.opsPerSec;
      const medianSliceRatio = median(sliceRatios);
      rows.push({
        writers: concurrency,
        'raw ops/s': raw.opsPerSec,
        'raw p50 ms': raw.p50,
        'raw p99 ms': raw.p99,
        'store ops/s': es.opsPerSec,
        'store p50 ms': es.p50,
        'store p99 ms': es.p99,
        'avg batch': avgBatch,
        ratio,
        'median slice ratio': medianSliceRatio,
      });
      results.push({ concurrency, raw, store: { ...es, batches, avgBatch }, ratio, medianSliceRatio, sliceRatios });
    }
  } finally {
    await store.close();
  }
  const loadAfter = loadAverage();
  const rawKind = RAW_PREPARED ? 'prepared' : 'unnamed';
  printTable(`Event store append vs raw INSERT+COMMIT (${rawKind}; pool ${POOL_SIZE}, ${DURATION_MS} ms per run, goal ratio >= 0.8)`, rows);
  console.log(`load average before ${loadBefore}, after ${loadAfter} (${os.cpus().length} cpus)`);
  const file = writeResults('eventstore-append', {
    poolSize: POOL_SIZE,
    rawStatement: rawKind,
    durationMs: DURATION_MS,
    slices: SLICES,
    goalRatio: 0.8,
    loadAverage: { before: loadBefore, after: loadAfter },
    results,
  });
  console.log(`\nwrote ${file}`);
});
