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
 * bwrap runs as root (no user namespace) so it can bind host paths whatever their permissions and works where
 * unprivileged user namespaces are disabled; privileges are dropped by setpriv inside, after the mounts and
 * before any untrusted code. Only PATH reaches the chain, so the bwrap processes (visible as pid 1 inside)
 * hold no secrets either.
 */
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import type { Box } from './box.js';
import { uniqueName } from './box.js';
import { createRunCgroup, type RunCgroup } from './cgroup.js';
import { dropLauncher, LAUNCHER_IN_SANDBOX, prepareLauncher, sendCommand, spawnLauncher, takeLauncher, type LauncherHost, type Launched } from './launcher.js';
import type { RoBind } from './languages.js';
import { SANDBOX_GID, SANDBOX_PATH, SANDBOX_UID, TOOLS } from './paths.js';

export type SandboxHost = LauncherHost;

export interface SandboxSpec {
  argv: string[];
  env?: Record<string, string>;
  binds?: RoBind[];
  box: Box;
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
}

/** /etc entries toolchains need: alternatives symlinks (java, cc), the loader cache, the JDKs' config links. */
const ETC_BINDS = [
  '/etc/alternatives',
  '/etc/ld.so.cache',
  ...readdirSync('/etc')
    .filter((name) => /^java-\d+-openjdk$/.test(name))
    .map((name) => `/etc/${name}`),
].filter((p) => existsSync(p));
const HAS_LIB64 = existsSync('/usr/lib64');

const CPU_POLL_MS = 50;

function bwrapArgs(spec: SandboxSpec): string[] {
  // /usr/local holds whatever was installed by hand (tool configs such as a global npmrc may hold tokens):
  // hidden behind an empty tmpfs. Everything the sandbox runs comes from Debian packages.
  const args = ['--ro-bind', '/usr', '/usr', '--perms', '0755', '--tmpfs', '/usr/local'];
  args.push('--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/sbin', '/sbin');
  if (HAS_LIB64) args.push('--symlink', 'usr/lib64', '/lib64');
  // bwrap creates missing parents of a mount point as root-only (0700) directories, which the unprivileged
  // program could not traverse; create them world-readable first.
  const made = new Set<string>(['/']);
  const roBind = (host: string, dest: string) => {
    const parents: string[] = [];
    for (let d = path.posix.dirname(dest); !made.has(d); d = path.posix.dirname(d)) parents.unshift(d);
    for (const d of parents) {
      args.push('--perms', '0755', '--dir', d);
      made.add(d);
    }
    args.push('--ro-bind', host, dest);
  };
  for (const p of ETC_BINDS) roBind(p, p);
  for (const b of spec.binds ?? []) roBind(b.host, b.sandbox);
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--perms', '1777', '--size', String(spec.tmpBytes), '--tmpfs', '/tmp');
  args.push(spec.boxWritable ? '--bind' : '--ro-bind', spec.box.dir, '/box');
  args.push('--chdir', spec.cwd);
  args.push('--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup');
  args.push('--hostname', 'sandbox', '--die-with-parent', '--new-session');
  // HOME and LANG are not secrets: compilers want a HOME, and the JVM prints non-ASCII as '?' without UTF-8.
  const env = { PATH: SANDBOX_PATH, HOME: '/tmp', LANG: 'C.UTF-8', ...spec.env };
  args.push('--clearenv');
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  args.push('--json-status-fd', '4', '--seccomp', '3');
  return args;
}

/** Resource limits of the run: [resource, soft, hard], in prlimit's and the launcher's resource names. */
function rlimits(spec: SandboxSpec): Array<[string, number, number]> {
  const cpuSoft = Math.ceil(spec.cpuMs / 1000) + 1; // backstop only: the cgroup counter is polled and exact
  return [
    ['cpu', cpuSoft, cpuSoft + 1],
    ['fsize', spec.fileSizeBytes, spec.fileSizeBytes],
    ['nofile', 512, 512],
    // Per-uid and shared by all runs, so it is only a ceiling; the pids cgroup limits each run.
    ['nproc', 4096, 4096],
    ['stack', spec.stackBytes, spec.stackBytes],
    ['core', 0, 0],
  ];
}

