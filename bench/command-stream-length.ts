/**
 * Command latency against the length of the aggregate's stream: handleCommand (read, fold, decide, append with the
 * expected revision) on streams that already hold 10, 1,000 and 10,000 events. Goal: flat, i.e. p99 at 10,000
 * events within 1.2x the p99 at 10 events, measured in the same run.
 *
 * Each length gets STREAMS streams; measured commands go round-robin over every stream of every length, so a change
 * in machine load hits all lengths alike, and each stream grows by only COMMANDS / STREAMS events. "cold" is the
 * same command after the process forgot its folded states (what every command cost before they were kept): a
 * smaller sample, as it reads the whole stream.
 *
 *   node --import tsx bench/command-stream-length.ts
 * Env: BENCH_COMMANDS (default 600 per length), BENCH_STREAMS (default 20), BENCH_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { forgetFolds, handleCommand } from '../src/commands/handle-command.js';
import { systemMetadata } from '../src/commands/metadata.js';
import type { Decider } from '../src/domain/shared/decider.js';
import { createPostgresEventStore, type PostgresEventStore } from '../src/infra/eventstore/postgres/store.js';
import { withBenchSchema } from './lib/bench-db.js';
import { printTable, summarize, writeResults, type Row } from './lib/report.js';

const LENGTHS = [10, 1_000, 10_000];
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 600);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const COLD_SAMPLES = 10;
const WARMUP_ROUNDS = 2;
const GOAL_RATIO = 1.2;

/** A tally whose events carry a small payload, like most aggregates' events. */
type TallyEvent = { type: 'TallyCounted'; data: { from: number; to: number; note: string } };
const tally: Decider<{ note: string }, { value: number; notes: number }, TallyEvent> = {
  initialState: () => ({ value: 0, notes: 0 }),
  evolve: (state, event) => ({ value: event.data.to, notes: state.notes + (event.data.note ? 1 : 0) }),
  decide: (command, state) => [{ type: 'TallyCounted', data: { from: state.value, to: state.value + 1, note: command.note } }],
};

async function fill(store: PostgresEventStore, stream: string, count: number): Promise<void> {
  const chunk = 2_000;
  let revision: bigint | 'no_stream' = 'no_stream';
  for (let done = 0; done < count; done += chunk) {
    const events = Array.from({ length: Math.min(chunk, count - done) }, (_, i) => ({
      id: randomUUID(),
      type: 'TallyCounted',
      data: { from: done + i, to: done + i + 1, note: 'seeded' },
    }));
    revision = (await store.appendToStream(stream, events, { expectedRevision: revision })).nextExpectedRevision;
  }
}

async function command(store: PostgresEventStore, stream: string): Promise<number> {
  const started = performance.now();
  await handleCommand(store, stream, tally, { note: 'measured' }, systemMetadata(randomUUID()));
  return performance.now() - started;
}

await withBenchSchema(8, async ({ pool, schema }) => {
  const store = createPostgresEventStore({ pool, schema, listen: false });
  try {
    const streams = new Map<number, string[]>();
    for (const length of LENGTHS) {
      const names = Array.from({ length: STREAMS }, () => `tally-${length}-${randomUUID()}`);
      for (const name of names) await fill(store, name, length);
      streams.set(length, names);
    }
    console.log(`seeded ${STREAMS} streams each of ${LENGTHS.join(', ')} events`);

    const cold = new Map<number, number[]>(LENGTHS.map((l) => [l, []]));
    for (let i = 0; i < COLD_SAMPLES; i++) {
      for (const length of LENGTHS) {
        forgetFolds(store);
        cold.get(length)!.push(await command(store, streams.get(length)![i % STREAMS]!));
      }
    }
    const warm = new Map<number, number[]>(LENGTHS.map((l) => [l, []]));
    const rounds = Math.ceil(COMMANDS / STREAMS);
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      for (let s = 0; s < STREAMS; s++) {
        for (const length of LENGTHS) {
          const ms = await command(store, streams.get(length)![s]!);
          if (round >= WARMUP_ROUNDS) warm.get(length)!.push(ms);
        }
      }
    }

    const base = summarize(warm.get(LENGTHS[0]!)!);
    const rows: Row[] = [];
    const results = LENGTHS.map((length) => {
      const w = summarize(warm.get(length)!);
      const c = summarize(cold.get(length)!);
      rows.push({
        events: length,
        commands: w.count,
        'p50 ms': w.p50,
        'p99 ms': w.p99,
        'p99 ratio': w.p99 / base.p99,
        'cold p50 ms': c.p50,
        'cold ratio': c.p50 / w.p50,
      });
      return { events: length, warm: w, cold: c, p99Ratio: w.p99 / base.p99 };
    });
    printTable(`Command latency by stream length (load ${loadavg()[0]!.toFixed(2)}; goal p99 ratio at 10,000 <= ${GOAL_RATIO})`, rows);
    const ratio = results[results.length - 1]!.p99Ratio;
    console.log(`p99 at ${LENGTHS.at(-1)} events = ${ratio.toFixed(2)}x p99 at ${LENGTHS[0]} events -> ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}`);
    const file = writeResults('command-stream-length', { streams: STREAMS, commands: COMMANDS, loadavg: loadavg(), goalRatio: GOAL_RATIO, ratio, results });
    console.log(`wrote ${file}`);
  } finally {
    await store.close();
  }
});
