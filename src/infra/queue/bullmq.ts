/**
 * BullMQ on the shared Redis, every queue under the deployment's prefix (so test files and deployments sharing a
 * Redis stay apart). Producers use a job id equal to the domain id (run id, submission id), which makes a retried
 * enqueue idempotent.
 */
import { Queue, Worker, type JobsOptions, type Processor, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createQueueConnection } from '../redis/redis.js';

export interface QueueFactory {
  queue(name: string): Queue;
  worker(name: string, processor: Processor, options?: Partial<WorkerOptions>): Worker;
  /** Job counts of every queue opened so far (for /metrics and /health). */
  counts(): Promise<Record<string, Record<string, number>>>;
  /**
   * Register again every job scheduler (repeatable job) this process registered: after Redis lost its data they
   * are gone with it. Returns how many were registered.
   */
  rearmSchedulers(): Promise<number>;
  close(): Promise<void>;
}

export function createQueueFactory(redisUrl: string, prefix: string): QueueFactory {
  const connection: Redis = createQueueConnection(redisUrl);
  connection.on('error', () => undefined);
  const queues = new Map<string, Queue>();
  const workers: Array<{ worker: Worker; connection: Redis }> = [];
  const bullPrefix = `${prefix}:bull`;
  const schedulers = new Map<string, { queue: Queue; args: Parameters<Queue['upsertJobScheduler']> }>();

  /** Remember each scheduler a module upserts, so `rearmSchedulers` can put it back. */
  const remembering = (q: Queue): Queue => {
    const upsert = q.upsertJobScheduler.bind(q);
    q.upsertJobScheduler = ((...args: Parameters<Queue['upsertJobScheduler']>) => {
      schedulers.set(`${q.name}/${args[0]}`, { queue: q, args });
      return upsert(...args);
    }) as Queue['upsertJobScheduler'];
    return q;
  };

  return {
    queue(name) {
      let q = queues.get(name);
      if (!q) {
        q = remembering(new Queue(name, { connection, prefix: bullPrefix }));
        q.on('error', () => undefined);
        queues.set(name, q);
      }
      return q;
    },
    worker(name, processor, options = {}) {
      // Workers block on Redis, so each gets its own connection (closed with the worker: BullMQ leaves a
      // connection it was given open).
      const own = createQueueConnection(redisUrl);
      own.on('error', () => undefined);
      const w = new Worker(name, processor, { connection: own, prefix: bullPrefix, ...options });
      w.on('error', () => undefined);
      workers.push({ worker: w, connection: own });
      return w;
    },
    async counts() {
      const out: Record<string, Record<string, number>> = {};
      for (const [name, q] of queues) out[name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      return out;
    },
    async rearmSchedulers() {
      for (const { queue, args } of schedulers.values()) await queue.upsertJobScheduler(...args);
      return schedulers.size;
    },
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.close()));
      for (const { connection: own } of workers) own.disconnect();
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

export const defaultJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000, age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};
