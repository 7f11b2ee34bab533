/**
 * Sandboxes started ahead of their run. bwrap building the namespaces and mounts is most of what a sandboxed run
 * costs beyond the program itself, so after a run whose box is one host-written file (interpreted languages: the
 * source), the next sandbox of the same shape (binds, environment, working directory, /tmp size) is started
 * at once: a fresh box of its own, a fresh cgroup without limits yet, the launcher joining it, bwrap building
 * the sandbox with the seccomp filter loaded, and inside it `sandbox-enter --wait-drop`, still privileged,
 * waiting for its command on a pipe. A run whose shape matches takes it: writes the run's memory and process
 * limits into the cgroup, writes the source into the pre-bound box (read-only inside), reads the cgroup's CPU
 * counter as the base, then sends the rlimits and argv; the entry sets the limits, drops privileges and execs
 * the program. Wall and CPU time count from that hand-over.
 *
 * Each sandbox serves one run and is destroyed after it (box, cgroup, namespaces). Nothing untrusted runs before
 * the run's limits are written. One idle sandbox is kept per shape, for the few most recently used shapes; one
 * that died while idle, or belongs to an earlier probe of the host, is discarded and the run starts cold. The
 * idle ones do not keep the process alive; closePrestartedSandboxes() kills them and removes their cgroups and
 * boxes, and the same happens synchronously when the process exits (bwrap's --die-with-parent covers a crash).
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { createBox, destroyBox, uniqueName, writeBoxFile, type Box } from './box.js';
import { bwrapArgs, prestartedCommand, type SandboxShape } from './chain-args.js';
import { createRunCgroup, type CgroupLimits, type RunCgroup } from './cgroup.js';
import { control, setRef, spawnLauncher, type Launched, type LauncherHost } from './launcher.js';
import { PRESTARTED_BOXES_DIR, TOOLS } from './paths.js';

/** Shapes kept warm at once (a shape differs by language only when the language binds something in). */
export const MAX_PRESTARTED = 3;
/** Size cap of a prestarted box; a source that does not fit runs cold. */
const BOX_MB = 16;
export const PRESTARTED_MAX_SOURCE_BYTES = (BOX_MB - 1) * 1024 * 1024;

export type PrestartShape = Omit<SandboxShape, 'boxDir'>;

export interface Prestarted extends Launched {
  host: LauncherHost;
  key: string;
  cg: RunCgroup;
  box: Box;
}

const idle = new Map<string, Prestarted>(); // in order of last use: the first is the one to evict
const starting = new Map<string, Promise<void>>();
const cleanups = new Set<Promise<unknown>>();
/** Every sandbox started and not yet cleaned up, idle or running: what the exit hook must not leave behind. */
const live = new Set<Prestarted>();

export const prestartKey = (shape: PrestartShape): string =>
  JSON.stringify([shape.binds ?? [], shape.env ?? {}, shape.cwd, shape.tmpBytes, shape.boxWritable]);

const ignore = () => undefined;
const exited = (p: Prestarted) => p.child.exitCode !== null || p.child.signalCode !== null;

/**
 * Work after a run (removing its box, starting the next sandbox) spawns mount and umount, and a spawn blocks the
 * event loop for a moment: it waits until the run's result has been handed back.
 */
const afterRun = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(cleanup: Promise<unknown>): void {
  const settled = cleanup.catch(ignore).finally(() => cleanups.delete(settled));
  cleanups.add(settled);
}

/** Removes what is left of a sandbox once its processes are gone: the cgroup (unless already), then the box. */
function cleanUp(p: Prestarted, cgroupGone = false): void {
  track(
    (async () => {
      await afterRun();
      if (!exited(p)) await once(p.child, 'exit');
      if (!cgroupGone) await p.cg.destroy().catch(ignore);
      await destroyBox(p.box);
      live.delete(p);
    })(),
  );
}

/** Kills a sandbox that will not run anything, and cleans up after it. */
function discard(p: Prestarted): void {
  // Unread output (bwrap's complaint, its status line) would keep the pipes, and so `exit`, from settling.
  for (const stream of p.child.stdio) (stream as NodeJS.ReadableStream | null)?.resume?.();
  setRef(p.child, true); // whoever waits for the clean-up (closePrestartedSandboxes) waits for this exit
  try {
    if (p.child.pid) process.kill(p.child.pid, 'SIGKILL'); // bwrap; --die-with-parent takes the namespace down
  } catch {
    /* already gone */
  }
  try {
    p.cg.killAll();
  } catch {
    /* cgroup already gone */
  }
  cleanUp(p);
}

/** Starts a sandbox of `shape` ahead of the run that will take it, unless one is idle or starting already. */
export function prestartSandbox(host: LauncherHost, shape: PrestartShape): Promise<void> {
  if (!host.launcherPrestarts || shape.boxWritable) return Promise.resolve();
  const key = prestartKey(shape);
  const present = idle.get(key);
  if (present && present.host === host && !exited(present)) return Promise.resolve();
  const pending = starting.get(key);
  if (pending) return pending;
  installExitHook();
  const started = start(host, key, shape)
    .catch(ignore) // runs start cold; the next run tries again
    .finally(() => starting.delete(key));
  starting.set(key, started);
  return started;
}

