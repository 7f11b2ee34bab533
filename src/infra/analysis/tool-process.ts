/**
 * Runs one trusted analysis tool (a linter or compiler front end that reads the submitted code as data and never
 * executes it) outside the sandbox, with these precautions:
 *   - a fresh work directory holding only the source file (and what the tool needs), removed afterwards;
 *   - an environment with nothing from the worker's (PATH, HOME = the work directory, TMPDIR inside it, tool
 *     variables);
 *   - when the worker is root, the tool runs as `nobody` with no capabilities and no_new_privs (setpriv), so it
 *     can read only world-readable files and cannot see the worker's /proc/<pid>/environ;
 *   - rlimits on CPU, file size and core dumps (prlimit), a wall-clock timeout that kills the whole process
 *     group, and stdout/stderr captured up to 256 KiB each.
 */
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TOOL_OUTPUT_CAP = 256 * 1024;
const NOBODY = 65534;
const SETPRIV = '/usr/bin/setpriv';
const PRLIMIT = '/usr/bin/prlimit';

const isRoot = () => process.getuid?.() === 0;

export interface WorkDir {
  dir: string;
  write(name: string, content: string): string;
  mkdir(name: string): string;
  remove(): void;
}

/** A private directory the tool (running as nobody when we are root) may write in. */
export function createWorkDir(): WorkDir {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncode-analysis-'));
  const own = (p: string) => {
    if (isRoot()) chownSync(p, NOBODY, NOBODY);
  };
  own(dir);
  // the tools' own scratch space (not the directory itself: `go` ignores a go.mod in the temp root)
  mkdirSync(path.join(dir, '.tmp'));
  own(path.join(dir, '.tmp'));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      writeFileSync(file, content, { mode: 0o644 });
      own(file);
      return file;
    },
    mkdir(name) {
      const sub = path.join(dir, name);
      mkdirSync(sub, { recursive: true });
      own(sub);
      return sub;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ToolRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Spawn error (tool missing, not executable). */
  error?: string;
}

export interface ToolSpec {
  argv: string[];
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
}

export function runTool(spec: ToolSpec): Promise<ToolRun> {
  const cpuSeconds = Math.ceil(spec.timeoutMs / 1000) + 1;
  const limits = [PRLIMIT, `--cpu=${cpuSeconds}`, '--fsize=67108864', '--core=0', '--nofile=1024', '--'];
  const drop = isRoot()
    ? [SETPRIV, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--']
    : [];
  const argv = [...drop, ...limits, ...spec.argv];
  const env = { PATH: '/usr/bin:/bin', HOME: spec.cwd, TMPDIR: path.join(spec.cwd, '.tmp'), LANG: 'C.UTF-8', CI: '1', NO_COLOR: '1', ...spec.env };
  const started = performance.now();
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(argv[0]!, argv.slice(1), { cwd: spec.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, spec.timeoutMs);
    const collect = (which: 'out' | 'err') => (chunk: Buffer) => {
      if (which === 'out') stdout = (stdout + chunk.toString('utf8')).slice(0, TOOL_OUTPUT_CAP);
      else stderr = (stderr + chunk.toString('utf8')).slice(0, TOOL_OUTPUT_CAP);
    };
    child.stdout.on('data', collect('out'));
    child.stderr.on('data', collect('err'));
    const finish = (exitCode: number | null, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup(); // whatever the tool left behind
      resolve({ exitCode, stdout, stderr, timedOut, durationMs: Math.round(performance.now() - started), ...(error ? { error } : {}) });
    };
    child.on('error', (err) => finish(null, err.message));
    child.on('close', (code) => finish(timedOut ? null : code));
  });
}
