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

const now = () => new Date().toISOString();

export const readRun = (store: EventStore, runId: string) => readAggregate(store, runStream(runId), runDecider);
export const readSubmission = (store: EventStore, submissionId: string) =>
  readAggregate(store, submissionStream(submissionId), submissionDecider);

export const startRun = (store: EventStore, meta: RequestMetadata, runId: string, attempt: number) =>
  handleCommand(store, runStream(runId), runDecider, { type: 'StartRun', attempt, now: now() }, meta);

export const completeRun = (store: EventStore, meta: RequestMetadata, runId: string, outcome: ExecutionOutcome) =>
  handleCommand(store, runStream(runId), runDecider, { type: 'CompleteRun', outcome, now: now() }, meta);

export const startSubmission = (store: EventStore, meta: RequestMetadata, submissionId: string, attempt: number) =>
  handleCommand(store, submissionStream(submissionId), submissionDecider, { type: 'StartSubmission', attempt, now: now() }, meta);

export const recordJudgedTests = (store: EventStore, meta: RequestMetadata, submissionId: string, results: JudgedTest[]) =>
  handleCommand(store, submissionStream(submissionId), submissionDecider, { type: 'JudgeTests', results }, meta);

export const completeSubmission = (
  store: EventStore,
  meta: RequestMetadata,
  submissionId: string,
  outcome: { compile?: CompileInfo; failure?: string },
) => handleCommand(store, submissionStream(submissionId), submissionDecider, { type: 'CompleteSubmission', now: now(), ...outcome }, meta);

export async function completeStaticAnalysis(
  store: EventStore,
  meta: RequestMetadata,
  source: 'run' | 'submission',
  id: string,
  staticAnalysisJobId: string,
  report: AnalysisReport,
): Promise<void> {
  const command = { type: 'CompleteStaticAnalysis' as const, staticAnalysisJobId, report, now: now() };
  if (source === 'run') await handleCommand(store, runStream(id), runDecider, command, meta);
  else await handleCommand(store, submissionStream(id), submissionDecider, command, meta);
}
