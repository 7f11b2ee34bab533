/**
 * The static-analysis worker (queue `execution.static-analysis`): reads the code from the run's or submission's
 * stream, analyses it (src/infra/analysis: linters as trusted tools outside the sandbox, with timeouts; complexity
 * and duplication measured here) and appends StaticAnalysisCompleted through the command handler. Any failure
 * ends the analysis as `failed` with the reason, so no row stays pending.
 */
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { AnalysisJob } from '../../commands/execution/jobs.js';
import { completeStaticAnalysis, readRun, readSubmission } from '../../commands/execution/results.js';
import type { RequestMetadata } from '../../commands/metadata.js';
import { analyzeCode, failedAnalysis } from '../../infra/analysis/index.js';
import type { AppContext } from '../../composition/context.js';

export async function processAnalysisJob(ctx: AppContext, job: Job<AnalysisJob>): Promise<{ status: string }> {
  const { staticAnalysisJobId, source, id, traceId } = job.data;
  const meta: RequestMetadata = { actorId: null, traceId: randomUUID(), correlationId: traceId, causationId: null, ip: null, now: new Date() };
  const current = source === 'run' ? await readRun(ctx.store, id) : await readSubmission(ctx.store, id);
  const s = current.state;
  if (!current.exists || s.analysis.jobId !== staticAnalysisJobId || s.analysis.status !== 'pending') return { status: 'skipped' };

  let report;
  try {
    report = await analyzeCode({ language: s.language!, code: s.code!, timeoutMs: ctx.config.ANALYSIS_TOOL_TIMEOUT_MS });
  } catch (err) {
    ctx.logger.error({ err, staticAnalysisJobId }, 'static analysis failed');
    report = failedAnalysis(`Internal error: ${(err as Error).message}`);
  }
  await completeStaticAnalysis(ctx.store, meta, source, id, staticAnalysisJobId, report);
  return { status: report.status };
}
