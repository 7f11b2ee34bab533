/**
 * The rate limiter's leases, on a real Redis: one process counts exactly as a round trip per check would, in fewer
 * round trips; two processes on one window never let more than the limit through between them; a lease ends with
 * its window.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createRedis } from '../../src/infra/redis/redis.js';
import { createRateLimiter, type RateDecision } from '../../src/infra/redis/rate-limiter.js';

const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `test-rl-${randomUUID()}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** Commands (round trips) sent on `connection` while `work` ran. */
async function roundTrips(connection: typeof redis, work: () => Promise<void>): Promise<number> {
  let sent = 0;
  const send = connection.sendCommand.bind(connection);
  connection.sendCommand = ((...args: Parameters<typeof send>) => {
    sent += 1;
    return send(...args);
  }) as typeof send;
  try {
    await work();
  } finally {
    connection.sendCommand = send;
  }
  return sent;
}

describe('rate limiter leases', () => {
  it('one process: every check counted exactly, 429 at limit + 1, in a fraction of the round trips', async () => {
    const limiter = createRateLimiter(redis, prefix);
    const limit = 40;
    const seen: RateDecision[] = [];
    const trips = await roundTrips(redis, async () => {
      for (let i = 0; i <= limit; i++) seen.push(await limiter.consume('global', 'user:one', limit, 60));
    });
    expect(seen.slice(0, limit).every((d) => d.allowed)).toBe(true);
    expect(seen.map((d) => d.remaining)).toEqual([...Array.from({ length: limit }, (_, i) => limit - 1 - i), 0]);
    expect(seen[limit]!.allowed).toBe(false);
    expect(seen[limit]!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(trips).toBeLessThan(limit / 2);
    // what Redis holds is what was used (the refused check counts one, as before leases)
    expect(Number(await redis.get(`${prefix}:rl:global:user:one`))).toBe(limit + 1);
    // a refund gives one unit back
    await limiter.refund('global', 'user:one');
    await limiter.refund('global', 'user:one');
    expect((await limiter.consume('global', 'user:one', limit, 60)).allowed).toBe(true);
  });

  it('two processes on one window: never more than the limit between them, and the limit is reached', async () => {
    const [a, b] = [createRateLimiter(redis, prefix), createRateLimiter(redis, prefix)];
    const limit = 50;
    let allowed = 0;
    let refusedBoth = false;
    for (let i = 0; i < 200 && !refusedBoth; i++) {
      const [da, db] = [await a.consume('global', 'user:two', limit, 60), await b.consume('global', 'user:two', limit, 60)];
      allowed += Number(da.allowed) + Number(db.allowed);
      refusedBoth = !da.allowed && !db.allowed;
    }
    expect(refusedBoth).toBe(true);
    expect(allowed).toBe(limit);
  });

  it('a lease ends with its window: the next window starts from its full limit', async () => {
    const limiter = createRateLimiter(redis, prefix);
    expect((await limiter.consume('short', 'user:three', 10, 1)).remaining).toBe(9);
    expect((await limiter.consume('short', 'user:three', 10, 1)).remaining).toBe(8);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await limiter.consume('short', 'user:three', 10, 1)).remaining).toBe(9);
  });
});
