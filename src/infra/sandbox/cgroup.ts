/**
 * One cgroup per sandboxed run: it caps memory and process count for the whole process tree, and its counters
 * (CPU time, peak memory, OOM kills) are what verdicts are computed from. Both hierarchies are supported:
 * pure cgroup v2 (stock Debian 12) and v1 controllers (hybrid hosts such as Firecracker VMs).
 * Files are tiny sysfs entries, so they are read and written synchronously.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CGROUP_PARENT } from './paths.js';

export type CgroupLayout =
  | { version: 'v1'; memory: string; pids: string; cpuacct: string }
  | { version: 'v2'; parent: string };

export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
}

export interface CgroupStats {
  cpuNs: number;
  memoryPeakBytes: number | null;
  oomKills: number;
  pidsLimitHits: number;
}

export interface RunCgroup {
  /** `cgroup.procs` files the launcher writes its own pid into before exec'ing the sandbox. */
  procsFiles: string[];
  cpuNs(): number;
  stats(): CgroupStats;
  /** SIGKILLs every process still in the cgroup. */
  killAll(): void;
  /** Sets the memory and process limits (a cgroup made ahead of its run gets them when the run starts). */
  setLimits(limits: CgroupLimits): void;
  /** Kills what is left and removes the cgroup, retrying while the kernel finishes tearing tasks down. */
  destroy(): Promise<void>;
}

interface Mount {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function parseMounts(mountinfo: string): Mount[] {
  return mountinfo
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right = ''] = line.split(' - ');
      const fields = (left ?? '').split(' ');
      const [fsType = '', , superOpts = ''] = right.split(' ');
      return { mountPoint: unescapeMount(fields[4] ?? ''), fsType, superOptions: superOpts.split(',') };
    });
}

const unescapeMount = (p: string) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

const readText = (file: string) => readFileSync(file, 'utf8');
const readNumber = (file: string) => Number(readText(file).trim());
/** `key value` lines (memory.events, memory.oom_control, cpu.stat, pids.events). */
function readKeyed(file: string, key: string): number | null {
  try {
    const line = readText(file).split('\n').find((l) => l.startsWith(`${key} `));
    return line ? Number(line.slice(key.length + 1)) : null;
  } catch {
    return null;
  }
}

/** For files that only exist with some kernel options (swap accounting) or versions. cgroupfs refuses to create
 * files (EACCES), so presence is checked first. */
function writeIfPresent(file: string, value: string): void {
  if (existsSync(file)) writeFileSync(file, value);
}

const controllersOf = (mountPoint: string): string[] | null => {
  try {
    return readText(path.join(mountPoint, 'cgroup.controllers')).split(/\s+/);
  } catch {
    return null;
  }
};

/**
 * Finds usable controllers. v2 wins when its root offers memory and pids; otherwise the v1 memory, pids and
 * cpuacct hierarchies must all be mounted (a hybrid host's cgroup2 mount has no controllers and is skipped).
 * Returns null when neither holds (the sandbox is then unavailable). Arguments exist for tests.
 */
export function detectCgroups(
  mountinfo = readText('/proc/self/mountinfo'),
  v2Controllers: (mountPoint: string) => string[] | null = controllersOf,
): CgroupLayout | null {
  const mounts = parseMounts(mountinfo);
  for (const m of mounts.filter((x) => x.fsType === 'cgroup2')) {
    const controllers = v2Controllers(m.mountPoint) ?? [];
    if (controllers.includes('memory') && controllers.includes('pids')) {
      return { version: 'v2', parent: path.join(m.mountPoint, CGROUP_PARENT) };
    }
  }
  const v1 = (controller: string) =>
    mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller))?.mountPoint;
  const memory = v1('memory');
  const pids = v1('pids');
  const cpuacct = v1('cpuacct');
  if (memory && pids && cpuacct) {
    return {
      version: 'v1',
      memory: path.join(memory, CGROUP_PARENT),
      pids: path.join(pids, CGROUP_PARENT),
      cpuacct: path.join(cpuacct, CGROUP_PARENT),
    };
  }
  return null;
}

function parentDirs(layout: CgroupLayout): string[] {
  return layout.version === 'v2' ? [layout.parent] : [layout.memory, layout.pids, layout.cpuacct];
}

/** Creates the parent cgroup(s) and, on v2, delegates the controllers to its children. Throws when not writable. */
export function prepareParent(layout: CgroupLayout): void {
  for (const dir of parentDirs(layout)) mkdirSync(dir, { recursive: true });
  if (layout.version === 'v2') {
    const root = path.dirname(layout.parent);
    const enabled = readText(path.join(root, 'cgroup.subtree_control')).split(/\s+/);
    const wanted = ['memory', 'pids'].filter((c) => !enabled.includes(c)).map((c) => `+${c}`).join(' ');
    if (wanted) {
      try {
        writeFileSync(path.join(root, 'cgroup.subtree_control'), wanted);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
        // A namespaced root (a container) with processes in it may not hand controllers to children ("no
        // internal processes"): move those processes into a leaf of their own, then enable them.
        const leaf = path.join(root, 'syncode-worker');
        mkdirSync(leaf, { recursive: true });
        for (const pid of readProcs(path.join(root, 'cgroup.procs'))) {
          try {
            writeFileSync(path.join(leaf, 'cgroup.procs'), String(pid));
          } catch {
            /* exited, or a kernel thread that cannot move */
          }
        }
        writeFileSync(path.join(root, 'cgroup.subtree_control'), wanted);
      }
    }
    writeFileSync(path.join(layout.parent, 'cgroup.subtree_control'), '+memory +pids');
  }
}

