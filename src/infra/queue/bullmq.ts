/**
 * BullMQ on the shared Redis, every queue under the deployment's prefix (so test files and deployments sharing a
 * Redis stay apart). Producers use a job id equal to the domain id (run id, submission id), which makes a retried
 * enqueue idempotent.
 *
 * BullMQ itself (with its Redis client adapters, cron parser and date library: about 3 MB of heap) is loaded on first
 * use: a queue opens when something is first added to or read from it, a worker when it starts. A role that serves
 * only reads never loads it (docs/architecture.md, "Memory").
 */
import type { Job, JobsOptions, JobType, Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { ServiceUnavailableError, type ServiceArea } from '../errors.js';
import { createQueueConnection } from '../redis/redis.js';

/** What producers, the sweeper, the scheduler and the health probes do with a queue. */
export interface JobQueue {
  readonly name: string;
  add(jobName: string, data: unknown, opts?: JobsOptions): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  getJobCounts(...types: JobType[]): Promise<Record<string, number>>;
  count(): Promise<number>;
  getWorkersCount(): Promise<number>;
  upsertJobScheduler(...args: Parameters<Queue['upsertJobScheduler']>): ReturnType<Queue['upsertJobScheduler']>;
  /** The BullMQ queue itself, opened if it was not (tools and tests that need more of it). */
  open(): Promise<Queue>;
}

type Bullmq = typeof import('bullmq');
let bullmq: Promise<Bullmq> | undefined;
const loadBullmq = (): Promise<Bullmq> => (bullmq ??= import('bullmq'));

export interface QueueFactory {
  queue(name: string): JobQueue;
  worker(name: string, processor: Processor, options?: Partial<WorkerOptions>): Promise<Worker>;
  /** Job counts of every queue asked for so far (for /metrics and /health). */
  counts(): Promise<Record<string, Record<string, number>>>;
  /**
   * Register again every job scheduler (repeatable job) this process registered: after Redis lost its data they
   * are gone with it. Returns how many were registered.
   */
  rearmSchedulers(): Promise<number>;
  /**
   * False while the queues' Redis connection, once it has been up, is down. Producers check it before recording a
   * request, so they answer 503 at once instead of appending work that cannot be queued.
   */
  reachable(): boolean;
  close(): Promise<void>;
}

/**
 * What `add` throws while the queues' Redis is unreachable, at once: a command on a dead connection would otherwise
 * wait for the reconnection (BullMQ's connection retries forever) and the producer would sit out its deadline.
 * The message is one `isRedisOutage` recognises, so wherever it surfaces it answers 503, never 500.
 */
export class QueueUnreachableError extends Error {
  constructor(queue: string) {
    super(`Connection is closed: Redis is unreachable, ${queue} cannot take jobs`);
    this.name = 'QueueUnreachableError';
  }
}

/** Seconds a client is told to wait when the queues' Redis is down (it reconnects within a couple of seconds). */
const UNREACHABLE_RETRY_AFTER_S = 5;

/**
 * The producers' fast path through a Redis outage: 503 `<AREA>_SERVICE_UNAVAILABLE` at once, before the request is
 * recorded — nothing is appended that would have to be failed (or counted against a limit) later.
 */
export function ensureQueueReachable(queues: Pick<QueueFactory, 'reachable'>, area: ServiceArea): void {
  if (queues.reachable()) return;
  throw new ServiceUnavailableError(area, 'Service temporarily unavailable', { reason: 'queue_unreachable', retryAfter: UNREACHABLE_RETRY_AFTER_S });
}

export function createQueueFactory(redisUrl: string, prefix: string): QueueFactory {
  const connection: Redis = createQueueConnection(redisUrl);
  connection.on('error', () => undefined);
  // Until the first connection, commands wait for it (start-up); after that, a connection that is not ready is down.
  let connectedOnce = false;
  connection.once('ready', () => {
    connectedOnce = true;
  });
  const reachable = () => !connectedOnce || connection.status === 'ready';
  const queues = new Map<string, JobQueue>();
  const opened: Array<Promise<Queue>> = [];
  const workers: Array<{ worker: Worker; connection: Redis }> = [];
  const bullPrefix = `${prefix}:bull`;
  // Each scheduler a module upserts, so `rearmSchedulers` can put it back after Redis lost its data.
  const schedulers = new Map<string, { queue: JobQueue; args: Parameters<Queue['upsertJobScheduler']> }>();

  const lazyQueue = (name: string): JobQueue => {
    let real: Promise<Queue> | undefined;
    const open = (): Promise<Queue> => {
      if (!real) {
        real = loadBullmq().then(({ Queue: BullQueue }) => {
          const q = new BullQueue(name, { connection, prefix: bullPrefix });
          q.on('error', () => undefined);
          return q;
        });
        opened.push(real);
      }
      return real;
    };
    const queue: JobQueue = {
      name,
      open,
      // Refused at once while Redis is unreachable (see QueueUnreachableError).
      add: async (jobName, data, opts) => {
        if (!reachable()) throw new QueueUnreachableError(name);
        return (await open()).add(jobName, data, opts);
      },
      getJob: async (id) => (await open()).getJob(id),
      getJobCounts: async (...types) => (await open()).getJobCounts(...types),
      count: async () => (await open()).count(),
      getWorkersCount: async () => (await open()).getWorkersCount(),
      upsertJobScheduler: async (...args) => {
        schedulers.set(`${name}/${args[0]}`, { queue, args });
        return (await open()).upsertJobScheduler(...args);
      },
    };
    return queue;
  };

  return {
    queue(name) {
      let q = queues.get(name);
      if (!q) {
        q = lazyQueue(name);
        queues.set(name, q);
      }
      return q;
    },
    async worker(name, processor, options = {}) {
      const { Worker: BullWorker } = await loadBullmq();
      // Workers block on Redis, so each gets its own connection (closed with the worker: BullMQ leaves a
      // connection it was given open).
      const own = createQueueConnection(redisUrl);
      own.on('error', () => undefined);
      const w = new BullWorker(name, processor, { connection: own, prefix: bullPrefix, ...options });
      w.on('error', () => undefined);
      workers.push({ worker: w, connection: own });
      return w;
    },
    async counts() {
      const out: Record<string, Record<string, number>> = {};
      for (const [name, q] of queues) out[name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      return out;
    },
    reachable,
    async rearmSchedulers() {
      for (const { queue, args } of schedulers.values()) await queue.upsertJobScheduler(...args);
      return schedulers.size;
    },
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.close()));
      for (const { connection: own } of workers) own.disconnect();
      await Promise.all(opened.map(async (q) => (await q).close()));
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
