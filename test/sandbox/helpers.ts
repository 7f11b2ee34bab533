/** Helpers shared by the sandbox test files. */
import { readdirSync, readFileSync } from 'node:fs';
import { executeRun } from '../../src/infra/sandbox/index.js';
import type { RunResult } from '../../src/infra/sandbox/index.js';
import { SANDBOX_UID } from '../../src/infra/sandbox/paths.js';

/** Generous limits: the suite must pass on a busy 2-core machine, so only the limit under test is tight. */
export function run(
  language: string,
  code: string,
  opts: { stdin?: string; timeoutMs?: number; wallTimeoutMs?: number; memoryMb?: number } = {},
): Promise<RunResult> {
  return executeRun({ language, code, timeoutMs: 10_000, memoryMb: 256, ...opts });
}

/** Parses the last stdout line as JSON (attack programs report what they observed that way). */
export function report<T = Record<string, unknown>>(r: RunResult): T {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1] ?? '') as T;
  } catch {
    throw new Error(`no JSON report; status=${r.status} verdict=${r.verdictHint} stdout=${r.stdout} stderr=${r.stderr} error=${r.error}`);
  }
}

/** Host pids whose real uid is the sandbox uid (i.e. sandboxed code still alive on the host). */
export function sandboxUidProcesses(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      if (Number(uid) === SANDBOX_UID) pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** Host processes whose command line mentions `needle`. */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/**
 * A Python fork bomb: forks children that sleep `childSleepS` until fork fails, then prints
 * `{"forks": n, "error": errno}` (EAGAIN, 11, when the pids limit stops it). `prelude` runs first.
 */
export function forkBombProgram(prelude: string, childSleepS: number): string {
  return `${prelude}
import json, os, time
forks, error = 0, None
while True:
    try:
        if os.fork() == 0:
            time.sleep(${childSleepS})
            os._exit(0)
        forks += 1
    except OSError as e:
        error = e.errno
        break
print(json.dumps({'forks': forks, 'error': error}), flush=True)
`;
}