/** A run's cgroup; without `limits` nothing is capped yet (nothing untrusted may run before setLimits). */
export function createRunCgroup(layout: CgroupLayout, name: string, limits?: CgroupLimits): RunCgroup {
  const dirs = parentDirs(layout).map((p) => path.join(p, name));
  for (const dir of dirs) mkdirSync(dir);
  const cg = layout.version === 'v2' ? v2Cgroup(dirs[0]!) : v1Cgroup(dirs);
  if (limits) {
    try {
      cg.setLimits(limits);
    } catch (e) {
      for (const d of dirs) tryRmdir(d);
      throw e;
    }
  }
  return cg;
}

/** v1: the memory limit first, then memory+swap (which may never be below it). Both start unlimited. */
function writeV1Limits(memory: string, pids: string, limits: CgroupLimits): void {
  writeFileSync(path.join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
  // With swap accounting on, memory+swap gets the same cap so the limit cannot be dodged by swapping.
  writeIfPresent(path.join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
  try {
    writeIfPresent(path.join(memory, 'memory.swappiness'), '0'); // best effort: memsw above is the real cap
  } catch {
    /* some kernels only accept it at the root */
  }
  writeFileSync(path.join(pids, 'pids.max'), String(limits.maxProcesses));
}

function v1Cgroup(dirs: string[]): RunCgroup {
  const [memory, pids, cpuacct] = dirs as [string, string, string];
  const procsOf = (d: string) => readProcs(path.join(d, 'cgroup.procs'));
  return {
    procsFiles: dirs.map((d) => path.join(d, 'cgroup.procs')),
    cpuNs: () => readNumber(path.join(cpuacct, 'cpuacct.usage')),
    stats: () => ({
      cpuNs: readNumber(path.join(cpuacct, 'cpuacct.usage')),
      memoryPeakBytes: readNumber(path.join(memory, 'memory.max_usage_in_bytes')),
      oomKills: readKeyed(path.join(memory, 'memory.oom_control'), 'oom_kill') ?? 0,
      pidsLimitHits: readKeyed(path.join(pids, 'pids.events'), 'max') ?? 0,
    }),
    killAll: () => {
      for (const d of dirs) killPids(procsOf(d));
    },
    setLimits: (limits) => writeV1Limits(memory, pids, limits),
    destroy: () => removeDirs(dirs, () => dirs.flatMap(procsOf)),
  };
}

function writeV2Limits(dir: string, limits: CgroupLimits): void {
  writeFileSync(path.join(dir, 'memory.max'), String(limits.memoryBytes));
  writeIfPresent(path.join(dir, 'memory.swap.max'), '0');
  // An OOM kill takes the whole run down at once instead of leaving a half-dead process tree.
  writeIfPresent(path.join(dir, 'memory.oom.group'), '1');
  writeFileSync(path.join(dir, 'pids.max'), String(limits.maxProcesses));
}

function v2Cgroup(dir: string): RunCgroup {
  const procs = () => readProcs(path.join(dir, 'cgroup.procs'));
  return {
    procsFiles: [path.join(dir, 'cgroup.procs')],
    cpuNs: () => (readKeyed(path.join(dir, 'cpu.stat'), 'usage_usec') ?? 0) * 1000,
    stats: () => {
      let peak: number | null = null;
      try {
        peak = readNumber(path.join(dir, 'memory.peak')); // kernel >= 5.19
      } catch {
        peak = null;
      }
      return {
        cpuNs: (readKeyed(path.join(dir, 'cpu.stat'), 'usage_usec') ?? 0) * 1000,
        memoryPeakBytes: peak,
        oomKills: readKeyed(path.join(dir, 'memory.events'), 'oom_kill') ?? 0,
        pidsLimitHits: readKeyed(path.join(dir, 'pids.events'), 'max') ?? 0,
      };
    },
    killAll: () => {
      try {
        writeFileSync(path.join(dir, 'cgroup.kill'), '1'); // kernel >= 5.14: atomic, no fork race
      } catch {
        killPids(procs());
      }
    },
    setLimits: (limits) => writeV2Limits(dir, limits),
    destroy: () => removeDirs([dir], procs),
  };
}

function readProcs(file: string): number[] {
  try {
    return readText(file).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * rmdir fails with EBUSY until the last task is fully gone. bwrap returns as soon as its init reports the
 * program's exit, while that init is still tearing the pid namespace down, so for a few milliseconds the run's
 * cgroup can still hold dying processes: poll briefly (this is on the path of every run), then back off,
 * killing whatever is left each time, for about five seconds in all.
 */
async function removeDirs(dirs: string[], remaining: () => number[]): Promise<void> {
  let left = dirs;
  for (let attempt = 0; attempt < 150; attempt++) {
    left = left.filter((d) => !tryRmdir(d));
    if (left.length === 0) return;
    killPids(remaining());
    await sleep(attempt < 50 ? 1 : 50);
  }
  throw new Error(`could not remove cgroup ${left.join(', ')}`);
}

/** Removes run cgroups left behind by processes that no longer exist (a crashed worker). */
export async function sweepStaleCgroups(layout: CgroupLayout, isStale: (name: string) => boolean): Promise<void> {
  const names = new Set<string>();
  for (const parent of parentDirs(layout)) {
    try {
      for (const entry of readdirSync(parent, { withFileTypes: true })) if (entry.isDirectory()) names.add(entry.name);
    } catch {
      /* parent not created yet */
    }
  }
  for (const name of [...names].filter(isStale)) {
    const dirs = parentDirs(layout).map((p) => path.join(p, name)).filter((d) => existsSync(d));
    await removeDirs(dirs, () => dirs.flatMap((d) => readProcs(path.join(d, 'cgroup.procs')))).catch(() => undefined);
  }
}
