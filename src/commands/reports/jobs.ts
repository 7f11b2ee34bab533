/**
 * The report queue: one job per (session, candidate), its id derived from both, so a replayed SessionFinished or a
 * retried enqueue never grades twice. A re-grade after peer feedback arrives uses an id of its own (the first job
 * may be long finished and still remembered under its id).
 */
import type { JobsOptions } from 'bullmq';
import { candidatesOf, roleSpans } from '../../domain/report/segments.js';
import type { Ports } from '../ports.js';
import { sessionStreamEvents } from './inputs.js';

export const REPORT_QUEUE = 'reports.generate';

export interface ReportJob {
  sessionId: string;
  userId: string;
  /** global position of the triggering event: the worker waits for the read models to pass it */
  position?: string;
  reason: 'session_finished' | 'peer_feedback' | 'sweep';
}

export const reportJobId = (sessionId: string, userId: string) => `report-${sessionId}-${userId}`;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const JOB_ID = new RegExp(`^report-(${UUID})-(${UUID})$`, 'i');

export function parseReportJobId(id: string): { sessionId: string; userId: string } | null {
  const m = JOB_ID.exec(id);
  return m ? { sessionId: m[1]!, userId: m[2]! } : null;
}

export const reportJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { count: 5000, age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export async function enqueueReport(ctx: Pick<Ports, 'queues'>, job: ReportJob, jobId = reportJobId(job.sessionId, job.userId)): Promise<void> {
  await ctx.queues.queue(REPORT_QUEUE).add('grade', job, { ...reportJobOptions, jobId });
}

/** Everyone who was a candidate of the session at any time (late joiners and role swaps included). */
export async function sessionCandidates(ctx: Pick<Ports, 'store'>, sessionId: string): Promise<string[]> {
  const events = await sessionStreamEvents(ctx.store, sessionId);
  const finished = events.find((e) => e.type === 'SessionFinished');
  return candidatesOf(roleSpans(events, finished ? String(finished.data['finishedAt']) : new Date(0).toISOString()));
}

/** Reaction to SessionFinished: one job per candidate. */
export async function enqueueSessionReports(ctx: Pick<Ports, 'logger' | 'queues' | 'store'>, sessionId: string, position?: bigint): Promise<string[]> {
  const candidates = await sessionCandidates(ctx, sessionId);
  if (candidates.length === 0) ctx.logger.info({ sessionId }, 'session had no candidate: no report');
  for (const userId of candidates) {
    await enqueueReport(ctx, { sessionId, userId, reason: 'session_finished', ...(position !== undefined ? { position: position.toString() } : {}) });
  }
  return candidates;
}