async function start(host: LauncherHost, key: string, shape: PrestartShape): Promise<void> {
  await afterRun();
  const box = await createBox({ writable: false, sizeMb: BOX_MB, under: PRESTARTED_BOXES_DIR });
  let cg: RunCgroup;
  try {
    cg = createRunCgroup(host.cgroups, uniqueName('run'));
  } catch (e) {
    track(destroyBox(box));
    throw e;
  }
  let launched: Launched;
  try {
    launched = spawnLauncher(host, ['-k', '-p', ...cg.procsFiles, '--', ...prestartedCommand()], true);
  } catch (e) {
    track(cg.destroy().then(() => destroyBox(box)));
    throw e;
  }
  const p: Prestarted = { ...launched, host, key, cg, box };
  live.add(p);
  control(p)?.on('error', ignore);
  const argsPipe = (p.child.stdio as unknown as Writable[])[5]!;
  argsPipe.on('error', ignore); // bwrap failed before reading them: it exits, and is discarded when taken
  argsPipe.end(bwrapArgs({ ...shape, boxDir: box.dir }).map((a) => `${a}\0`).join(''));
  setRef(p.child, false);
  const previous = idle.get(key);
  if (previous) discard(previous);
  idle.delete(key);
  idle.set(key, p);
  for (const [oldKey, oldest] of idle) {
    if (idle.size <= MAX_PRESTARTED) break;
    idle.delete(oldKey);
    discard(oldest);
  }
  p.child.once('exit', () => {
    if (idle.get(key) !== p) return;
    idle.delete(key); // died while idle
    discard(p);
  });
}

/**
 * The idle sandbox of `shape`, its cgroup limited for the run, or undefined (none, dead, stale, or the limits
 * could not be written: the run starts cold). One still being started is not waited for: that would put its
 * mount, cgroup join and spawn on the run's path, which is slower than a cold start from the launcher already
 * waiting in its cgroup (so runs right behind one another alternate between the two). The caller owns it from
 * here and hands it back to retirePrestarted().
 */
export function takePrestarted(host: LauncherHost, shape: PrestartShape, limits: CgroupLimits): Prestarted | undefined {
  const key = prestartKey(shape);
  const p = idle.get(key);
  if (!p) return undefined;
  idle.delete(key);
  if (p.host !== host || exited(p)) {
    discard(p);
    return undefined;
  }
  try {
    p.cg.setLimits(limits);
  } catch {
    discard(p);
    return undefined;
  }
  setRef(p.child, true);
  return p;
}

/** Hands the run over: the source into the box, then the rlimits and argv to the waiting entry. */
export function handOver(p: Prestarted, file: { name: string; content: string }, words: string[]): void {
  writeBoxFile(p.box, file.name, file.content);
  control(p)!.end(words.map((w) => `${w}\0`).join(''));
}

/** After its run, whose cgroup the caller has destroyed: the box goes too. */
export function retirePrestarted(p: Prestarted): void {
  cleanUp(p, true);
}

/** Kills the idle sandbox of `shape`, if any (once it has started): no run of that shape is expected. */
export async function dropPrestarted(shape: PrestartShape): Promise<void> {
  const key = prestartKey(shape);
  await starting.get(key);
  const p = idle.get(key);
  if (!p) return;
  idle.delete(key);
  discard(p);
}

/** Kills the idle sandboxes and waits until every sandbox started ahead is cleaned up. */
export async function closePrestartedSandboxes(): Promise<void> {
  await Promise.all(starting.values());
  for (const p of idle.values()) discard(p);
  idle.clear();
  while (cleanups.size > 0) await Promise.all(cleanups);
}

/** Settles once no sandbox is being started or cleaned up (benchmarks wait for it between measurements). */
export async function prestartedSettled(): Promise<void> {
  while (starting.size > 0 || cleanups.size > 0) await Promise.all([...starting.values(), ...cleanups]);
}

/** The idle sandboxes: bwrap's pid, the cgroup directories, the box (for tests and diagnostics). */
export function idlePrestarted(): Array<{ pid: number | undefined; cgroupDirs: string[]; boxDir: string }> {
  return [...idle.values()].map((p) => ({ pid: p.child.pid, cgroupDirs: p.cg.procsFiles.map((f) => path.dirname(f)), boxDir: p.box.dir }));
}

let hooked = false;
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllNow);
}

/** At exit nothing asynchronous runs any more: kill, then remove cgroups and boxes synchronously. */
function killAllNow(): void {
  for (const p of live) {
    try {
      if (p.child.pid) process.kill(p.child.pid, 'SIGKILL');
      p.cg.killAll();
    } catch {
      /* gone */
    }
  }
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const p of live) {
    for (const dir of p.cg.procsFiles.map((f) => path.dirname(f))) {
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          rmdirSync(dir);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EBUSY') break;
          Atomics.wait(pause, 0, 0, 2); // the killed tasks are still exiting
        }
      }
    }
    spawnSync(TOOLS.umount, ['--lazy', p.box.dir], { stdio: 'ignore' });
    rmSync(p.box.dir, { recursive: true, force: true });
  }
  live.clear();
}
