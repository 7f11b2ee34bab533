/**
 * The execution worker's processors: run code in the sandbox and append the outcome through the run and
 * submission command handlers (never touching a read model).
 *
 * Safe to process a job more than once (BullMQ retries it, a worker killed mid-job leaves it to the stalled-job
 * check): a completed run or submission is left alone, and a submission resumes with the tests not judged yet.
 * Fail closed: when the sandbox is unavailable, the work completes as failed (IE) with the reason; it never runs
 * unsandboxed. Other errors (event store, Redis) are retried; the last attempt completes the work as IE.
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import {
  completeRun,
  completeSubmission,
  readRun,
  readSubmission,
  recordJudgedTests,
  startRun,
  startSubmission,
} from '../../commands/execution/results.js';
import type { ExecutionJob, RunJob, SubmissionJob } from '../../commands/execution/jobs.js';
import type { RequestMetadata } from '../../commands/metadata.js';
import { internalFailure, type ExecutionOutcome } from '../../domain/run/outcome.js';
import { testVerdictOf, type JudgedTest } from '../../domain/submission/submission.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import {
  compile,
  executeRun,
  isLanguage,
  outputMatches,
  probeSandbox,
  release,
  runProgram,
  SandboxUnavailableError,
  type ExecutionResult,
  type RunResult,
} from '../../infra/sandbox/index.js';
import type { Logger } from 'pino';

/** Judged tests are appended at most this often (and once at the end), so long submissions show progress. */
const FLUSH_EVERY_MS = 1000;
/** Error text kept per test (a compiler can print a lot). */
const MAX_ERROR_CHARS = 8192;

export interface ProcessorDeps {
  store: EventStore;
  logger: Logger;
}

export interface ProcessResult {
  status: string;
  /** The work was already complete when this job ran (a retried or duplicated job). */
  duplicate?: boolean;
}

function metadataOf(job: Job<ExecutionJob>): RequestMetadata {
  return { actorId: null, traceId: randomUUID(), correlationId: job.data.traceId, causationId: null, ip: null, now: new Date() };
}

