/**
 * Preloaded into a server process by the memory benchmarks (`node --import tsx --import <this file> src/cli.ts …`),
 * so the product carries no memory-inspection endpoint of its own. On SIGURG it writes one JSON sample to
 * `MEMORY_PROBE_DIR/<pid>-<n>.json`: `process.memoryUsage()`, `v8.getHeapStatistics()` and the size of every V8
 * heap space, taken as the process stands and — when the process runs with `--expose-gc` — again after a full
 * collection (what is still reachable, as opposed to garbage not yet collected). With `MEMORY_PROBE_SNAPSHOT=1`
 * each sample also writes a heap snapshot next to it (seconds of pause and about the heap's size again in memory:
 * for finding what holds the heap, not for runs whose figures are reported).
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

export interface MemorySample {
  pid: number;
  at: string;
  uptimeS: number;
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
if (dir) {
  let n = 0;
  // SIGURG, not SIGUSR1/2: Node keeps SIGUSR1 for the inspector and the server's graceful shutdown takes SIGUSR2
  process.on('SIGURG', () => {
    const name = `${process.pid}-${++n}`;
    const sample: MemorySample = { pid: process.pid, at: new Date().toISOString(), uptimeS: process.uptime(), asIs: figures() };
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      sample.afterGc = figures();
    }
    if (process.env.MEMORY_PROBE_SNAPSHOT === '1') sample.snapshot = v8.writeHeapSnapshot(path.join(dir, `${name}.heapsnapshot`));
    // written under a temporary name and renamed, so a reader never sees half a file
    const file = path.join(dir, `${name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(sample));
    renameSync(`${file}.tmp`, file);
  });
}
