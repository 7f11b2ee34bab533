/**
 * Fixed-window counters in Redis, so a limit holds across every API instance. A check that needs Redis is one round
 * trip (a Lua script, sent by its SHA, adds to the counter and sets the expiry atomically).
 *
 * Most checks do not need Redis: a process takes units of a window in small leases (INCRBY n) and spends them
 * locally, so an active user's requests cost one round trip per lease instead of one each. A lease is at most a
 * quarter of what the window has left (and at most MAX_LEASE), so it shrinks to one unit, exact, as the limit nears:
 * with one API process the counts, the 429 at limit + 1 and the headers are what a round trip per request gives.
 * With several, units one process leased and has not spent yet count as used for the others, so a caller may be
 * refused by one instance up to a quarter of their remaining units early; the limit itself is never exceeded.
 * Leases belong to their window and end with it.
 *
 * Fails open: while Redis is unreachable every check allows the request (the limits are protection against abuse,
 * not a correctness rule, and refusing every request for a cache outage would be worse). Redis fails fast
 * (see redis.ts), so a check during an outage costs no waiting.
 */
import type { Redis } from 'ioredis';
import { isRedisOutage } from './outage.js';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds when the window resets. */
  resetAt: number;
  /** Seconds until a retry can succeed (only meaningful when not allowed). */
  retryAfter: number;
}

const SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** The count and time left of a window without touching it (nil and -2 when it does not exist). */
const PEEK_SCRIPT = `return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`;

export interface RateLimiter {
  consume(scope: string, key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
  /** Give back one unit (e.g. a request that failed before doing work). */
  refund(scope: string, key: string): Promise<void>;
  /** The current state of a limit without consuming from it (for the headers of routes it does not throttle). */
  peek?(scope: string, key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
}

export interface RateLimiterOptions {
  /** Called when a check let a request through because Redis did not answer (once per outage). */
  onFailOpen?: (err: Error) => void;
}

/** The scripts as commands of their own: sent by their SHA (EVALSHA), not as text on every check. */
interface WithConsumeScript {
  syncodeRateLimitLease(key: string, windowMs: string, units: string): Promise<[number, number]>;
  syncodeRateLimitPeek(key: string): Promise<[string | null, number]>;
}

/** The most units one lease takes. */
const MAX_LEASE = 16;
/** Windows whose leases a process keeps at once; the least recently used goes first. */
const MAX_LEASES = 10_000;

/** What this process holds of one window: the counter as its last lease left it, and the units not spent yet. */
interface Lease {
  windowEndMs: number;
  counter: number;
  spare: number;
}

/** A quarter of what the window has left by the last count seen, at least one (exact near the limit). */
const leaseSize = (limit: number, counter: number) => Math.max(1, Math.min(MAX_LEASE, Math.floor((limit - counter) / 4)));

function decision(limit: number, lease: Lease, allowed: boolean, now: number): RateDecision {
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - (lease.counter - lease.spare)),
    resetAt: Math.ceil(lease.windowEndMs / 1000),
    retryAfter: Math.max(1, Math.ceil((lease.windowEndMs - now) / 1000)),
  };
}

/** Where a window stands for a caller who holds no lease of it: `count` used, `ttlMs` left. */
function standing(limit: number, count: number, ttlMs: number): RateDecision {
  return {
    allowed: count < limit,
    limit,
    remaining: Math.max(0, limit - count),
    resetAt: Math.ceil((Date.now() + ttlMs) / 1000),
    retryAfter: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}

export function createRateLimiter(redis: Redis, prefix: string, options: RateLimiterOptions = {}): RateLimiter {
  const keyOf = (scope: string, key: string) => `${prefix}:rl:${scope}:${key}`;
  if (!('syncodeRateLimitLease' in redis)) redis.defineCommand('syncodeRateLimitLease', { numberOfKeys: 1, lua: SCRIPT });
  if (!('syncodeRateLimitPeek' in redis)) redis.defineCommand('syncodeRateLimitPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
  const scripted = redis as unknown as WithConsumeScript;
  const leases = new Map<string, Lease>();
  let failingOpen = false;
  const failOpen = (err: unknown, limit: number, windowSeconds: number): RateDecision => {
    if (!isRedisOutage(err)) throw err;
    if (!failingOpen) options.onFailOpen?.(err as Error);
    failingOpen = true;
    return { allowed: true, limit, remaining: limit, resetAt: Math.ceil(Date.now() / 1000) + windowSeconds, retryAfter: 0 };
  };
  /** The live lease of a window, if this process holds one (an ended window's is dropped). */
  const leaseOf = (redisKey: string, now: number): Lease | undefined => {
    const lease = leases.get(redisKey);
    if (lease && now >= lease.windowEndMs) leases.delete(redisKey);
    return lease && now < lease.windowEndMs ? lease : undefined;
  };
  /** Folds what a lease returned into the window's lease (another check may have leased meanwhile). */
  const keep = (redisKey: string, taken: Lease): Lease => {
    const held = leaseOf(redisKey, Date.now());
    if (held && Math.abs(held.windowEndMs - taken.windowEndMs) < 1000) {
      held.counter = Math.max(held.counter, taken.counter);
      held.spare += taken.spare;
      return held;
    }
    leases.delete(redisKey); // re-inserted last: Map order is the LRU order
    leases.set(redisKey, taken);
    if (leases.size > MAX_LEASES) leases.delete(leases.keys().next().value!);
    return taken;
  };
  return {
    async consume(scope, key, limit, windowSeconds) {
      const redisKey = keyOf(scope, key);
      const held = leaseOf(redisKey, Date.now());
      if (held && held.spare > 0) {
        held.spare -= 1;
        return decision(limit, held, true, Date.now());
      }
      const size = leaseSize(limit, held?.counter ?? 0);
      let reply: [number, number];
      try {
        reply = await scripted.syncodeRateLimitLease(redisKey, String(windowSeconds * 1000), String(size));
      } catch (err) {
        return failOpen(err, limit, windowSeconds);
      }
      failingOpen = false;
      const [count, ttlMs] = reply;
      const granted = Math.max(0, Math.min(size, limit - (count - size)));
      // Units leased past the limit go back (a refused check still counts one, as it always has).
      const unused = size - Math.max(granted, 1);
      if (unused > 0) void redis.decrby(redisKey, unused).catch(() => undefined);
      const now = Date.now();
      const lease = keep(redisKey, { windowEndMs: now + ttlMs, counter: count - unused, spare: Math.max(0, granted - 1) });
      return decision(limit, lease, granted > 0, now);
    },
    async peek(scope, key, limit, windowSeconds) {
      const redisKey = keyOf(scope, key);
      const held = leaseOf(redisKey, Date.now());
      if (held) return decision(limit, held, held.counter - held.spare < limit, Date.now());
      try {
        // one command (both values read together) rather than a GET and a PTTL
        const [count, ttlMs] = await scripted.syncodeRateLimitPeek(redisKey);
        return standing(limit, count === null ? 0 : Number(count), ttlMs > 0 ? ttlMs : windowSeconds * 1000);
      } catch (err) {
        return failOpen(err, limit, windowSeconds);
      }
    },
    async refund(scope, key) {
      const redisKey = keyOf(scope, key);
      const held = leaseOf(redisKey, Date.now());
      if (held) {
        held.spare += 1; // the unit is this process's to spend again
        return;
      }
      await redis.decr(redisKey).catch((err: unknown) => {
        if (!isRedisOutage(err)) throw err;
      });
    },
  };
}
