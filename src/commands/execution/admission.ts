/**
 * Backpressure for runs and submissions: accept only what the workers can start within EXECUTION_QUEUE_BUDGET_MS.
 * The drain rate is estimated from the queue's consumers (worker connections × EXECUTION_CONCURRENCY) and the
 * recent processing time of runs and submissions; past it the request answers 503 with Retry-After at once,
 * before anything is recorded, instead of waiting in a queue for longer than anyone waits for a run. The same
 * happens while the queues' Redis is down.
 */
import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Db } from '../../infra/db/database.js';
import { ServiceUnavailableError } from '../../infra/errors.js';
import { backlogReader, type Backlog } from '../../infra/queue/backlog.js';
import { ensureQueueReachable, type QueueFactory } from '../../infra/queue/bullmq.js';
import { EXECUTION_QUEUE } from './jobs.js';

/** What admission reads: the execution queue's backlog and the recent time a job takes (both cached briefly). */
export interface ExecutionAdmission {
  /** False while the queues' Redis is down (checked before the backlog, which would wait for it). */
  reachable(): boolean;
  backlog(): Promise<Backlog>;
  jobMs(): Promise<number>;
}
const MIN_JOB_MS = 100;
const FALLBACK_JOB_MS = 1000;
/** The queue is asked on the request's path: never wait on it longer than this. */
const READ_TIMEOUT_MS = 300;

/** Mean time a worker spent on the latest completed runs and submissions (cached for a few seconds). */
function jobTimeReader(ctx: { db: Db; config: Config }): () => Promise<number> {
  let cached: { at: number; value: number } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < 5000) return cached.value;
    const { rows } = await sql<{ ms: number | null }>`
      SELECT avg(ms)::float8 AS ms FROM (
        (SELECT extract(epoch FROM completed_at - started_at) * 1000 AS ms FROM runs
          WHERE output_expired_at IS NULL AND completed_at IS NOT NULL AND started_at IS NOT NULL ORDER BY completed_at DESC LIMIT 50)
        UNION ALL
        (SELECT extract(epoch FROM completed_at - started_at) * 1000 FROM submissions
          WHERE output_expired_at IS NULL AND completed_at IS NOT NULL AND started_at IS NOT NULL ORDER BY completed_at DESC LIMIT 50)
      ) recent`.execute(ctx.db);
    const measured = rows[0]?.ms;
    const value = Math.min(Math.max(measured ?? FALLBACK_JOB_MS, MIN_JOB_MS), ctx.config.EXECUTION_MAX_TIMEOUT_MS);
    cached = { at: Date.now(), value };
    return value;
  };
}

/** One per context, created by the composition root; the queue is opened on the first request that asks. */
export function createExecutionAdmission(deps: { db: Db; config: Config; queues: QueueFactory }): ExecutionAdmission {
  let backlog: (() => Promise<Backlog>) | undefined;
  return {
    reachable: () => deps.queues.reachable(),
    backlog: () => (backlog ??= backlogReader(deps.queues.queue(EXECUTION_QUEUE)))(),
    jobMs: jobTimeReader(deps),
  };
}

/** Throws 503 EXECUTION_SERVICE_UNAVAILABLE (with retryAfter) when the queue cannot take more work in budget. */
export async function admitExecution(ctx: { config: Config; execution: { admission: ExecutionAdmission } }): Promise<void> {
  const r = ctx.execution.admission;
  ensureQueueReachable(r, 'EXECUTION');
  let backlog: Backlog;
  let jobMs: number;
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('backlog unknown')), READ_TIMEOUT_MS);
  });
  try {
    [backlog, jobMs] = await Promise.race([Promise.all([r.backlog(), r.jobMs()]), giveUp]);
  } catch {
    return; // cannot tell (Redis slow or down): the enqueue itself answers 503 if the queue is really unavailable
  } finally {
    clearTimeout(timer);
  }
  const slots = Math.max(1, backlog.workers) * ctx.config.EXECUTION_CONCURRENCY;
  const drainable = Math.floor((slots * ctx.config.EXECUTION_QUEUE_BUDGET_MS) / jobMs);
  if (backlog.waiting < drainable) return;
  const retryAfter = Math.max(1, Math.ceil(((backlog.waiting - drainable + 1) * jobMs) / slots / 1000));
  throw new ServiceUnavailableError('EXECUTION', 'The execution queue is full; retry later', {
    reason: 'queue_full',
    queued: backlog.waiting,
    retryAfter,
  });
}
