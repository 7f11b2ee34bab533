/** Shapes shared by the sandbox modules and their callers. */

export const LANGUAGE_IDS = ['python', 'javascript', 'typescript', 'java', 'cpp', 'c', 'go', 'rust'] as const;
export type LanguageId = (typeof LANGUAGE_IDS)[number];

/** What one sandboxed run ended as, read from kernel counters (never from what the program printed alone). */
export type RunVerdict = 'OK' | 'TLE' | 'MLE' | 'OLE' | 'RE' | 'IE';
/** Per-test verdict of a judged submission. */
export type TestVerdict = 'AC' | 'WA' | 'TLE' | 'MLE' | 'OLE' | 'RE' | 'CE' | 'IE';

export interface RunLimits {
  /** CPU-time limit of the program (all its processes and threads), in ms. */
  timeoutMs?: number;
  /** Wall-clock limit in ms; default 2 × timeoutMs + 1 s, so a sleeping program cannot hold a slot forever. */
  wallTimeoutMs?: number;
  /** Memory limit (cgroup, all processes together), in MB. */
  memoryMb?: number;
}

/** The ExecutionResult of the API plus what the kernel told us. */
export interface ExecutionResult {
  status: 'completed' | 'failed';
  stdout: string;
  stderr: string;
  /** Program exit code; -1 when there was no program result. A death by signal N shows as 128 + N. */
  exitCode: number;
  /** Name of the signal that ended the program (e.g. SIGSEGV, SIGKILL), when it died by one. */
  signal: string | null;
  durationMs: number;
  cpuTimeMs: number;
  memoryUsageMb: number | null;
  timedOut: boolean;
  outputTruncated: boolean;
  verdictHint: RunVerdict;
  error?: string;
}

/** executeRun adds the compile step, so its verdict can also be CE. */
export interface RunResult extends Omit<ExecutionResult, 'verdictHint'> {
  verdictHint: RunVerdict | 'CE';
  compileDurationMs: number;
}

export interface TestCase {
  input: string;
  expectedOutput: string;
  timeoutMs?: number;
  memoryMb?: number;
}

export interface TestResult extends Omit<ExecutionResult, 'verdictHint'> {
  index: number;
  verdict: TestVerdict;
  /** true = AC, false = WA, null = the program did not finish normally (the "error" verdict). */
  passed: boolean | null;
  expectedOutput: string;
}

export interface SubmissionResult {
  /** AC when every test is AC, otherwise the verdict of the first test that is not. */
  verdict: TestVerdict;
  compile: { ok: boolean; stderr: string; durationMs: number; cpuTimeMs: number };
  tests: TestResult[];
  passed: number;
  failed: number;
  errors: number;
}

/** Thrown when the sandbox cannot be used. Code is never run without it. */
export class SandboxUnavailableError extends Error {
  constructor(reason: string) {
    super(`sandbox unavailable: ${reason}`);
    this.name = 'SandboxUnavailableError';
  }
}
