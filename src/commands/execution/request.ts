/**
 * POST /rooms/:id/run and /submit: append the requested event, wait until the read models show it (so the run and
 * its pending analysis row exist before any worker can finish them), then enqueue behind the queue breaker.
 *
 * A job that cannot be queued (503/504) completes its run or submission at once as failed (IE) — nothing is left
 * pending forever — and the error goes back to the client. An analysis job that cannot be queued is dropped and
 * answered as `staticAnalysisJobId: null`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { runDecider, runStream } from '../../domain/run/run.js';
import { internalFailure } from '../../domain/run/outcome.js';
import type { Decider, DomainEvent } from '../../domain/shared/decider.js';
import { DomainError } from '../../domain/shared/errors.js';
import { submissionDecider, submissionStream } from '../../domain/submission/submission.js';
import { isServiceError, ServiceUnavailableError, type ServiceError } from '../../infra/errors.js';
import { MAX_MEMORY_MB, MAX_TIMEOUT_MS } from '../../infra/sandbox/index.js';
import { findProblem, findTestCases, type ProblemRef, type TestCaseRef } from '../../projections/problems/queries.js';
import type { RoomAccess } from '../../projections/rooms/queries.js';
import type { Ports, WriteDeps } from '../ports.js';
import { handleCommand, type CommandResult } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { waitForProjections } from '../read-your-writes.js';
import { admitExecution } from './admission.js';
import {
  ANALYSIS_QUEUE,
  EXECUTION_QUEUE,
  analysisJobOptions,
  executionJobOptions,
  type AnalysisJob,
  type RunJob,
  type SubmissionJob,
  type SubmissionJobTest,
} from './jobs.js';

export const codeHash = (code: string) => createHash('sha256').update(code).digest('hex');

/** Caps of the limits a run may ask for: the configured ones, never above what the sandbox enforces. */
export function executionCaps(ctx: Pick<Ports, 'config'>): { maxTimeoutMs: number; maxMemoryMb: number } {
  return {
    maxTimeoutMs: Math.min(ctx.config.EXECUTION_MAX_TIMEOUT_MS, MAX_TIMEOUT_MS),
    maxMemoryMb: Math.min(ctx.config.EXECUTION_MAX_MEMORY_MB, MAX_MEMORY_MB),
  };
}

async function run<C, S, E extends DomainEvent>(
  ctx: WriteDeps,
  stream: string,
  decider: Decider<C, S, E>,
  command: C,
  metadata: RequestMetadata,
): Promise<CommandResult<S, E>> {
  const result = await handleCommand(ctx.store, stream, decider, command, metadata);
  await waitForProjections(
    { progress: ctx.progress, projections: ctx.projections, logger: ctx.logger, timeoutMs: ctx.config.READ_YOUR_WRITES_TIMEOUT_MS },
    result.position,
    result.events.map((e) => e.type),
  );
  return result;
}

/** Enqueues the analysis job; on failure drops it from the stream and answers null. */
async function enqueueAnalysis(
  ctx: Pick<Ports, 'execution' | 'logger' | 'queues'>,
  metadata: RequestMetadata,
  job: AnalysisJob,
  drop: (reason: string) => Promise<unknown>,
): Promise<string | null> {
  try {
    await ctx.execution.queueGuard(() => ctx.queues.queue(ANALYSIS_QUEUE).add('static-analysis', job, { ...analysisJobOptions, jobId: job.staticAnalysisJobId }));
    return job.staticAnalysisJobId;
  } catch (err) {
    ctx.logger.warn({ err, jobId: job.staticAnalysisJobId, traceId: metadata.traceId }, 'static analysis could not be queued');
    await drop(err instanceof Error ? err.message : String(err));
    return null;
  }
}

export interface RunRequest {
  language: string;
  code: string;
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  memoryMb?: number | undefined;
}

export async function requestRun(
  ctx: WriteDeps & Pick<Ports, 'execution' | 'queues'>,
  metadata: RequestMetadata,
  access: RoomAccess,
  userId: string,
  body: RunRequest,
): Promise<{ runId: string; staticAnalysisJobId: string | null }> {
  await admitExecution(ctx);
  const caps = executionCaps(ctx);
  const runId = randomUUID();
  const staticAnalysisJobId = randomUUID();
  const stream = runStream(runId);
  await run(ctx, stream, runDecider, {
    type: 'RequestRun',
    runId,
    roomId: access.room.id,
    sessionId: access.room.sessionId,
    userId,
    language: body.language,
    code: body.code,
    codeHash: codeHash(body.code),
    stdin: body.stdin ?? null,
    timeoutMs: Math.min(body.timeoutMs ?? ctx.config.EXECUTION_DEFAULT_TIMEOUT_MS, caps.maxTimeoutMs),
    memoryMb: Math.min(body.memoryMb ?? ctx.config.EXECUTION_DEFAULT_MEMORY_MB, caps.maxMemoryMb),
    staticAnalysisJobId,
    now: metadata.now.toISOString(),
  }, metadata);

  const job: RunJob = { kind: 'run', runId, traceId: metadata.traceId };
  try {
    await ctx.execution.queueGuard(() => ctx.queues.queue(EXECUTION_QUEUE).add('run-code', job, { ...executionJobOptions, jobId: runId }));
  } catch (err) {
    const reason = isServiceError(err) ? err.message : 'the execution queue is unavailable';
    const now = new Date();
    await run(ctx, stream, runDecider, { type: 'CompleteRun', outcome: internalFailure(`Could not queue the run: ${reason}`), now: now.toISOString() }, { ...metadata, now });
    throw queueError(err);
  }
  const analysis = await enqueueAnalysis(ctx, metadata, { staticAnalysisJobId, source: 'run', id: runId, traceId: metadata.traceId }, (reason) =>
    run(ctx, stream, runDecider, { type: 'DropStaticAnalysis', staticAnalysisJobId, reason }, metadata),
  );
  return { runId, staticAnalysisJobId: analysis };
}

