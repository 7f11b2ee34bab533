/**
 * The execution plane's queues and job payloads (producers: the run/submit handlers; consumers: src/workers).
 * Job id = run id, submission id or analysis id, so enqueueing twice queues one job. Jobs carry ids only, except
 * a submission's test cases, which are snapshotted when it is made (an edit of the problem afterwards does not
 * change what it is judged against).
 */
import type { JobsOptions } from 'bullmq';
import { defaultJobOptions } from '../../infra/queue/bullmq.js';

export const EXECUTION_QUEUE = 'execution.run-code';
export const ANALYSIS_QUEUE = 'execution.static-analysis';
export const RETENTION_QUEUE = 'execution.retention';

export interface RunJob {
  kind: 'run';
  runId: string;
  /** Trace id of the request, carried into the worker's events as their correlation id. */
  traceId: string;
}

export interface SubmissionJobTest {
  index: number;
  input: string;
  expectedOutput: string;
  timeoutMs: number;
  memoryMb: number;
}

export interface SubmissionJob {
  kind: 'submission';
  submissionId: string;
  traceId: string;
  tests: SubmissionJobTest[];
}

export type ExecutionJob = RunJob | SubmissionJob;

export interface AnalysisJob {
  staticAnalysisJobId: string;
  source: 'run' | 'submission';
  /** The run or submission id (its stream holds the code). */
  id: string;
  traceId: string;
}

/** Three attempts with exponential backoff; a job whose worker died is picked up again by the stalled-job check. */
export const executionJobOptions: JobsOptions = { ...defaultJobOptions };

export const analysisJobOptions: JobsOptions = { ...defaultJobOptions, attempts: 2 };
