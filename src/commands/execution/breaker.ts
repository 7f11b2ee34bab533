/**
 * The breaker around the execution queue: open → 503 EXECUTION_SERVICE_UNAVAILABLE, an enqueue slower
 * than EXECUTION_QUEUE_TIMEOUT_MS → 504 EXECUTION_SERVICE_TIMEOUT. One breaker per context (process and test),
 * created by the composition root.
 */
import type { Config } from '../../config.js';
import { createBreaker, type Guarded } from '../../infra/breaker.js';

export type ExecutionQueueGuard = Guarded & ReturnType<typeof createBreaker>;

export function createExecutionQueueGuard(config: Config): ExecutionQueueGuard {
  return createBreaker('EXECUTION', 'execution-queue', { timeoutMs: config.EXECUTION_QUEUE_TIMEOUT_MS, resetMs: 10_000 });
}
