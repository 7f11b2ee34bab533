import { Redis } from 'ioredis';

/**
 * One connection for commands; BullMQ opens its own (it needs maxRetriesPerRequest: null).
 *
 * Outage behaviour: commands issued before the first connection wait for it (start-up), but once the connection
 * has been up, a command issued while Redis is unreachable fails at once instead of queueing, and a command that
 * gets no answer fails after `commandTimeoutMs`. Callers decide what degrades (the rate limiter lets requests
 * through; the rest answer 503), and nobody waits seconds for a dead Redis.
 */
export function createRedis(url: string, commandTimeoutMs = 1000): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    // Commands issued in the same tick (concurrent requests' rate-limit checks) share one write.
    enableAutoPipelining: true,
  });
  redis.once('ready', () => {
    redis.options.enableOfflineQueue = false;
  });
  return redis;
}

export function createQueueConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
}
