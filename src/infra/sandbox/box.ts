/**
 * Boxes: the host directory that becomes /box inside the sandbox and holds one submission's source and build
 * output. Every box is its own size-limited tmpfs mounted nosuid,nodev,nosymfollow: a compiler cannot fill the
 * host disk, nothing in it can point the host at a host file, and the sandbox's mount table shows "/" as its
 * origin rather than a host path. Boxes of compiled languages belong to the sandbox uid (the compiler writes
 * there); the others stay root's. Runs always see their box read-only. The host never reads anything back out
 * of a box: results come from pipes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BOXES_DIR, PRESTARTED_BOXES_DIR, SANDBOX_GID, SANDBOX_UID, TOOLS } from './paths.js';

const exec = promisify(execFile);

export interface Box {
  /** Host path of the mount point. */
  dir: string;
  /** true when the sandbox uid owns it (compile steps write their output there). */
  writable: boolean;
}

let sequence = 0;
/** Box and cgroup names start with our pid so a later process can tell leftovers of a dead one. */
export function uniqueName(kind: string): string {
  sequence += 1;
  return `${process.pid}-${kind}${sequence}-${Math.random().toString(36).slice(2, 8)}`;
}

export function nameIsStale(name: string): boolean {
  const pid = Number(name.split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** `under` the boxes directory unless given (sandboxes started ahead keep theirs apart: PRESTARTED_BOXES_DIR). */
export async function createBox(opts: { writable: boolean; sizeMb: number; under?: string }): Promise<Box> {
  const parent = opts.under ?? BOXES_DIR;
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  const dir = path.join(parent, uniqueName('box'));
  mkdirSync(dir, { mode: 0o755 });
  const owner = opts.writable ? ['mode=0700', `uid=${SANDBOX_UID}`, `gid=${SANDBOX_GID}`] : ['mode=0755'];
  const options = [`size=${opts.sizeMb}m`, ...owner, 'nosuid', 'nodev', 'nosymfollow'].join(',');
  try {
    await exec(TOOLS.mount, ['-t', 'tmpfs', '-o', options, 'sandbox-box', dir]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, writable: opts.writable };
}

/** Writes a file we generated (source code); never follows anything the sandbox created. */
export function writeBoxFile(box: Box, name: string, content: string): void {
  if (name.includes('/') || name.startsWith('.')) throw new Error(`bad box file name ${name}`);
  writeFileSync(path.join(box.dir, name), content, { mode: 0o644, flag: 'wx' });
}

export async function destroyBox(box: Box): Promise<void> {
  await unmount(box.dir);
  rmSync(box.dir, { recursive: true, force: true });
}

async function unmount(dir: string): Promise<void> {
  try {
    await exec(TOOLS.umount, [dir]);
  } catch {
    // Still busy (a process of a killed run not reaped yet): detach now, the kernel frees it when idle.
    await exec(TOOLS.umount, ['--lazy', dir]).catch(() => undefined);
  }
}

function mountPoints(): Set<string> {
  const points = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const p = line.split(' ')[4];
    if (p) points.add(p);
  }
  return points;
}

/** Unmounts and deletes boxes of worker processes that died without releasing them. */
export async function sweepStaleBoxes(): Promise<void> {
  const mounted = mountPoints();
  for (const parent of [BOXES_DIR, PRESTARTED_BOXES_DIR].filter((d) => existsSync(d))) {
    for (const name of readdirSync(parent).filter(nameIsStale)) {
      const dir = path.join(parent, name);
      if (mounted.has(dir)) await unmount(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
