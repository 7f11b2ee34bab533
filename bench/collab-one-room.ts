/**
 * One room, 200 writers at 10 ops/s each (≈2000 updates/s in, ≈400k deliveries/s out before batching).
 * Goal: propagation p99 ≤ 15 ms. Run: node --expose-gc --import tsx bench/collab-one-room.ts
 */
import { runCollabBench } from './collab-bench.js';

await runCollabBench({
  name: 'collab-one-room',
  title: 'Collab: 1 room × 200 writers @ 10 ops/s',
  rooms: 1,
  writersPerRoom: Number(process.env.WRITERS ?? 200),
  opsPerSec: 10,
  replicaRooms: 1,
  batchWindowMs: Number(process.env.BATCH_MS ?? 5),
  goalP99Ms: 15,
});
