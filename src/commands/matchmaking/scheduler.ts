/**
 * The matchmaking engine as a BullMQ repeatable in role `worker` when SCHEDULER_ENABLED (every 5 s):
 * expire unpolled entries and overdue proposals, then pair the searching entries. One worker with concurrency 1 runs
 * the cycle; correctness across processes rests on the streams, not on this. `runMatchmakingJob` can be called
 * directly (tests, one-off runs).
 */
import type { AppContext } from '../../runtime/context.js';
import { runMatchingCycle } from './matchmaking.js';

export const MATCHMAKING_QUEUE = 'matchmaking.engine';
export const MATCHMAKING_EVERY_MS = 5_000;

export async function runMatchmakingJob(ctx: AppContext, now = new Date()): Promise<{ proposed: string[] }> {
  return runMatchingCycle(ctx, now);
}

export async function startMatchmakingScheduler(ctx: AppContext): Promise<() => Promise<void>> {
  if (!ctx.config.SCHEDULER_ENABLED) return async () => undefined;
  const queue = ctx.queues.queue(MATCHMAKING_QUEUE);
  await queue.upsertJobScheduler(
    'matchmaking-cycle',
    { every: MATCHMAKING_EVERY_MS },
    { name: 'cycle', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  const worker = ctx.queues.worker(
    MATCHMAKING_QUEUE,
    async () => {
      const result = await runMatchmakingJob(ctx);
      ctx.logger.debug({ result }, 'matchmaking cycle done');
      return result;
    },
    { concurrency: 1 },
  );
  return async () => {
    await worker.close();
  };
}
