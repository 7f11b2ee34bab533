/**
 * A command's latency over HTTP including the read-your-writes wait (the response leaves once the projection has
 * the event), against the same command with the wait switched off, measured in the same run. Goal p99 ≤ 15 ms.
 *   node --import tsx bench/command-latency.ts [commands=1000] [concurrency=4]
 */
import { counterProjection, counterRoutes, createCounterTable, fixtureAuthenticator } from '../test/platform/counter-fixture.js';
import { createHarness } from '../test/support/harness.js';
import { printTable, summarize, writeResults } from './lib/report.js';

const commands = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 4);

async function measure(waitMs: number) {
  const h = await createHarness({
    modules: [counterRoutes],
    projections: [counterProjection],
    wire: false,
    env: { RATE_LIMIT_ENABLED: 'false', READ_YOUR_WRITES_TIMEOUT_MS: String(waitMs) },
    setup: async (ctx) => {
      ctx.authenticate = fixtureAuthenticator;
      await createCounterTable(ctx);
    },
  });
  const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const samples: number[] = [];
  let next = 0;
  const worker = async (w: number) => {
    while (next < commands) {
      const i = next++;
      const started = performance.now();
      const res = await fetch(`${url}/counters/c${w}-${i % 50}/increment`, {
        method: 'POST',
        headers: { authorization: 'Bearer user-bench', 'content-type': 'application/json' },
        body: JSON.stringify({ by: 1 }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      if (i >= 50) samples.push(performance.now() - started); // first requests warm up
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  await h.close();
  return summarize(samples);
}

const without = await measure(0);
const withWait = await measure(2000);
const rows = [
  { mode: 'append only (baseline)', ...without },
  { mode: 'append + read-your-writes', ...withWait },
];
printTable(`Command latency over HTTP, ${commands} commands, ${concurrency} concurrent clients (ms)`, rows);
console.log(`p99 with read-your-writes ${withWait.p99.toFixed(1)} ms (goal ≤ 15 ms); ${(withWait.p99 / without.p99).toFixed(2)}× the append-only p99`);
writeResults('command-latency', { commands, concurrency, rows, ratioP99: withWait.p99 / without.p99, goalP99Ms: 15 });
process.exit(0);
