/**
 * The AI plane of role `worker`: one BullMQ worker per realtime AI queue (hints, interviewer turns, code analyses,
 * reviews), all sharing the process's AI slots (src/workers/ai/slots.ts) so realtime work goes ahead of batch work.
 * A job that fails its last attempt completes its request as failed.
 */
import type { Job, Worker } from 'bullmq';
import { AI_REALTIME_QUEUES, type AiJob } from '../../commands/ai/jobs.js';
import type { AppContext } from '../../composition/context.js';
import { failAbandoned, processAiJob } from './processor.js';
import { registerAiSweepKinds } from './sweep.js';

registerAiSweepKinds();

export interface AiWorkerOptions {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export async function startAiWorker(ctx: AppContext, options: AiWorkerOptions = {}): Promise<() => Promise<void>> {
  const slots = ctx.ai.slots;
  const workers: Worker[] = await Promise.all(AI_REALTIME_QUEUES.map(async (queue) => {
    const worker = await ctx.queues.worker(queue, (job) => slots.run('realtime', () => processAiJob(ctx, job as Job<AiJob>)), {
      concurrency: ctx.config.AI_MAX_CONCURRENT_TASKS,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 15_000,
      maxStalledCount: 2,
    });
    worker.on('failed', (job, err) => {
      ctx.logger.warn({ queue, jobId: job?.id, err: err.message }, 'AI job attempt failed');
      if (!job || (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(err.message))) return;
      failAbandoned(ctx, job as Job<AiJob>, err).catch((e: Error) => ctx.logger.error({ jobId: job.id, err: e.message }, 'could not fail an abandoned AI job'));
    });
    return worker;
  }));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  ctx.logger.info({ provider: ctx.config.LLM_PROVIDER, queues: AI_REALTIME_QUEUES }, 'AI worker started');
  return async () => {
    await Promise.all(
      workers.map(async (w) => {
        await w.close();
        const connection = w.opts.connection as { disconnect?: () => void };
        connection.disconnect?.();
      }),
    );
  };
}
