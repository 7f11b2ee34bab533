/**
 * 500 rooms × 2 writers at 5 ops/s each (1000 sockets, ≈5000 updates/s). Goal: p99 ≤ 20 ms; also server CPU and
 * RSS per room, event-loop delay and GC pauses (major ones apart). Run: node --expose-gc --import tsx
 * bench/collab-many-rooms.ts — COLLAB_BENCH_PROFILE=1 also writes a CPU profile of the measured window
 * (bench/results/collab-many-rooms.cpuprofile); BENCH_REPEAT=n runs it n times and reports medians.
 */
import { runCollabBench } from './collab-bench.js';

await runCollabBench({
  name: 'collab-many-rooms',
  title: 'Collab: 500 rooms × 2 writers @ 5 ops/s',
  rooms: Number(process.env.ROOMS ?? 500),
  writersPerRoom: 2,
  opsPerSec: 5,
  replicaRooms: 20,
  batchWindowMs: Number(process.env.BATCH_MS ?? 5),
  goalP99Ms: 20,
});
