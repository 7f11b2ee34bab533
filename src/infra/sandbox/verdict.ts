/**
 * Verdicts. Kernel counters decide: the cgroup's OOM-kill count (MLE), its CPU time and our wall timer (TLE),
 * our output cap (OLE), bwrap's report of how the program exited (RE). A runtime's own out-of-memory message
 * only refines an already failed run: managed runtimes (JVM, V8) and allocators stop at their heap cap before
 * the cgroup limit is reached, and those runs ran out of memory all the same.
 */
import type { SandboxOutcome } from './sandboxed-process.js';
import type { RunVerdict, TestVerdict } from './types.js';

const OUT_OF_MEMORY_MESSAGES = [
  /java\.lang\.OutOfMemoryError/, // JVM heap (-Xmx)
  /JavaScript heap out of memory|Reached heap limit/, // V8 (--max-old-space-size)
  /^MemoryError\b/m, // CPython
  /std::bad_alloc/, // C++ operator new
  /fatal error: runtime: out of memory/, // Go
  /memory allocation of \d+ bytes failed/, // Rust
];

export function runVerdict(o: SandboxOutcome, cpuLimitMs: number): RunVerdict {
  if (o.sandboxError) return 'IE';
  if (o.outputTruncated) return 'OLE';
  if (o.oomKilled) return 'MLE';
  if (o.killedBy === 'wall' || o.killedBy === 'cpu' || o.cpuMs > cpuLimitMs || o.signal === 'SIGXCPU') return 'TLE';
  if (o.exitCode !== 0) return OUT_OF_MEMORY_MESSAGES.some((re) => re.test(o.stderr)) ? 'MLE' : 'RE';
  return 'OK';
}

/** Human-readable reason for a run that did not end normally (ExecutionResult.error). */
export function describe(verdict: RunVerdict, o: SandboxOutcome, limits: { cpuMs: number; wallMs: number; memoryMb: number }): string | undefined {
  switch (verdict) {
    case 'OK':
      return undefined;
    case 'IE':
      return `sandbox failure: ${o.sandboxError}`;
    case 'OLE':
      return 'Output limit exceeded (64 KiB per stream)';
    case 'MLE':
      return `Memory limit exceeded (${limits.memoryMb} MB)`;
    case 'TLE':
      return o.killedBy === 'wall'
        ? `Time limit exceeded (wall clock ${limits.wallMs} ms)`
        : `Time limit exceeded (CPU ${Math.round(o.cpuMs)} ms > ${limits.cpuMs} ms)`;
    case 'RE':
      return o.signal ? `Runtime error: killed by ${o.signal}` : `Runtime error: exit code ${o.exitCode}`;
  }
}

const normalise = (s: string) => s.replace(/\r\n/g, '\n').trimEnd();

/** Accepted when `stdout.trimEnd() === expected.trimEnd()`, with CRLF and LF treated alike. */
export function outputMatches(stdout: string, expected: string): boolean {
  return normalise(stdout) === normalise(expected);
}

export function testVerdict(run: RunVerdict, stdout: string, expected: string): TestVerdict {
  if (run !== 'OK') return run;
  return outputMatches(stdout, expected) ? 'AC' : 'WA';
}
