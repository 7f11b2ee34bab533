/**
 * The execution plane of role `worker`: the run/submission queue (EXECUTION_CONCURRENCY jobs at once) and the
 * static-analysis queue (ANALYSIS_CONCURRENCY). The hourly output-retention sweep is a scheduled job
 * (src/workers/scheduler/schedule.ts).
 *
 * A worker process that dies mid-job (kill -9) stops renewing the job's lock; after `lockDurationMs` another
 * worker's stalled-job check (every `stalledIntervalMs`) puts the job back in the queue, and the deciders make
 * the second processing finish the work exactly once.
 */
import type { Job, Worker } from 'bullmq';
import { ANALYSIS_QUEUE, EXECUTION_QUEUE, type AnalysisJob, type ExecutionJob } from '../../commands/execution/jobs.js';
import { closeSandboxesAhead, probeSandbox } from '../../infra/sandbox/index.js';
import type { AppContext } from '../../composition/context.js';
import { processAnalysisJob } from '../analysis/processor.js';
import { completeAbandoned, processExecutionJob } from './processor.js';

export interface ExecutionWorkerOptions {
  /** How long a job stays owned by a worker that stopped renewing its lock. */
  lockDurationMs?: number;
  /** How often stalled jobs (lock expired) are looked for. */
  stalledIntervalMs?: number;
  /** Start the static-analysis consumer (default true). */
  analysis?: boolean;
}

export async function startExecutionWorker(ctx: AppContext, options: ExecutionWorkerOptions = {}): Promise<() => Promise<void>> {
  const probe = await probeSandbox();
  if (probe.available) ctx.logger.info({ cgroup: probe.cgroup }, 'execution worker: sandbox available');
  else ctx.logger.error({ reason: probe.reason }, 'execution worker: sandbox UNAVAILABLE — every job completes as failed (IE) until it is fixed');

  const lockDuration = options.lockDurationMs ?? ctx.config.EXECUTION_JOB_LOCK_MS;
  const stalledInterval = options.stalledIntervalMs ?? ctx.config.EXECUTION_STALLED_CHECK_MS;
  const workers: Worker[] = [];
  const deps = { store: ctx.store, logger: ctx.logger };

  const execution = await ctx.queues.worker(EXECUTION_QUEUE, (job) => processExecutionJob(deps, job as Job<ExecutionJob>), {
    concurrency: ctx.config.EXECUTION_CONCURRENCY,
    lockDuration,
    stalledInterval,
    maxStalledCount: 2,
  });
  execution.on('failed', (job, err) => {
    const attempts = job?.opts.attempts ?? 1;
    if (!job || (job.attemptsMade < attempts && !/stalled/i.test(err.message))) return; // BullMQ will retry it
    completeAbandoned(deps, job as Job<ExecutionJob>, err).catch((e: Error) =>
      ctx.logger.error({ jobId: job.id, err: e.message }, 'could not complete an abandoned execution job'),
    );
  });
  workers.push(execution);
  if (options.analysis !== false) {
    workers.push(
      await ctx.queues.worker(ANALYSIS_QUEUE, (job) => processAnalysisJob(ctx, job as Job<AnalysisJob>), {
        concurrency: ctx.config.ANALYSIS_CONCURRENCY,
        lockDuration,
        stalledInterval,
        maxStalledCount: 2,
      }),
    );
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  for (const w of workers) {
    w.on('failed', (job, err) => ctx.logger.warn({ queue: w.name, jobId: job?.id, err: err.message }, 'job attempt failed'));
  }
  return async () => {
    await Promise.all(
      workers.map(async (w) => {
        await w.close();
        // The queue factory hands each worker a connection of its own that closing the worker leaves open.
        const connection = w.opts.connection as { disconnect?: () => void };
        connection.disconnect?.();
      }),
    );
    // No job runs any more: the sandboxes and the launcher started ahead for the next runs go, with their cgroups.
    await closeSandboxesAhead();
  };
}