/** The chain up to bwrap: the launcher's own options and cgroups, then (old launcher only) prlimit. */
function chainHead(host: SandboxHost, spec: SandboxSpec, procsFiles: string[]): string[] {
  const limits = rlimits(spec);
  if (host.launcherSetsLimits) return [...limits.flatMap(([r, soft, hard]) => ['-r', `${r}=${soft}:${hard}`]), ...procsFiles, '--'];
  return [...procsFiles, '--', TOOLS.prlimit, ...limits.map(([r, soft, hard]) => `--${r}=${soft}:${hard}`), '--'];
}

const SETPRIV_ARGS = [
  `--reuid=${SANDBOX_UID}`,
  `--regid=${SANDBOX_GID}`,
  '--clear-groups',
  '--inh-caps=-all',
  '--bounding-set=-all',
  '--no-new-privs',
];

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

export async function runInSandbox(host: SandboxHost, spec: SandboxSpec): Promise<SandboxOutcome> {
  const limits = { memoryBytes: spec.memoryBytes, maxProcesses: spec.maxProcesses };
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
    return await superviseChild(host, spec, cg, ahead);
  } finally {
    await cg.destroy();
    prepareLauncher(host);
  }
}

/**
 * The command the launcher execs: bwrap, then the privilege drop, then the program. bwrap's own process is pid 1
 * inside, and anyone may read its command line: its options (host paths, limits) come through a pipe instead,
 * NUL-separated; only the command, all sandbox paths, stays visible.
 */
function sandboxCommand(host: SandboxHost, spec: SandboxSpec): string[] {
  const drop = host.launcherDrops
    ? [LAUNCHER_IN_SANDBOX, '--drop', String(SANDBOX_UID), String(SANDBOX_GID), '--']
    : [TOOLS.setpriv, ...SETPRIV_ARGS, '--'];
  return [TOOLS.bwrap, '--args', '5', '--', ...drop, ...spec.argv];
}

/**
 * Starts the chain: hands the command to a launcher started ahead (already in `cg`), or spawns one. Returns the
 * CPU time `cg` had counted before the run (the launcher's own start), which is not the program's.
 */
function startChain(host: SandboxHost, spec: SandboxSpec, cg: RunCgroup, ahead: Launched | undefined): Launched & { cpuBaseNs: number } {
  if (ahead) {
    const cpuBaseNs = cg.cpuNs();
    sendCommand(ahead, [...rlimits(spec).flatMap(([r, soft, hard]) => ['-r', `${r}=${soft}:${hard}`]), '--', ...sandboxCommand(host, spec)]);
    return { ...ahead, cpuBaseNs };
  }
  const args = [...(host.launcherDrops ? ['-k'] : []), ...chainHead(host, spec, cg.procsFiles), ...sandboxCommand(host, spec)];
  return { ...spawnLauncher(host, args), cpuBaseNs: 0 };
}

async function superviseChild(host: SandboxHost, spec: SandboxSpec, cg: RunCgroup, ahead: Launched | undefined): Promise<SandboxOutcome> {
  const stdout = new CappedBuffer(spec.outputBytes);
  const stderr = new CappedBuffer(spec.outputBytes);
  const status: string[] = [];
  let killedBy: SandboxOutcome['killedBy'] = null;

  const started = process.hrtime.bigint();
  const { child, exit, cpuBaseNs } = startChain(host, spec, cg, ahead);
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
  const argsPipe = (child.stdio as unknown as NodeJS.WritableStream[])[5]!;
  argsPipe.on('error', () => undefined); // bwrap failed before reading them: reported through the exit status
  argsPipe.end(bwrapArgs(spec).map((a) => `${a}\0`).join(''));
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
  };
}
