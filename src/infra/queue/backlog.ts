/**
 * How deep a queue is and how many workers consume it, read at most once per `ttlMs` (so checking it on every
 * request costs nothing) — the input of backpressure decisions.
 */
import type { JobQueue } from './bullmq.js';

export interface Backlog {
  /** Jobs waiting for a worker (not yet started). */
  waiting: number;
  /** Worker connections consuming the queue (each runs up to its concurrency). */
  workers: number;
}

export function backlogReader(queue: Pick<JobQueue, 'count' | 'getWorkersCount'>, ttlMs = 1000): () => Promise<Backlog> {
  let cached: { at: number; value: Promise<Backlog> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) {
      const value = Promise.all([queue.count(), queue.getWorkersCount()]).then(([waiting, workers]) => ({ waiting, workers }));
      cached = { at: now, value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
