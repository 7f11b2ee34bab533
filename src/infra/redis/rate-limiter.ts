/**
 * Fixed-window counters in Redis, so a limit holds across every API instance. One round trip per check (a Lua
 * script, sent by its SHA, increments and sets the expiry atomically).
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
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
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
  syncodeRateLimitConsume(key: string, windowMs: string): Promise<[number, number]>;
  syncodeRateLimitPeek(key: string): Promise<[string | null, number]>;
}

export function createRateLimiter(redis: Redis, prefix: string, options: RateLimiterOptions = {}): RateLimiter {
  const keyOf = (scope: string, key: string) => `${prefix}:rl:${scope}:${key}`;
  if (!('syncodeRateLimitConsume' in redis)) redis.defineCommand('syncodeRateLimitConsume', { numberOfKeys: 1, lua: SCRIPT });
  if (!('syncodeRateLimitPeek' in redis)) redis.defineCommand('syncodeRateLimitPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT });
  const scripted = redis as unknown as WithConsumeScript;
  let failingOpen = false;
  const failOpen = (err: unknown, limit: number, windowSeconds: number): RateDecision => {
    if (!isRedisOutage(err)) throw err;
    if (!failingOpen) options.onFailOpen?.(err as Error);
    failingOpen = true;
    return { allowed: true, limit, remaining: limit, resetAt: Math.ceil(Date.now() / 1000) + windowSeconds, retryAfter: 0 };
  };
  return {
    async consume(scope, key, limit, windowSeconds) {
      let reply: [number, number];
      try {
        reply = await scripted.syncodeRateLimitConsume(keyOf(scope, key), String(windowSeconds * 1000));
      } catch (err) {
        return failOpen(err, limit, windowSeconds);
      }
      failingOpen = false;
      const [count, ttlMs] = reply;
      const resetAt = Math.ceil((Date.now() + ttlMs) / 1000);
      return {
        allowed: count <= limit,
        limit,
        remaining: Math.max(0, limit - count),
        resetAt,
        retryAfter: Math.max(1, Math.ceil(ttlMs / 1000)),
      };
    },
    async peek(scope, key, limit, windowSeconds) {
      let count: number;
      let ttlMs: number;
      try {
        // one command (both values read together) rather than a GET and a PTTL
        const [c, t] = await scripted.syncodeRateLimitPeek(keyOf(scope, key));
        count = c === null ? 0 : Number(c);
        ttlMs = t > 0 ? t : windowSeconds * 1000;
      } catch (err) {
        return failOpen(err, limit, windowSeconds);
      }
      return {
        allowed: count < limit,
        limit,
        remaining: Math.max(0, limit - count),
        resetAt: Math.ceil((Date.now() + ttlMs) / 1000),
        retryAfter: Math.max(1, Math.ceil(ttlMs / 1000)),
      };
    },
    async refund(scope, key) {
      await redis.decr(keyOf(scope, key)).catch((err: unknown) => {
        if (!isRedisOutage(err)) throw err;
      });
    },
  };
}