/** Program output as it can be stored: JSON in Postgres (jsonb, text) cannot hold NUL, shown as U+FFFD instead. */
const storable = (s: string) => (s.includes('\u0000') ? s.split('\u0000').join('\uFFFD') : s);
const clip = (s: string) => storable(s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}\n… (truncated)` : s);

function outcomeOf(r: RunResult): ExecutionOutcome {
  return {
    status: r.status,
    verdict: r.verdictHint,
    stdout: storable(r.stdout),
    stderr: storable(r.stderr),
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    cpuTimeMs: r.cpuTimeMs,
    memoryUsageMb: r.memoryUsageMb,
    timedOut: r.timedOut,
    outputTruncated: r.outputTruncated,
    compileDurationMs: r.compileDurationMs,
    error: r.error ? clip(r.error) : null,
  };
}

const attemptOf = (job: Job) => job.attemptsMade + 1;
const isLastAttempt = (job: Job) => attemptOf(job) >= (job.opts.attempts ?? 1);

export async function processRun(deps: ProcessorDeps, job: Job<ExecutionJob>, data: RunJob): Promise<ProcessResult> {
  const meta = metadataOf(job);
  const current = await readRun(deps.store, data.runId);
  if (!current.exists) throw new UnrecoverableError(`run ${data.runId} does not exist`);
  const s = current.state;
  if (s.status === 'completed' || s.status === 'failed') return { status: s.status, duplicate: true };
  await startRun(deps.store, meta, data.runId, attemptOf(job));

  let outcome: ExecutionOutcome;
  try {
    outcome = outcomeOf(
      await executeRun({ language: s.language!, code: s.code!, stdin: s.stdin ?? '', timeoutMs: s.timeoutMs!, memoryMb: s.memoryMb! }),
    );
  } catch (err) {
    if (!(err instanceof SandboxUnavailableError)) throw err;
    deps.logger.error({ runId: data.runId, reason: err.message }, 'sandbox unavailable: run refused');
    outcome = internalFailure(err.message);
  }
  const done = await completeRun(deps.store, meta, data.runId, outcome);
  return { status: done.state.status, duplicate: done.events.length === 0 };
}

function judged(index: number, run: ExecutionResult, expectedOutput: string): JudgedTest {
  return {
    testCaseIndex: index,
    verdict: testVerdictOf(run.verdictHint, outputMatches(run.stdout, expectedOutput)),
    stdout: storable(run.stdout),
    stderr: storable(run.stderr),
    exitCode: run.exitCode,
    signal: run.signal,
    durationMs: run.durationMs,
    cpuTimeMs: run.cpuTimeMs,
    memoryUsageMb: run.memoryUsageMb,
    timedOut: run.timedOut,
    outputTruncated: run.outputTruncated,
    expectedOutput,
    errorMessage: run.error ? clip(run.error) : null,
  };
}

function notRun(index: number, verdict: 'CE', expectedOutput: string, stderr: string, error: string): JudgedTest {
  return {
    testCaseIndex: index,
    verdict,
    stdout: '',
    stderr: clip(stderr),
    exitCode: null,
    signal: null,
    durationMs: null,
    cpuTimeMs: null,
    memoryUsageMb: null,
    timedOut: false,
    outputTruncated: false,
    expectedOutput,
    errorMessage: clip(error),
  };
}

/**
 * Compile once, judge every test not judged yet against the artifact, in index order.
 * Judged tests are appended in batches, so a worker that dies mid-submission loses at most one batch of work.
 */
export async function processSubmission(deps: ProcessorDeps, job: Job<ExecutionJob>, data: SubmissionJob): Promise<ProcessResult> {
  const meta = metadataOf(job);
  const current = await readSubmission(deps.store, data.submissionId);
  if (!current.exists) throw new UnrecoverableError(`submission ${data.submissionId} does not exist`);
  const s = current.state;
  if (s.status === 'completed' || s.status === 'failed') return { status: s.status, duplicate: true };
  await startSubmission(deps.store, meta, data.submissionId, attemptOf(job));
  const complete = async (outcome: Parameters<typeof completeSubmission>[3]) => {
    const done = await completeSubmission(deps.store, meta, data.submissionId, outcome);
    return { status: done.state.status, duplicate: done.events.length === 0 };
  };

  const pending = data.tests.filter((t) => !(t.index in s.judged)).sort((a, b) => a.index - b.index);
  if (pending.length === 0) return complete({});
  const language = s.language!;
  if (!isLanguage(language)) return complete({ failure: `Unsupported language: ${language}` });

  try {
    const probe = await probeSandbox();
    if (!probe.available) throw new SandboxUnavailableError(probe.reason ?? 'unknown reason');
    const built = await compile(language, s.code!);
    if (!built.ok) {
      if (built.verdict === 'IE') return complete({ failure: built.error });
      await recordJudgedTests(deps.store, meta, data.submissionId, pending.map((t) => notRun(t.index, 'CE', t.expectedOutput, built.stderr, built.error)));
      return complete({ compile: { ok: false, durationMs: Math.round(built.durationMs), error: clip(built.error) } });
    }
    try {
      let batch: JudgedTest[] = [];
      let flushedAt = performance.now();
      for (const test of pending) {
        const run = await runProgram(built.artifact, { stdin: test.input, timeoutMs: test.timeoutMs, memoryMb: test.memoryMb });
        batch.push(judged(test.index, run, test.expectedOutput));
        if (performance.now() - flushedAt >= FLUSH_EVERY_MS) {
          await recordJudgedTests(deps.store, meta, data.submissionId, batch);
          batch = [];
          flushedAt = performance.now();
        }
      }
      if (batch.length > 0) await recordJudgedTests(deps.store, meta, data.submissionId, batch);
    } finally {
      await release(built.artifact);
    }
    return complete({ compile: { ok: true, durationMs: Math.round(built.durationMs), error: null } });
  } catch (err) {
    if (!(err instanceof SandboxUnavailableError)) throw err;
    deps.logger.error({ submissionId: data.submissionId, reason: err.message }, 'sandbox unavailable: submission refused');
    return complete({ failure: err.message });
  }
}

/** Routes a job to its processor; on the last attempt an unexpected error completes the work as IE. */
export async function processExecutionJob(deps: ProcessorDeps, job: Job<ExecutionJob>): Promise<ProcessResult> {
  const data = job.data;
  try {
    return data.kind === 'run' ? await processRun(deps, job, data) : await processSubmission(deps, job, data);
  } catch (err) {
    if (err instanceof UnrecoverableError || !isLastAttempt(job)) throw err;
    const reason = `Internal error after ${attemptOf(job)} attempts: ${(err as Error).message}`;
    deps.logger.error({ err, jobId: job.id }, 'execution job failed for good');
    const meta = metadataOf(job);
    if (data.kind === 'run') await completeRun(deps.store, meta, data.runId, internalFailure(reason));
    else await completeSubmission(deps.store, meta, data.submissionId, { failure: reason });
    return { status: 'failed' };
  }
}

/**
 * A job BullMQ gave up on without our processor finishing it — stalled too often (a worker process died each time
 * it ran it), or out of attempts — completes its run or submission as failed (IE), so nothing stays pending.
 * Work that is already complete, or that never existed, is left as it is.
 */
export async function completeAbandoned(deps: ProcessorDeps, job: Job<ExecutionJob>, err: Error): Promise<boolean> {
  if (err instanceof UnrecoverableError || /does not exist/.test(err.message)) return false;
  const reason = `Internal error: the job was abandoned (${err.message})`;
  const meta = metadataOf(job);
  const data = job.data;
  const done = data.kind === 'run' ? await completeRun(deps.store, meta, data.runId, internalFailure(reason)) : await completeSubmission(deps.store, meta, data.submissionId, { failure: reason });
  return done.events.length > 0;
}
