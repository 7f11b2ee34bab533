/**
 * The worker side of the run and submission aggregates: record starts, judged tests, completions and analyses.
 * Each is one decider command, so a duplicated or retried job decides nothing twice.
 */
import type { ExecutionOutcome } from '../../domain/run/outcome.js';
import { runDecider, runStream } from '../../domain/run/run.js';
import type { AnalysisReport } from '../../domain/run/static-analysis.js';
import {
  submissionDecider,
  submissionStream,
  type CompileInfo,
  type JudgedTest,
} from '../../domain/submission/submission.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { handleCommand, readAggregate } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';

/** Each command happens now: its events' `occurredAt` and its own time fields agree, whenever the job started. */
function at(meta: RequestMetadata): { meta: RequestMetadata; now: string } {
  const now = new Date();
  return { meta: { ...meta, now }, now: now.toISOString() };
}

export const readRun = (store: EventStore, runId: string) => readAggregate(store, runStream(runId), runDecider);
export const readSubmission = (store: EventStore, submissionId: string) =>
  readAggregate(store, submissionStream(submissionId), submissionDecider);

export function startRun(store: EventStore, meta: RequestMetadata, runId: string, attempt: number) {
  const t = at(meta);
  return handleCommand(store, runStream(runId), runDecider, { type: 'StartRun', attempt, now: t.now }, t.meta);
}

export function completeRun(store: EventStore, meta: RequestMetadata, runId: string, outcome: ExecutionOutcome) {
  const t = at(meta);
  return handleCommand(store, runStream(runId), runDecider, { type: 'CompleteRun', outcome, now: t.now }, t.meta);
}

export function startSubmission(store: EventStore, meta: RequestMetadata, submissionId: string, attempt: number) {
  const t = at(meta);
  return handleCommand(store, submissionStream(submissionId), submissionDecider, { type: 'StartSubmission', attempt, now: t.now }, t.meta);
}

export function recordJudgedTests(store: EventStore, meta: RequestMetadata, submissionId: string, results: JudgedTest[]) {
  return handleCommand(store, submissionStream(submissionId), submissionDecider, { type: 'JudgeTests', results }, at(meta).meta);
}

export function completeSubmission(
  store: EventStore,
  meta: RequestMetadata,
  submissionId: string,
  outcome: { compile?: CompileInfo; failure?: string },
) {
  const t = at(meta);
  return handleCommand(store, submissionStream(submissionId), submissionDecider, { type: 'CompleteSubmission', now: t.now, ...outcome }, t.meta);
}

export async function completeStaticAnalysis(
  store: EventStore,
  meta: RequestMetadata,
  source: 'run' | 'submission',
  id: string,
  staticAnalysisJobId: string,
  report: AnalysisReport,
): Promise<void> {
  const t = at(meta);
  const command = { type: 'CompleteStaticAnalysis' as const, staticAnalysisJobId, report, now: t.now };
  if (source === 'run') await handleCommand(store, runStream(id), runDecider, command, t.meta);
  else await handleCommand(store, submissionStream(id), submissionDecider, command, t.meta);
}
