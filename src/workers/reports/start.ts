/**
 * The report process manager of role `worker`:
 * - a live subscription to the event store reacts to SessionFinished (one job per candidate) and to
 *   PeerFeedbackSubmitted (a re-grade of the target's report, which now has peer feedback to summarise);
 * - the report queue's consumer grades (REPORT_CONCURRENCY at once);
 * - the sweeper finds reports still pending (a worker that was down when the session finished, a lost job) and
 *   enqueues them again; past its deadline it grades in place and, if even that fails, records the failure
 *   (sweep-kind.ts).
 * Several worker processes may run all three: job ids make the enqueues idempotent.
 */
import type { Job, Worker } from 'bullmq';
import { enqueueReport, enqueueSessionReports, REPORT_QUEUE, reportJobId, sessionCandidates, type ReportJob } from '../../commands/reports/jobs.js';
import type { AppContext } from '../../composition/context.js';
import { narratorOf } from './openai-narrator.js';
import { registerSweepKind } from '../sweeper/kinds.js';
import { failReportJob, processReportJob } from './processor.js';
import { reportSweepKind } from './sweep-kind.js';

// Pending reports are looked after by the sweeper (src/workers/sweeper), which runs in every worker process.
registerSweepKind(reportSweepKind);

export interface ReportWorkerOptions {
  /** react to events (default true) */
  reactor?: boolean;
}

async function react(ctx: AppContext, signal: AbortSignal, onLive: () => void): Promise<void> {
  const subscription = ctx.store.subscribeToAll({ fromPosition: 'end', filter: { on: 'eventType', prefixes: ['SessionFinished', 'PeerFeedbackSubmitted'] }, signal });
  for await (const message of subscription) {
    if (message.kind === 'caughtUp') onLive();
    if (message.kind !== 'event') continue;
    const e = message.event;
    try {
      if (e.type === 'SessionFinished' && e.streamName.startsWith('session-')) {
        await enqueueSessionReports(ctx, e.streamName.slice('session-'.length), e.position.commit);
      } else if (e.type === 'PeerFeedbackSubmitted') {
        const sessionId = String(e.data['sessionId'] ?? '');
        const targetId = String(e.data['targetId'] ?? '');
        if (!(await sessionCandidates(ctx, sessionId)).includes(targetId)) continue;
        const job: ReportJob = { sessionId, userId: targetId, reason: 'peer_feedback', position: e.position.commit.toString() };
        await enqueueReport(ctx, job, `${reportJobId(sessionId, targetId)}-feedback-${e.id}`);
      }
    } catch (err) {
      // The sweeper picks up what could not be enqueued now.
      ctx.logger.warn({ err: (err as Error).message, eventId: e.id, type: e.type }, 'report reactor could not enqueue');
    }
  }
}

export async function startReportWorker(ctx: AppContext, options: ReportWorkerOptions = {}): Promise<() => Promise<void>> {
  const narrator = narratorOf(ctx.config);
  const abort = new AbortController();
  const worker: Worker = await ctx.queues.worker(REPORT_QUEUE, (job) => processReportJob({ ctx, ...(narrator ? { narrator } : {}) }, job as Job<ReportJob>), {
    concurrency: ctx.config.REPORT_CONCURRENCY,
    lockDuration: 60_000,
  });
  worker.on('failed', (job, err) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return; // BullMQ retries it
    failReportJob(ctx, job as Job<ReportJob>, err).catch((e: Error) => ctx.logger.error({ jobId: job.id, err: e.message }, 'could not record a failed report'));
  });
  await worker.waitUntilReady();
  let reactor: Promise<void> = Promise.resolve();
  if (options.reactor !== false) {
    let markLive: () => void = () => undefined;
    const live = new Promise<void>((resolve) => (markLive = resolve));
    const loop = async () => {
      while (!abort.signal.aborted) {
        await react(ctx, abort.signal, markLive).catch((err: Error) => ctx.logger.warn({ err: err.message }, 'report reactor restarting'));
        if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    reactor = loop();
    // Start once the subscription is live (bounded: the sweep covers anything missed meanwhile).
    await Promise.race([live, new Promise((r) => setTimeout(r, 3000).unref())]);
  }
  return async () => {
    abort.abort();
    await reactor;
    await worker.close();
    (worker.opts.connection as { disconnect?: () => void }).disconnect?.();
  };
}
