/**
 * The words of the launch chain (see sandboxed-process.ts): bwrap's options, the run's resource limits, and the
 * command bwrap runs. Shared by runs started cold and by sandboxes started ahead of their run (prestarted.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { LAUNCHER_IN_SANDBOX, type LauncherHost } from './launcher.js';
import type { RoBind } from './languages.js';
import { SANDBOX_GID, SANDBOX_PATH, SANDBOX_UID, TOOLS } from './paths.js';

/** What bwrap builds the sandbox from: everything a run fixes before its program is known. */
export interface SandboxShape {
  env?: Record<string, string>;
  binds?: RoBind[];
  /** Host directory (a box) that becomes /box. */
  boxDir: string;
  /** Compile steps write their output into the box; runs see it read-only. */
  boxWritable: boolean;
  cwd: '/box' | '/tmp';
  tmpBytes: number;
}

/** What the run's resource limits are computed from. */
export interface LimitSpec {
  cpuMs: number;
  fileSizeBytes: number;
  stackBytes: number;
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

export function bwrapArgs(shape: SandboxShape): string[] {
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
  for (const b of shape.binds ?? []) roBind(b.host, b.sandbox);
  args.push('--proc', '/proc', '--dev', '/dev');
  args.push('--perms', '1777', '--size', String(shape.tmpBytes), '--tmpfs', '/tmp');
  args.push(shape.boxWritable ? '--bind' : '--ro-bind', shape.boxDir, '/box');
  args.push('--chdir', shape.cwd);
  args.push('--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup');
  args.push('--hostname', 'sandbox', '--die-with-parent', '--new-session');
  // HOME and LANG are not secrets: compilers want a HOME, and the JVM prints non-ASCII as '?' without UTF-8.
  const env = { PATH: SANDBOX_PATH, HOME: '/tmp', LANG: 'C.UTF-8', ...shape.env };
  args.push('--clearenv');
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  args.push('--json-status-fd', '4', '--seccomp', '3');
  return args;
}

/** Resource limits of the run: [resource, soft, hard], in prlimit's and the launcher's resource names. */
export function rlimits(spec: LimitSpec): Array<[string, number, number]> {
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

/** The limits as the launcher's `-r RESOURCE=SOFT:HARD` options. */
export const limitWords = (spec: LimitSpec): string[] => rlimits(spec).flatMap(([r, soft, hard]) => ['-r', `${r}=${soft}:${hard}`]);

/** The chain up to bwrap: the launcher's own options and cgroups, then (old launcher only) prlimit. */
export function chainHead(host: LauncherHost, spec: LimitSpec, procsFiles: string[]): string[] {
  if (host.launcherSetsLimits) return [...limitWords(spec), ...procsFiles, '--'];
  return [...procsFiles, '--', TOOLS.prlimit, ...rlimits(spec).map(([r, soft, hard]) => `--${r}=${soft}:${hard}`), '--'];
}

const SETPRIV_ARGS = [
  `--reuid=${SANDBOX_UID}`,
  `--regid=${SANDBOX_GID}`,
  '--clear-groups',
  '--inh-caps=-all',
  '--bounding-set=-all',
  '--no-new-privs',
];

/**
 * The command the launcher execs: bwrap, then the privilege drop, then the program. bwrap's own process is pid 1
 * inside, and anyone may read its command line: its options (host paths, limits) come through a pipe instead,
 * NUL-separated; only the command, all sandbox paths, stays visible.
 */
export function sandboxCommand(host: LauncherHost, argv: string[]): string[] {
  const drop = host.launcherDrops
    ? [LAUNCHER_IN_SANDBOX, '--drop', String(SANDBOX_UID), String(SANDBOX_GID), '--']
    : [TOOLS.setpriv, ...SETPRIV_ARGS, '--'];
  return [TOOLS.bwrap, '--args', '5', '--', ...drop, ...argv];
}

/** The command of a sandbox started ahead: bwrap, whose last step waits inside for the run's limits and argv. */
export function prestartedCommand(): string[] {
  return [TOOLS.bwrap, '--args', '5', '--', LAUNCHER_IN_SANDBOX, '--wait-drop', String(SANDBOX_UID), String(SANDBOX_GID), '--'];
}
