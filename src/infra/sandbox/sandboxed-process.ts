/**
 * Runs one command inside the sandbox and reports what the kernel saw. The launch chain, all exec'd in a single
 * process so that its pid is the one placed in the cgroup before anything else starts:
 *
 *   sandbox-enter (joins the run's cgroup, sets the rlimits, closes leaked fds) → bwrap (as root: new
 *   mount/pid/net/ipc/uts/cgroup namespaces, read-only /usr, tmpfs /tmp, the box at /box, seccomp filter)
 *   → sandbox-enter --drop (unprivileged uid, no capabilities, no_new_privs, descriptors above 2 closed)
 *   → the program.
 *
 * Every exec in the chain costs start-up time on every run, so the one small static launcher does the work of
 * prlimit and setpriv too. A launcher built before it could (scripts/setup-sandbox.sh not re-run yet) is
 * detected by the probe, and the chain then keeps the separate prlimit and setpriv links.
 *
 * Most of what is left is bwrap building the namespaces and mounts, so that is done ahead of time where it can
 * be (prestarted.ts): a run whose box is one host-written file (interpreted languages) takes a sandbox already
 * built for its shape, in which the chain stopped at `sandbox-enter --wait-drop`, and hands it the source, the
 * cgroup limits, the rlimits and the argv; the entry sets the rlimits, drops privileges as --drop does and execs
 * the program. Other runs (compile steps, compiled programs, a shape with no sandbox waiting) build the chain at
 * once, from a launcher started ahead that has already joined a fresh cgroup (launcher.ts).
 *
 * bwrap runs as root (no user namespace) so it can bind host paths whatever their permissions and works where
 * unprivileged user namespaces are disabled; privileges are dropped inside, after the mounts and before any
 * untrusted code. Only PATH reaches the chain, so the bwrap processes (visible as pid 1 inside) hold no secrets
 * either.
 */
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import type { Box } from './box.js';
import { uniqueName } from './box.js';
import { createRunCgroup, type CgroupLimits, type RunCgroup } from './cgroup.js';
import { bwrapArgs, chainHead, limitWords, sandboxCommand, type SandboxShape } from './chain-args.js';
import { dropLauncher, prepareLauncher, sendCommand, spawnLauncher, takeLauncher, type LauncherHost, type Launched } from './launcher.js';
import type { RoBind } from './languages.js';
import {
  handOver,
  prestartSandbox,
  PRESTARTED_MAX_SOURCE_BYTES,
  retirePrestarted,
  takePrestarted,
  type Prestarted,
  type PrestartShape,
} from './prestarted.js';

export type SandboxHost = LauncherHost;

export interface SandboxSpec {
  argv: string[];
  env?: Record<string, string>;
  binds?: RoBind[];
  box: Box;
  /**
   * Set when the box holds nothing but this one file, written by the host (an interpreted program's source): the
   * run may then take a sandbox started ahead of it (prestarted.ts), whose own fresh box gets the file.
   */
  boxFile?: { name: string; content: string };
  /** Compile steps write their output into the box; runs see it read-only. */
  boxWritable: boolean;
  cwd: '/box' | '/tmp';
  stdin?: string;
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  maxProcesses: number;
  fileSizeBytes: number;
  stackBytes: number;
  tmpBytes: number;
  /** Cap per stream; reaching it kills the run (OLE). */
  outputBytes: number;
}

export interface SandboxOutcome {
  stdout: string;
  stderr: string;
  /** bwrap passes the program's exit code through, or 128 + N when it died by signal N. */
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  cpuMs: number;
  memoryPeakBytes: number | null;
  oomKilled: boolean;
  pidsLimitHit: boolean;
  /** Why we killed it, if we did. */
  killedBy: 'wall' | 'cpu' | 'output' | null;
  outputTruncated: boolean;
  /** Set when the sandbox itself failed before or instead of running the program (verdict IE). */
  sandboxError: string | null;
  /** The run went to a sandbox started ahead of it (prestarted.ts) rather than one built for it. */
  startedAhead: boolean;
}

const CPU_POLL_MS = 50;

