/**
 * The sweeper: the event store is the truth about requested work, the queue only carries it out. Work that is
 * still unfinished some time after it was requested is checked against its queue job (job id = work id):
 * - the job is waiting, delayed or active → left alone (a killed worker's job comes back by BullMQ's stall check);
 * - the job is gone (Redis restarted without persistence, an enqueue that never arrived) or finished without
 *   finishing the work → the job is rebuilt from the events and enqueued again (idempotent: same job id; a worker
 *   skips work that is already finished, so a duplicate does nothing);
 * - the work is past its deadline → it is failed through its command handler with the reason, so the user sees a
 *   failed result instead of a submission pending forever.
 */
import type { AppContext } from '../../composition/context.js';
import { runSweepKind, submissionSweepKind } from './execution.js';
import { registerSweepKind, sweepKinds } from './kinds.js';

registerSweepKind(runSweepKind);
registerSweepKind(submissionSweepKind);

const QUEUED_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const BATCH = 200;

export interface SweepResult {
  requeued: string[];
  failed: string[];
  /** Unfinished work whose job is still in the queue. */
  queued: number;
}

export async function sweepLostWork(ctx: AppContext, now = new Date()): Promise<SweepResult> {
  const result: SweepResult = { requeued: [], failed: [], queued: 0 };
  const graceBefore = new Date(now.getTime() - ctx.config.SWEEPER_GRACE_MS);
  const deadlineMs = ctx.config.SWEEPER_DEADLINE_MS;
  for (const kind of sweepKinds()) {
    const queue = ctx.queues.queue(kind.queue);
    for (const work of await kind.findUnfinished(ctx, graceBefore, BATCH)) {
      try {
        if (now.getTime() - work.requestedAt.getTime() >= deadlineMs) {
          await kind.fail(ctx, work.id, `Internal error: not finished within ${Math.round(deadlineMs / 1000)} s of the request`);
          await (await queue.getJob(work.id))?.remove().catch(() => undefined); // an active job is locked; its worker skips finished work
          result.failed.push(`${kind.name}:${work.id}`);
          continue;
        }
        const job = await queue.getJob(work.id);
        if (job && QUEUED_STATES.has(await job.getState())) {
          result.queued++;
          continue;
        }
        const rebuilt = await kind.jobFor(ctx, work.id);
        if (!rebuilt) continue;
        await job?.remove();
        await queue.add(rebuilt.name, rebuilt.data, rebuilt.opts);
        result.requeued.push(`${kind.name}:${work.id}`);
      } catch (err) {
        ctx.logger.warn({ err: (err as Error).message, kind: kind.name, id: work.id }, 'sweeper could not handle unfinished work');
      }
    }
  }
  if (result.requeued.length + result.failed.length > 0) ctx.logger.warn(result, 'sweeper re-enqueued or failed lost work');
  return result;
}
