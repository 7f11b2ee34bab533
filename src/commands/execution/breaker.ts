/**
 * The breaker around the execution queue: open → 503 EXECUTION_SERVICE_UNAVAILABLE, an enqueue slower
 * than EXECUTION_QUEUE_TIMEOUT_MS → 504 EXECUTION_SERVICE_TIMEOUT. One breaker per context (process and test).
 */
import { createBreaker, type Guarded } from '../../infra/breaker.js';
import type { AppContext } from '../../runtime/context.js';

type QueueGuard = ReturnType<typeof createBreaker>;

const guards = new WeakMap<AppContext, QueueGuard>();

export function executionQueueGuard(ctx: AppContext): Guarded & QueueGuard {
  let guard = guards.get(ctx);
  if (!guard) {
    guard = createBreaker('EXECUTION', 'execution-queue', { timeoutMs: ctx.config.EXECUTION_QUEUE_TIMEOUT_MS, resetMs: 10_000 });
    guards.set(ctx, guard);
  }
  return guard;
}
