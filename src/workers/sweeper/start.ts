/**
 * Role `worker` starter for the sweeper. It runs on a plain timer in every worker process rather than as a BullMQ
 * repeatable: a repeatable lives in Redis and would vanish with the very jobs it is meant to recover. Sweeps in
 * several processes are safe (same job ids, idempotent commands).
 *
 * Each tick also checks a marker key: when it is gone, Redis lost its data, and the scheduled jobs every module
 * registered (their BullMQ job schedulers) are registered again.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../composition/context.js';
import { sweepLostWork } from './sweep.js';

async function checkRedisKept(ctx: AppContext, markerKey: string): Promise<void> {
  if ((await ctx.redis.exists(markerKey)) === 1) return;
  const rearmed = await ctx.queues.rearmSchedulers();
  await ctx.redis.set(markerKey, randomUUID());
  if (rearmed > 0) ctx.logger.warn({ rearmed }, 'redis lost its data: scheduled jobs registered again');
}

export async function startSweeper(ctx: AppContext): Promise<() => Promise<void>> {
  const every = ctx.config.SWEEPER_INTERVAL_MS;
  if (every === 0) return async () => undefined;
  const markerKey = `${ctx.config.REDIS_PREFIX}:sweeper:marker`;
  await ctx.redis.set(markerKey, randomUUID()).catch(() => undefined);
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = (async () => {
      await checkRedisKept(ctx, markerKey);
      await sweepLostWork(ctx);
    })()
      .catch((err: Error) => ctx.logger.warn({ err: err.message }, 'sweep failed; retrying at the next tick'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, every);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
