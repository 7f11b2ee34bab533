/**
 * The report job: wait (bounded) until the read models the grader reads have passed the triggering event, grade,
 * record. A job BullMQ gives up on records SessionReportFailed, so no report stays pending for ever.
 */
import type { Job } from 'bullmq';
import { generateReport, recordReportFailure, type ReportNarrator } from '../../commands/reports/generate.js';
import { SessionNotGradableError } from '../../commands/reports/inputs.js';
import type { ReportJob } from '../../commands/reports/jobs.js';
import type { AppContext } from '../../composition/context.js';

/** The read models the grader reads (they must have caught up with the finish before grading). */
export const GRADER_READ_MODELS = ['sessions', 'session-timeline', 'runs', 'submissions', 'static-analysis', 'session-reports'];
const CATCH_UP_TIMEOUT_MS = 10_000;

export interface ReportWorkerDeps {
  ctx: AppContext;
  narrator?: ReportNarrator;
}

export async function processReportJob(deps: ReportWorkerDeps, job: Job<ReportJob>): Promise<{ recorded: boolean; model: string } | { skipped: string }> {
  const { ctx } = deps;
  const { sessionId, userId, position } = job.data;
  if (position) {
    const names = GRADER_READ_MODELS.filter((n) => ctx.projections.some((p) => p.name === n));
    const reached = await ctx.progress.waitFor(BigInt(position), names, CATCH_UP_TIMEOUT_MS);
    if (!reached) ctx.logger.warn({ sessionId, userId, position }, 'report job: read models still behind the finish; grading anyway');
  }
  try {
    const outcome = await generateReport(ctx, sessionId, userId, { ...(deps.narrator ? { narrator: deps.narrator } : {}), causationId: job.id ?? null });
    return { recorded: outcome.recorded, model: outcome.model };
  } catch (err) {
    if (err instanceof SessionNotGradableError) {
      ctx.logger.info({ sessionId, userId, reason: err.message }, 'report job skipped');
      return { skipped: err.message };
    }
    throw err;
  }
}

/** After the last attempt failed: the candidate gets a failed report instead of a pending one. */
export async function failReportJob(ctx: AppContext, job: Job<ReportJob>, err: Error): Promise<void> {
  await recordReportFailure(ctx, job.data.sessionId, job.data.userId, `Grading failed: ${err.message}`);
}
