/**
 * The sandbox API: compile once per submission, run the artifact once per input, judge outputs.
 * Every step goes through requireSandbox(), which throws SandboxUnavailableError when the chain cannot be used.
 */
import { createBox, destroyBox, writeBoxFile, type Box } from './box.js';
import { withSlot } from './concurrency.js';
import { isLanguage, LANGUAGES, stackLimitMb } from './languages.js';
import { requireSandbox } from './probe.js';
import { runInSandbox, type SandboxOutcome } from './sandboxed-process.js';
import type {
  ExecutionResult,
  LanguageId,
  RunLimits,
  RunResult,
  SubmissionResult,
  TestCase,
  TestResult,
} from './types.js';
import { describe, runVerdict, testVerdict } from './verdict.js';

const MB = 1024 * 1024;

/** Defaults and caps of a run's limits. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_TIMEOUT_MS = 300_000;
export const DEFAULT_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 1024;
export const OUTPUT_CAP_BYTES = 64 * 1024;

const RUN_MAX_PROCESSES = 64;
const RUN_FILE_SIZE = 16 * MB;
const RUN_TMP_SIZE = 64 * MB;

/** Compilers get their own budget: javac and rustc need far more memory than the programs they build. */
const COMPILE = {
  cpuMs: 15_000,
  wallMs: 30_000,
  memoryMb: 1024,
  maxProcesses: 128,
  fileSize: 64 * MB,
  tmpSize: 256 * MB,
  boxMb: 128,
  outputBytes: 256 * 1024,
};

export interface Artifact {
  readonly language: LanguageId;
  readonly box: Box;
  /** What the run step starts: a file in /box, or a Java class. */
  readonly entry: string;
  /** Interpreted languages: the box's only file, which a sandbox started ahead of the run gets a copy of. */
  readonly source?: { readonly name: string; readonly content: string };
  released: boolean;
}

export type CompileResult =
  | { ok: true; artifact: Artifact; stderr: string; durationMs: number; cpuTimeMs: number }
  | {
      ok: false;
      artifact: null;
      stderr: string;
      durationMs: number;
      cpuTimeMs: number;
      /** CE: the code does not build (or the compiler hit its limits); IE: the sandbox failed. */
      verdict: 'CE' | 'IE';
      error: string;
      timedOut: boolean;
    };

export interface RunInput extends RunLimits {
  stdin?: string;
}

const clamp = (v: number | undefined, def: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Math.round(v ?? def)));