/** A queue failure as the client sees it: the breaker's 503/504, or 503 for anything else the queue threw. */
function queueError(err: unknown): ServiceError {
  if (isServiceError(err)) return err;
  return new ServiceUnavailableError('EXECUTION', 'Service temporarily unavailable', { circuit: 'execution-queue', retryAfter: 10 });
}

export interface SubmissionTarget {
  problem: ProblemRef;
  tests: TestCaseRef[];
}

/** The room's problem and its test cases: 404 PROBLEM_NOT_FOUND (none, deleted, draft), 422 PROBLEM_NO_TEST_CASES. */
export async function submissionTarget(ctx: Pick<Ports, 'db'>, access: RoomAccess): Promise<SubmissionTarget> {
  const problemId = access.room.problemId;
  const notFound = () => new DomainError('PROBLEM_NOT_FOUND', 'Problem not found');
  if (!problemId) throw notFound();
  const problem = await findProblem(ctx.db, problemId, { includeDrafts: false });
  if (!problem || problem.deletedAt || !problem.isPublished) throw notFound();
  const tests = await findTestCases(ctx.db, problemId);
  if (tests.length === 0) throw new DomainError('PROBLEM_NO_TEST_CASES', 'The problem has no test cases');
  return { problem, tests };
}

/** Per test: its own limits, else the problem's, else the configured defaults; never above the caps. */
export function judgingLimits(ctx: Pick<Ports, 'config'>, target: SubmissionTarget): SubmissionJobTest[] {
  const caps = executionCaps(ctx);
  return target.tests.map((t, position) => ({
    index: position,
    input: t.input,
    expectedOutput: t.expectedOutput,
    timeoutMs: Math.min(t.timeoutMs ?? target.problem.timeLimitMs ?? ctx.config.EXECUTION_DEFAULT_TIMEOUT_MS, caps.maxTimeoutMs),
    memoryMb: Math.min(t.memoryMb ?? target.problem.memoryLimitMb ?? ctx.config.EXECUTION_DEFAULT_MEMORY_MB, caps.maxMemoryMb),
  }));
}

export async function requestSubmission(
  ctx: WriteDeps & Pick<Ports, 'execution' | 'queues'>,
  metadata: RequestMetadata,
  access: RoomAccess,
  target: SubmissionTarget,
  userId: string,
  body: { language: string; code: string },
): Promise<{ submissionId: string; staticAnalysisJobId: string | null }> {
  await admitExecution(ctx);
  const submissionId = randomUUID();
  const staticAnalysisJobId = randomUUID();
  const stream = submissionStream(submissionId);
  const tests = judgingLimits(ctx, target);
  await run(ctx, stream, submissionDecider, {
    type: 'RequestSubmission',
    submissionId,
    roomId: access.room.id,
    sessionId: access.room.sessionId,
    problemId: target.problem.id,
    userId,
    language: body.language,
    code: body.code,
    codeHash: codeHash(body.code),
    testCaseCount: tests.length,
    hiddenTestIndexes: target.tests.flatMap((t, position) => (t.isHidden ? [position] : [])),
    staticAnalysisJobId,
    now: metadata.now.toISOString(),
  }, metadata);

  const job: SubmissionJob = { kind: 'submission', submissionId, traceId: metadata.traceId, tests };
  try {
    await ctx.execution.queueGuard(() =>
      ctx.queues.queue(EXECUTION_QUEUE).add('judge-submission', job, { ...executionJobOptions, jobId: submissionId }),
    );
  } catch (err) {
    const reason = isServiceError(err) ? err.message : 'the execution queue is unavailable';
    const now = new Date();
    await run(ctx, stream, submissionDecider, { type: 'CompleteSubmission', now: now.toISOString(), failure: `Could not queue the submission: ${reason}` }, { ...metadata, now });
    throw queueError(err);
  }
  const analysis = await enqueueAnalysis(ctx, metadata, { staticAnalysisJobId, source: 'submission', id: submissionId, traceId: metadata.traceId }, (reason) =>
    run(ctx, stream, submissionDecider, { type: 'DropStaticAnalysis', staticAnalysisJobId, reason }, metadata),
  );
  return { submissionId, staticAnalysisJobId: analysis };
}
