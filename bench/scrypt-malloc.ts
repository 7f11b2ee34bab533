/**
 * What glibc's malloc settings cost a sign-in's scrypt: the API's verify (bench/lib/scrypt-loop.ts) at 4 closed loops
 * under glibc's defaults (the baseline: a freed 16 MiB buffer is reused from the thread's arena, and kept there),
 * under the fixed mmap threshold `bin/syncode` sets (every buffer mapped and unmapped: memory goes back, page faults
 * come in), and under that threshold with transparent huge pages for mapped chunks (`glibc.malloc.hugetlb=1`, also
 * set by `bin/syncode`). Settings alternate, three rounds, so background load hits each alike; the figure is CPU per
 * verify (the whole process, the threadpool included), as a ratio to the defaults of the same run.
 *   node --import tsx bench/scrypt-malloc.ts
 * Prints a table and writes bench/results/scrypt-malloc.json.
 */
import { loadavg } from 'node:os';
import { runtimeSettings } from './lib/runtime-settings.js';
import { median, printTable, writeResults } from './lib/report.js';
import { runScryptLoop } from './lib/scrypt-loop.js';

const ROUNDS = 3;
const CONCURRENCY = 4;
const deployed = runtimeSettings().env;
const settings: Array<{ name: string; env: Record<string, string> }> = [
  { name: "glibc's defaults", env: {} },
  { name: `MALLOC_MMAP_THRESHOLD_=${deployed.MALLOC_MMAP_THRESHOLD_}`, env: { MALLOC_MMAP_THRESHOLD_: deployed.MALLOC_MMAP_THRESHOLD_! } },
  { name: `+ GLIBC_TUNABLES=${deployed.GLIBC_TUNABLES} (bin/syncode)`, env: deployed },
];

const samples = new Map<string, Array<{ cpuMsPerOp: number; perSec: number }>>(settings.map((s) => [s.name, []]));
const loadBefore = loadavg()[0]!;
for (let round = 0; round < ROUNDS; round++) {
  for (const s of settings) samples.get(s.name)!.push(await runScryptLoop(CONCURRENCY, 1000, 4000, s.env));
}
const baseline = median(samples.get(settings[0]!.name)!.map((x) => x.cpuMsPerOp));
const rows = settings.map((s) => {
  const cpu = median(samples.get(s.name)!.map((x) => x.cpuMsPerOp));
  return {
    setting: s.name,
    'cpu ms/verify (median)': Number(cpu.toFixed(2)),
    'per round': samples.get(s.name)!.map((x) => x.cpuMsPerOp.toFixed(1)).join(' '),
    'verifies/s (median)': Number(median(samples.get(s.name)!.map((x) => x.perSec)).toFixed(1)),
    'cpu / defaults': Number((cpu / baseline).toFixed(3)),
  };
});
printTable(`scrypt verify CPU by malloc setting (${CONCURRENCY} loops, ${ROUNDS} alternating rounds; load ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)})`, rows);
console.log(`\nwritten to ${writeResults('scrypt-malloc', {
  cpuRatio: { fixedThreshold: rows[1]!['cpu / defaults'], deployed: rows[2]!['cpu / defaults'] },
  rows,
  loadavg: [loadBefore, loadavg()[0]],
})}`);
