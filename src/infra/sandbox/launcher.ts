/**
 * Starting the launch chain cold (see sandboxed-process.ts for what the chain does; runs that can take a whole
 * sandbox built ahead of them go through prestarted.ts instead).
 *
 * The launcher's first act is to join the run's cgroup, and moving a task into a cgroup waits for the kernel's
 * RCU grace periods: about a millisecond on a quiet machine, tens of milliseconds on a busy one, on every run. So
 * one launcher per process is started ahead of time: it joins a fresh cgroup of its own and then waits for the
 * rest of its command line on a pipe. A run takes it, writes the run's limits into that cgroup, and sends the
 * command; the next one is started after the run. Nothing untrusted runs before the limits are written, and a
 * launcher that cannot be used (it died, the sandbox was probed again) is discarded for a cold start.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { uniqueName } from './box.js';
import { createRunCgroup, type CgroupLayout, type RunCgroup } from './cgroup.js';
import { SANDBOX_PATH, TOOLS } from './paths.js';

/** What the installed launcher can do (probed once; older builds fall back to prlimit, setpriv, cold starts). */
export interface LauncherHost {
  cgroups: CgroupLayout;
  seccompFilter: string;
  /** `-r RESOURCE=SOFT:HARD` options (otherwise prlimit joins the chain). */
  launcherSetsLimits?: boolean;
  /** `--drop` inside the sandbox (otherwise setpriv does it). */
  launcherDrops?: boolean;
  /** `-w`: joins its cgroup, then waits for its command line on fd 7. */
  launcherWaits?: boolean;
  /** `-p` and `--wait-drop`: whole sandboxes started ahead, waiting inside for their command (prestarted.ts). */
  launcherPrestarts?: boolean;
}

export type ChainExit = { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error };

export interface Launched {
  child: ChildProcess;
  /** Settles once the chain has exited and its pipes are closed (listened to from the spawn on). */
  exit: Promise<ChainExit>;
}

interface Warm extends Launched {
  host: LauncherHost;
  cg: RunCgroup;
}

/** fd 6 for `--drop`: the launcher binary itself, which bwrap runs inside the sandbox from this descriptor. */
export const LAUNCHER_IN_SANDBOX = '/proc/self/fd/6';

/**
 * Spawns the launcher. Descriptors: 0-2 the program's, 3 the seccomp filter, 4 bwrap's status, 5 bwrap's options,
 * 6 the launcher binary (when it drops privileges inside), 7 the command line (when started ahead).
 */
export function spawnLauncher(host: LauncherHost, args: string[], ahead = false): Launched {
  const filterFd = openSync(host.seccompFilter, 'r');
  const launcherFd = host.launcherDrops ? openSync(TOOLS.enter, 'r') : null;
  try {
    const stdio: StdioOptions = ['pipe', 'pipe', 'pipe', filterFd, 'pipe', 'pipe'];
    if (launcherFd !== null || ahead) stdio.push(launcherFd ?? 'ignore');
    if (ahead) stdio.push('pipe');
    const child = spawn(TOOLS.enter, args, {
      env: { PATH: SANDBOX_PATH },
      stdio,
      detached: true, // own process group: terminal signals aimed at the service do not reach the sandbox
    });
    const exit = new Promise<ChainExit>((resolve) => {
      child.once('error', (e) => resolve({ code: null, signal: null, spawnError: e }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    return { child, exit };
  } finally {
    closeSync(filterFd);
    if (launcherFd !== null) closeSync(launcherFd);
  }
}

let ready: Warm | undefined;

/** The pipe a launcher started ahead reads its command line from. */
export const control = (launched: Launched): Writable | undefined => (launched.child.stdio as unknown as Array<Writable | null>)[7] ?? undefined;

/** An idle launcher must not keep the process alive. */
export function setRef(child: ChildProcess, on: boolean): void {
  if (on) child.ref();
  else child.unref();
  for (const stream of child.stdio) {
    const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
    if (on) handle?.ref?.();
    else handle?.unref?.();
  }
}

function discard(warm: Warm): void {
  control(warm)?.end(); // EOF with no command: it exits
  void warm.exit.then(() => warm.cg.destroy()).catch(() => undefined);
}

/** Starts a launcher ahead of the next run, unless one is ready or the installed launcher cannot wait. */
export function prepareLauncher(host: LauncherHost): void {
  if (ready || !host.launcherWaits) return;
  let cg: RunCgroup;
  try {
    cg = createRunCgroup(host.cgroups, uniqueName('run'));
  } catch {
    return; // runs start cold; the next run tries again
  }
  const { child, exit } = spawnLauncher(host, [...(host.launcherDrops ? ['-k'] : []), '-w', ...cg.procsFiles, '--'], true);
  control({ child, exit })?.on('error', () => undefined);
  setRef(child, false);
  const warm: Warm = { host, cg, child, exit };
  ready = warm;
  void exit.then(() => {
    if (ready !== warm) return;
    ready = undefined; // died while idle
    void cg.destroy().catch(() => undefined);
  });
}

/** The launcher started ahead for `host`, if one is alive; the caller owns it (and its cgroup) from here. */
export function takeLauncher(host: LauncherHost): (Launched & { cg: RunCgroup }) | undefined {
  const warm = ready;
  ready = undefined;
  if (!warm) return undefined;
  if (warm.host !== host || warm.child.exitCode !== null || warm.child.signalCode !== null) {
    discard(warm);
    return undefined;
  }
  setRef(warm.child, true);
  return warm;
}

/** Gives back a launcher taken but not used (its cgroup could not be limited): it exits and its cgroup goes. */
export function dropLauncher(launched: Launched & { cg: RunCgroup }): void {
  discard({ ...launched, host: {} as LauncherHost });
}

/** Ends the launcher waiting for the next run, if any, and removes its cgroup (no run is coming: shutdown). */
export async function closeWaitingLauncher(): Promise<void> {
  const warm = ready;
  ready = undefined;
  if (!warm) return;
  setRef(warm.child, true);
  control(warm)?.end(); // EOF with no command: it exits
  await warm.exit;
  await warm.cg.destroy().catch(() => undefined);
}

/** Sends a waiting launcher the rest of its command line. */
export function sendCommand(launched: Launched, words: string[]): void {
  control(launched)!.end(words.map((w) => `${w}\0`).join(''));
}
