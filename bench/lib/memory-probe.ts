/**
 * Preloaded into a server process by the memory benchmarks (`node --import tsx --import <this file> src/cli.ts …`),
 * so the product carries no memory-inspection endpoint of its own. On SIGURG it writes one JSON sample to
 * `MEMORY_PROBE_DIR/<pid>-<n>.json`: `process.memoryUsage()`, `v8.getHeapStatistics()` and the size of every V8
 * heap space, taken as the process stands and — when the process runs with `--expose-gc` — again after a full
 * collection (what is still reachable, as opposed to garbage not yet collected). With `MEMORY_PROBE_SNAPSHOT=1`
 * each sample also writes a heap snapshot next to it (seconds of pause and about the heap's size again in memory:
 * for finding what holds the heap, not for runs whose figures are reported).
 *
 * Every sample also carries the garbage collections seen so far (count and pause milliseconds, from Node's `gc`
 * performance entries, taken before the probe's own collection): what a heap setting costs in pauses. On SIGWINCH
 * the probe writes only those counters (no collection, no snapshot), to mark the start of a measured window.
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

export interface MemoryFigures {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Memory V8 itself holds outside the JS heap (malloc). */
  mallocedMemory: number;
  nativeContexts: number;
  /** Used bytes per heap space (new_space, old_space, code_space, large_object_space, …). */
  spaces: Record<string, { size: number; used: number }>;
}

/** Garbage collections since the process started: how many, and their pauses in milliseconds, young and full. */
export interface GcTotals {
  count: number;
  ms: number;
  youngMs: number;
}

export interface MemorySample {
  pid: number;
  at: string;
  uptimeS: number;
  gc: GcTotals;
  asIs: MemoryFigures;
  /** After `global.gc()`; absent when the process does not run with `--expose-gc`. */
  afterGc?: MemoryFigures;
  snapshot?: string;
}

function figures(): MemoryFigures {
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  const spaces: MemoryFigures['spaces'] = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { size: s.space_size, used: s.space_used_size };
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    mallocedMemory: heap.malloced_memory,
    nativeContexts: heap.number_of_native_contexts,
    spaces,
  };
}

const dir = process.env.MEMORY_PROBE_DIR;
const gcTotals: GcTotals = { count: 0, ms: 0, youngMs: 0 };
// NODE_PERFORMANCE_GC_MINOR: a scavenge of the young generation
const MINOR_GC = 1;

function write(name: string, sample: object): void {
  // written under a temporary name and renamed, so a reader never sees half a file
  const file = path.join(dir!, `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(sample));
  renameSync(`${file}.tmp`, file);
}

if (dir) {
  let n = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotals.count += 1;
      gcTotals.ms += entry.duration;
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === MINOR_GC) gcTotals.youngMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGWINCH', () => write(`${process.pid}-${++n}`, { pid: process.pid, gc: { ...gcTotals } }));
  // SIGURG, not SIGUSR1/2: Node keeps SIGUSR1 for the inspector and the server's graceful shutdown takes SIGUSR2
  process.on('SIGURG', () => {
    const name = `${process.pid}-${++n}`;
    const sample: MemorySample = { pid: process.pid, at: new Date().toISOString(), uptimeS: process.uptime(), gc: { ...gcTotals }, asIs: figures() };
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      sample.afterGc = figures();
    }
    if (process.env.MEMORY_PROBE_SNAPSHOT === '1') sample.snapshot = v8.writeHeapSnapshot(path.join(dir, `${name}.heapsnapshot`));
    write(name, sample);
  });
}
