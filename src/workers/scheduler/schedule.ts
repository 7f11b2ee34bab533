/**
 * Every repeatable job of the platform, registered in one place (role `worker`, only when SCHEDULER_ENABLED). Each
 * is a BullMQ job scheduler upserted by id, so several workers starting at once still schedule it once, and
 * `rearmSchedulers` puts it back after Redis lost its data. One consumer per queue, one job at a time: a job finds
 * its candidates in the read models and issues commands whose deciders re-check every condition, so correctness
 * never rests on the schedule. The job functions can be called directly (tests, one-off runs).
 *
 * The sweeper of lost work is deliberately not here: it runs on a plain timer (src/workers/sweeper/start.ts),
 * since a repeatable lives in Redis and would vanish with the jobs it recovers.
 */
import type { Worker } from 'bullmq';
import { RETENTION_QUEUE as EXECUTION_RETENTION_QUEUE } from '../../commands/execution/jobs.js';
import { expireExecutionOutputs } from '../../commands/execution/retention.js';
import { runRetention } from '../../commands/identity/retention.js';
import { runMatchingCycle } from '../../commands/matchmaking/matchmaking.js';
import type { AppContext } from '../../composition/context.js';
import { cleanupAbandonedRooms, expireRoleSwaps, sweepPresence } from './rooms.js';

export const ROOMS_SCHEDULER_QUEUE = 'rooms.scheduler';
export const IDENTITY_RETENTION_QUEUE = 'identity.retention';
export const MATCHMAKING_QUEUE = 'matchmaking.engine';

const HOUR_MS = 3600_000;

export interface ScheduledJob {
  queue: string;
  /** The job scheduler's id (kept stable: Redis already holds schedulers under these ids). */
  id: string;
  /** The job's name, which the queue's consumer dispatches on. */
  name: string;
  everyMs: number;
  /** Hourly housekeeping reports what it did at info; the frequent cycles only at debug. */
  logAt: 'info' | 'debug';
  run(ctx: AppContext): Promise<unknown>;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  { queue: ROOMS_SCHEDULER_QUEUE, id: 'rooms-role-swap-expiry', name: 'role-swap-expiry', everyMs: 10_000, logAt: 'debug', run: (ctx) => expireRoleSwaps(ctx) },
  { queue: ROOMS_SCHEDULER_QUEUE, id: 'rooms-presence-sweep', name: 'presence-sweep', everyMs: 60_000, logAt: 'debug', run: (ctx) => sweepPresence(ctx) },
  { queue: ROOMS_SCHEDULER_QUEUE, id: 'rooms-abandoned-room-cleanup', name: 'abandoned-room-cleanup', everyMs: 5 * 60_000, logAt: 'debug', run: (ctx) => cleanupAbandonedRooms(ctx) },
  { queue: MATCHMAKING_QUEUE, id: 'matchmaking-cycle', name: 'cycle', everyMs: 5_000, logAt: 'debug', run: (ctx) => runMatchingCycle(ctx) },
  { queue: IDENTITY_RETENTION_QUEUE, id: 'identity-retention', name: 'retention', everyMs: HOUR_MS, logAt: 'info', run: (ctx) => runRetention(ctx) },
  { queue: EXECUTION_RETENTION_QUEUE, id: 'execution-output-retention', name: 'expire-outputs', everyMs: HOUR_MS, logAt: 'info', run: (ctx) => expireExecutionOutputs(ctx) },
];

/** Registers every scheduled job and starts one consumer per queue; returns the stop function. */
export async function startScheduler(ctx: AppContext, jobs: readonly ScheduledJob[] = SCHEDULED_JOBS): Promise<() => Promise<void>> {
  if (!ctx.config.SCHEDULER_ENABLED) return async () => undefined;
  const byQueue = new Map<string, Map<string, ScheduledJob>>();
  for (const job of jobs) {
    await ctx.queues.queue(job.queue).upsertJobScheduler(job.id, { every: job.everyMs }, {
      name: job.name,
      data: {},
      opts: { removeOnComplete: 100, removeOnFail: 100 },
    });
    byQueue.set(job.queue, (byQueue.get(job.queue) ?? new Map()).set(job.name, job));
  }
  const workers: Worker[] = [];
  for (const [queue, named] of byQueue) {
    const consumer = async (job: { name: string }) => {
      const scheduled = named.get(job.name);
      if (!scheduled) throw new Error(`no scheduled job named ${job.name} on ${queue}`);
      const result = await scheduled.run(ctx);
      ctx.logger[scheduled.logAt]({ queue, job: job.name, result }, 'scheduled job done');
      return result;
    };
    workers.push(await ctx.queues.worker(queue, consumer, { concurrency: 1 }));
  }
  // A worker closed while it is still connecting fails loudly: stop only consumers that are up.
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return async () => {
    await Promise.all(workers.map((w) => w.close()));
  };
}
