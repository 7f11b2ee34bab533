/**
 * What one sandboxed execution ended as, as recorded in events (the API's ExecutionResult plus the verdict the
 * kernel counters gave). Shared by runs and by each judged test of a submission.
 */
export const EXECUTION_VERDICTS = ['OK', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'IE'] as const;
/** OK = ran to a normal end; CE = did not build; IE = the system failed (sandbox unavailable, queue down). */
export type ExecutionVerdict = (typeof EXECUTION_VERDICTS)[number];

/** Per-test verdicts: a normal end is AC or WA depending on the output. */
export const TEST_VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'IE'] as const;
export type TestVerdictCode = (typeof TEST_VERDICTS)[number];

export interface ExecutionOutcome {
  /** `completed` only when the program ran and exited 0. */
  status: 'completed' | 'failed';
  verdict: ExecutionVerdict;
  stdout: string;
  stderr: string;
  /** -1 when there was no program result. */
  exitCode: number;
  signal: string | null;
  durationMs: number;
  cpuTimeMs: number;
  memoryUsageMb: number | null;
  timedOut: boolean;
  outputTruncated: boolean;
  compileDurationMs: number;
  error: string | null;
}

/** The outcome recorded when no program could be run at all (sandbox unavailable, job could not be queued). */
export function internalFailure(error: string): ExecutionOutcome {
  return {
    status: 'failed',
    verdict: 'IE',
    stdout: '',
    stderr: '',
    exitCode: -1,
    signal: null,
    durationMs: 0,
    cpuTimeMs: 0,
    memoryUsageMb: null,
    timedOut: false,
    outputTruncated: false,
    compileDurationMs: 0,
    error,
  };
}

/** Output payloads are kept this long after completion, then dropped (retention); verdicts and timings stay. */
export const OUTPUT_RETENTION_MS = 24 * 3600_000;
