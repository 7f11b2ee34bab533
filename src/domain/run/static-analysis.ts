/**
 * Static analysis of a run's or a submission's code. It has no stream of its own: the analysis job
 * id is handed out with the RunRequested / SubmissionRequested event, and its outcome is appended to the same
 * `run-<id>` / `submission-<id>` stream, so the owner, room and code are never duplicated and the row exists
 * (pending) before the job can finish. Both deciders delegate here.
 */
import type { DomainEvent } from '../shared/decider.js';

export type AnalysisSeverity = 'error' | 'warning' | 'info';
export type AnalysisToolStatus = 'completed' | 'failed' | 'skipped';

export interface AnalysisDiagnostic {
  tool: string;
  rule: string | null;
  severity: AnalysisSeverity;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
}

export interface AnalysisComplexity {
  tool: string;
  functionName: string;
  file: string | null;
  startLine: number;
  endLine: number | null;
  cyclomaticComplexity: number;
}

export interface AnalysisDuplication {
  tool: string;
  lines: number;
  tokens: number | null;
  occurrences: Array<{ file: string | null; startLine: number; endLine: number | null }>;
}

export interface AnalysisToolResult {
  tool: string;
  status: AnalysisToolStatus;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  error?: string;
}

export interface AnalysisSummary {
  diagnosticCount: number;
  errorCount: number;
  warningCount: number;
  maxCyclomaticComplexity: number | null;
  highComplexityCount: number;
  duplicationCount: number;
  toolFailureCount: number;
}

/** What an analysis found (the API's result shape without the request fields). */
export interface AnalysisReport {
  status: 'completed' | 'failed';
  summary: AnalysisSummary;
  diagnostics: AnalysisDiagnostic[];
  complexity: AnalysisComplexity[];
  duplications: AnalysisDuplication[];
  toolResults: AnalysisToolResult[];
  error: string | null;
}

export type StaticAnalysisCompleted = DomainEvent<
  'StaticAnalysisCompleted',
  AnalysisReport & { staticAnalysisJobId: string; completedAt: string }
>;
/** The analysis job could not be queued: the row goes away and the client was answered `staticAnalysisJobId: null`. */
export type StaticAnalysisDropped = DomainEvent<'StaticAnalysisDropped', { staticAnalysisJobId: string; reason: string }>;
export type AnalysisEvent = StaticAnalysisCompleted | StaticAnalysisDropped;

export type AnalysisCommand =
  | { type: 'CompleteStaticAnalysis'; staticAnalysisJobId: string; report: AnalysisReport; now: string }
  | { type: 'DropStaticAnalysis'; staticAnalysisJobId: string; reason: string };

export type AnalysisStatus = 'none' | 'pending' | 'completed' | 'failed' | 'dropped';

export interface AnalysisState {
  jobId: string | null;
  status: AnalysisStatus;
}

export const noAnalysis = (): AnalysisState => ({ jobId: null, status: 'none' });
export const pendingAnalysis = (jobId: string | null): AnalysisState => (jobId ? { jobId, status: 'pending' } : noAnalysis());

export function evolveAnalysis(state: AnalysisState, event: AnalysisEvent): AnalysisState {
  if (event.type === 'StaticAnalysisCompleted') return { ...state, status: event.data.status };
  return { ...state, status: 'dropped' };
}

/**
 * An analysis ends once: a second completion (a retried job) or a completion after the job was dropped decides
 * nothing, and so does a job id this stream never handed out.
 */
export function decideAnalysis(command: AnalysisCommand, state: AnalysisState): AnalysisEvent[] {
  if (state.jobId === null || command.staticAnalysisJobId !== state.jobId || state.status !== 'pending') return [];
  if (command.type === 'DropStaticAnalysis') {
    return [{ type: 'StaticAnalysisDropped', data: { staticAnalysisJobId: state.jobId, reason: command.reason } }];
  }
  return [{ type: 'StaticAnalysisCompleted', data: { ...command.report, staticAnalysisJobId: state.jobId, completedAt: command.now } }];
}