function normaliseLimits(l: RunLimits): { cpuMs: number; wallMs: number; memoryMb: number } {
  const cpuMs = clamp(l.timeoutMs, DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
  const wallMs = clamp(l.wallTimeoutMs, cpuMs * 2 + 1000, 1, MAX_TIMEOUT_MS * 2 + 1000);
  return { cpuMs, wallMs, memoryMb: clamp(l.memoryMb, DEFAULT_MEMORY_MB, 8, MAX_MEMORY_MB) };
}

const roundMb = (bytes: number | null) => (bytes === null ? null : Math.round((bytes / MB) * 10) / 10);

/**
 * Prepares `code` for running: interpreted languages just get a read-only box holding the source; compiled ones
 * are built once, inside the sandbox, into a tmpfs box that later runs see read-only.
 */
export async function compile(language: LanguageId, code: string, limits: RunLimits = {}): Promise<CompileResult> {
  const host = await requireSandbox();
  const spec = LANGUAGES[language];
  if (!spec) throw new Error(`unsupported language ${language}`);
  const { file, entry } = spec.source(code);
  const started = performance.now();
  const sizeMb = spec.compile ? COMPILE.boxMb : Math.ceil(Buffer.byteLength(code) / MB) + 1;
  const box = await createBox({ writable: Boolean(spec.compile), sizeMb });
  let keep = false;
  try {
    writeBoxFile(box, file, code);
    if (!spec.compile) {
      keep = true;
      const artifact = { language, box, entry, source: { name: file, content: code }, released: false };
      return { ok: true, artifact, stderr: '', durationMs: 0, cpuTimeMs: 0 };
    }
    const step = spec.compile(file);
    const cpuMs = Math.min(COMPILE.cpuMs, limits.timeoutMs ?? COMPILE.cpuMs);
    const wallMs = Math.min(COMPILE.wallMs, limits.wallTimeoutMs ?? limits.timeoutMs ?? COMPILE.wallMs);
    const memoryMb = Math.max(COMPILE.memoryMb, limits.memoryMb ?? 0);
    const out = await withSlot(() =>
      runInSandbox(host, {
        argv: step.argv,
        env: step.env,
        binds: step.binds,
        box,
        boxWritable: true,
        cwd: '/box',
        cpuMs,
        wallMs,
        memoryBytes: memoryMb * MB,
        maxProcesses: COMPILE.maxProcesses,
        fileSizeBytes: COMPILE.fileSize,
        stackBytes: stackLimitMb(memoryMb) * MB,
        tmpBytes: COMPILE.tmpSize,
        outputBytes: COMPILE.outputBytes,
      }),
    );
    const durationMs = performance.now() - started;
    const cpuTimeMs = Math.round(out.cpuMs);
    const stderr = [out.stderr, out.stdout].filter(Boolean).join('\n');
    if (out.sandboxError) {
      return {
        ok: false,
        artifact: null,
        stderr,
        durationMs,
        cpuTimeMs,
        verdict: 'IE',
        error: `sandbox failure: ${out.sandboxError}`,
        timedOut: false,
      };
    }
    const verdict = runVerdict(out, cpuMs);
    if (verdict !== 'OK') {
      const reason = compileFailure(verdict, out, stderr);
      return { ok: false, artifact: null, stderr, durationMs, cpuTimeMs, verdict: 'CE', error: reason, timedOut: verdict === 'TLE' };
    }
    keep = true;
    return { ok: true, artifact: { language, box, entry, released: false }, stderr, durationMs, cpuTimeMs };
  } finally {
    if (!keep) await destroyBox(box);
  }
}

function compileFailure(verdict: string, out: SandboxOutcome, stderr: string): string {
  const prefix = {
    TLE: 'Compilation timed out',
    MLE: 'Compiler ran out of memory',
    OLE: 'Compiler output too long',
  }[verdict];
  if (prefix) return stderr ? `${prefix}\n${stderr}` : prefix;
  if (stderr.trim()) return stderr;
  return out.signal ? `Compilation failed (compiler killed by ${out.signal})` : 'Compilation failed';
}

/** Runs a compiled artifact once, with `stdin` as input. */
export async function runProgram(artifact: Artifact, input: RunInput = {}): Promise<ExecutionResult> {
  if (artifact.released) throw new Error('artifact already released');
  const host = await requireSandbox();
  const limits = normaliseLimits(input);
  const step = LANGUAGES[artifact.language].run(artifact.entry, limits.memoryMb);
  const out = await withSlot(() =>
    runInSandbox(host, {
      argv: step.argv,
      env: step.env,
      binds: step.binds,
      box: artifact.box,
      boxFile: artifact.source,
      boxWritable: false,
      cwd: '/tmp',
      stdin: input.stdin ?? '',
      cpuMs: limits.cpuMs,
      wallMs: limits.wallMs,
      memoryBytes: limits.memoryMb * MB,
      maxProcesses: RUN_MAX_PROCESSES,
      fileSizeBytes: RUN_FILE_SIZE,
      stackBytes: stackLimitMb(limits.memoryMb) * MB,
      tmpBytes: Math.min(RUN_TMP_SIZE, limits.memoryMb * MB),
      outputBytes: OUTPUT_CAP_BYTES,
    }),
  );
  const verdictHint = runVerdict(out, limits.cpuMs);
  const error = describe(verdictHint, out, limits);
  return {
    status: verdictHint === 'OK' ? 'completed' : 'failed',
    stdout: out.stdout,
    stderr: out.stderr,
    exitCode: out.exitCode ?? -1,
    signal: out.signal,
    durationMs: Math.round(out.wallMs),
    cpuTimeMs: Math.round(out.cpuMs),
    memoryUsageMb: roundMb(out.memoryPeakBytes),
    timedOut: verdictHint === 'TLE',
    outputTruncated: out.outputTruncated,
    verdictHint,
    ...(error ? { error } : {}),
  };
}

/** Unmounts and deletes the artifact's box. Safe to call twice. */
export async function release(artifact: Artifact): Promise<void> {
  if (artifact.released) return;
  artifact.released = true;
  await destroyBox(artifact.box);
}

function failedRun(error: string, verdictHint: RunResult['verdictHint'], durationMs = 0, stderr = ''): RunResult {
  return {
    status: 'failed',
    stdout: '',
    stderr,
    exitCode: -1,
    signal: null,
    durationMs: Math.round(durationMs),
    cpuTimeMs: 0,
    memoryUsageMb: null,
    timedOut: false,
    outputTruncated: false,
    verdictHint,
    compileDurationMs: Math.round(durationMs),
    error,
  };
}

/** Rejects what can never run (validation failures), before touching the sandbox. */
function invalidInput(language: string, code: string): string | null {
  if (!isLanguage(language)) return `Unsupported language: ${language}`;
  if (!code.trim()) return 'Code is empty';
  return null;
}

/**
 * One "Run": compile + one run. The timeout covers both; the run gets what compiling left (≥ 1 ms).
 * Validation failures come back as a failed result with verdict CE; sandbox unavailability throws.
 */
export async function executeRun(req: { language: string; code: string } & RunInput): Promise<RunResult> {
  const invalid = invalidInput(req.language, req.code);
  if (invalid) return failedRun(invalid, 'CE');
  const total = normaliseLimits(req);
  const built = await compile(req.language as LanguageId, req.code, { timeoutMs: total.cpuMs, wallTimeoutMs: total.wallMs });
  if (!built.ok) return { ...failedRun(built.error, built.verdict, built.durationMs, built.stderr), timedOut: built.timedOut };
  try {
    const left = (budget: number) => Math.max(1, budget - Math.round(built.durationMs));
    const run = await runProgram(built.artifact, {
      stdin: req.stdin,
      timeoutMs: left(total.cpuMs),
      wallTimeoutMs: req.wallTimeoutMs === undefined ? undefined : left(total.wallMs),
      memoryMb: total.memoryMb,
    });
    return { ...run, compileDurationMs: Math.round(built.durationMs) };
  } finally {
    await release(built.artifact);
  }
}

/**
 * Judges a submission: one compile, then each test against the same artifact, in order.
 * A test's own limits override the submission-wide ones.
 */
export async function judgeSubmission(req: {
  language: string;
  code: string;
  tests: TestCase[];
  timeoutMs?: number;
  memoryMb?: number;
}): Promise<SubmissionResult> {
  const invalid = invalidInput(req.language, req.code);
  const built = invalid
    ? ({ ok: false, artifact: null, stderr: '', durationMs: 0, cpuTimeMs: 0, verdict: 'CE', error: invalid, timedOut: false } as const)
    : await compile(req.language as LanguageId, req.code);
  const tests: TestResult[] = [];
  try {
    for (const [index, test] of req.tests.entries()) {
      if (!built.ok) {
        const failed = failedRun(built.error, built.verdict, built.durationMs, built.stderr);
        tests.push({ ...omitCompileFields(failed), index, verdict: built.verdict, passed: null, expectedOutput: test.expectedOutput });
        continue;
      }
      const run = await runProgram(built.artifact, {
        stdin: test.input,
        timeoutMs: test.timeoutMs ?? req.timeoutMs,
        memoryMb: test.memoryMb ?? req.memoryMb,
      });
      const verdict = testVerdict(run.verdictHint, run.stdout, test.expectedOutput);
      const { verdictHint: _hint, ...rest } = run;
      tests.push({
        ...rest,
        index,
        verdict,
        passed: verdict === 'AC' ? true : verdict === 'WA' ? false : null,
        expectedOutput: test.expectedOutput,
      });
    }
  } finally {
    if (built.ok) await release(built.artifact);
  }
  const firstBad = tests.find((t) => t.verdict !== 'AC');
  return {
    verdict: firstBad?.verdict ?? (built.ok ? 'AC' : built.verdict),
    compile: { ok: built.ok, stderr: built.stderr, durationMs: Math.round(built.durationMs), cpuTimeMs: built.cpuTimeMs },
    tests,
    passed: tests.filter((t) => t.passed === true).length,
    failed: tests.filter((t) => t.passed === false).length,
    errors: tests.filter((t) => t.passed === null).length,
  };
}

function omitCompileFields(r: RunResult): Omit<RunResult, 'verdictHint' | 'compileDurationMs'> {
  const { verdictHint: _v, compileDurationMs: _c, ...rest } = r;
  return rest;
}