/** Keeps the first `cap` bytes of a stream and says when more arrived. */
class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  overflowed = false;
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): boolean {
    const room = this.cap - this.size;
    if (chunk.length > room) {
      this.overflowed = true;
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.size = this.cap;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export function signalName(exitCode: number | null): string | null {
  if (exitCode === null || exitCode <= 128 || exitCode > 128 + 64) return null;
  const n = exitCode - 128;
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `SIG${n}`;
}

export const shapeOf = (spec: SandboxSpec): PrestartShape => ({
  binds: spec.binds,
  env: spec.env,
  boxWritable: spec.boxWritable,
  cwd: spec.cwd,
  tmpBytes: spec.tmpBytes,
});

export async function runInSandbox(host: SandboxHost, spec: SandboxSpec): Promise<SandboxOutcome> {
  const limits = { memoryBytes: spec.memoryBytes, maxProcesses: spec.maxProcesses };
  const file = spec.boxFile && Buffer.byteLength(spec.boxFile.content) <= PRESTARTED_MAX_SOURCE_BYTES ? spec.boxFile : undefined;
  const shape = shapeOf(spec);
  try {
    const prestarted = file ? takePrestarted(host, shape, limits) : undefined;
    if (prestarted && file) {
      const out = await runPrestarted(spec, prestarted, file);
      if (out) return out;
    }
    return await runCold(host, spec, limits);
  } finally {
    if (file) void prestartSandbox(host, shape); // the next run of this shape finds its sandbox built
  }
}

/**
 * A run in a sandbox started ahead. Undefined when that sandbox failed before the program ran (it died just
 * before the hand-over): the caller then starts the run cold, which also reports any real failure of the chain.
 */
async function runPrestarted(spec: SandboxSpec, p: Prestarted, file: { name: string; content: string }): Promise<SandboxOutcome | undefined> {
  try {
    const out = await superviseChild(spec, p.cg, () => {
      const cpuBaseNs = p.cg.cpuNs(); // bwrap's own start was before the hand-over, and is not the program's
      handOver(p, file, [...limitWords(spec), '--', ...spec.argv]);
      return { ...p, cpuBaseNs };
    });
    return out.sandboxError && out.killedBy === null ? undefined : { ...out, startedAhead: true };
  } finally {
    await p.cg.destroy();
    retirePrestarted(p);
  }
}

async function runCold(host: SandboxHost, spec: SandboxSpec, limits: CgroupLimits): Promise<SandboxOutcome> {
  let ahead = takeLauncher(host);
  if (ahead) {
    try {
      ahead.cg.setLimits(limits);
    } catch {
      dropLauncher(ahead);
      ahead = undefined;
    }
  }
  const cg = ahead?.cg ?? createRunCgroup(host.cgroups, uniqueName('run'), limits);
  try {
    return await superviseChild(spec, cg, () => startChain(host, spec, cg, ahead));
  } finally {
    await cg.destroy();
    prepareLauncher(host);
  }
}

type Started = Launched & { cpuBaseNs: number };

/**
 * Starts the chain: hands the command to a launcher started ahead (already in `cg`), or spawns one, then sends
 * bwrap its options. Returns the CPU time `cg` had counted before the run (the launcher's own start), which is
 * not the program's.
 */
function startChain(host: SandboxHost, spec: SandboxSpec, cg: RunCgroup, ahead: Launched | undefined): Started {
  const shape: SandboxShape = { ...shapeOf(spec), boxDir: spec.box.dir };
  let started: Started;
  if (ahead) {
    const cpuBaseNs = cg.cpuNs();
    sendCommand(ahead, [...limitWords(spec), '--', ...sandboxCommand(host, spec.argv)]);
    started = { ...ahead, cpuBaseNs };
  } else {
    const args = [...(host.launcherDrops ? ['-k'] : []), ...chainHead(host, spec, cg.procsFiles), ...sandboxCommand(host, spec.argv)];
    started = { ...spawnLauncher(host, args), cpuBaseNs: 0 };
  }
  const argsPipe = (started.child.stdio as unknown as Writable[])[5]!;
  argsPipe.on('error', () => undefined); // bwrap failed before reading them: reported through the exit status
  argsPipe.end(bwrapArgs(shape).map((a) => `${a}\0`).join(''));
  return started;
}

async function superviseChild(spec: SandboxSpec, cg: RunCgroup, start: () => Started): Promise<SandboxOutcome> {
  const stdout = new CappedBuffer(spec.outputBytes);
  const stderr = new CappedBuffer(spec.outputBytes);
  const status: string[] = [];
  let killedBy: SandboxOutcome['killedBy'] = null;

  const started = process.hrtime.bigint();
  const { child, exit, cpuBaseNs } = start();
  const cpuNs = () => cg.cpuNs() - cpuBaseNs;

  const kill = (reason: NonNullable<SandboxOutcome['killedBy']>) => {
    killedBy ??= reason;
    try {
      if (child.pid) process.kill(child.pid, 'SIGKILL'); // bwrap; --die-with-parent takes the namespace down
    } catch {
      /* already exited */
    }
    cg.killAll();
  };

  child.stdout!.on('data', (c: Buffer) => {
    if (!stdout.push(c)) kill('output');
  });
  child.stderr!.on('data', (c: Buffer) => {
    if (!stderr.push(c)) kill('output');
  });
  (child.stdio[4] as NodeJS.ReadableStream).on('data', (c: Buffer) => status.push(c.toString('utf8')));
  child.stdin!.on('error', () => undefined); // the program may exit without reading its input (EPIPE)
  child.stdin!.end(spec.stdin ?? '');

  const wallTimer = setTimeout(() => kill('wall'), spec.wallMs);
  const cpuLimitNs = spec.cpuMs * 1e6;
  const cpuTimer = setInterval(() => {
    try {
      if (cpuNs() > cpuLimitNs) kill('cpu');
    } catch {
      /* cgroup already gone */
    }
  }, CPU_POLL_MS);

  const { code, signal, spawnError } = await exit;
  clearTimeout(wallTimer);
  clearInterval(cpuTimer);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const stats = cg.stats();

  const programExited = status.join('').includes('"exit-code"');
  let sandboxError: string | null = null;
  if (spawnError) sandboxError = `spawn failed: ${spawnError.message}`;
  else if (!programExited && killedBy === null && stats.oomKills === 0) {
    // bwrap reports "exit-code" once the program has run; without it the chain failed before (bad bind,
    // cgroup join, exec error). Its own diagnostics are on stderr.
    sandboxError = stderr.text().trim().slice(0, 2000) || `sandbox launcher exited with ${code ?? signal}`;
  }
  const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null);
  return {
    stdout: stdout.text(),
    stderr: stderr.text(),
    exitCode,
    signal: signal ?? signalName(exitCode),
    wallMs,
    cpuMs: (stats.cpuNs - cpuBaseNs) / 1e6,
    memoryPeakBytes: stats.memoryPeakBytes,
    oomKilled: stats.oomKills > 0,
    pidsLimitHit: stats.pidsLimitHits > 0,
    killedBy,
    outputTruncated: stdout.overflowed || stderr.overflowed,
    sandboxError,
    startedAhead: false,
  };
}
