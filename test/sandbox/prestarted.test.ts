/**
 * Sandboxes started ahead of their run: after a run of an interpreted language the next sandbox of the same shape
 * is built at once and waits for its program. A run through one must be as contained as a run started cold, with
 * its limits counted from the hand-over, in a sandbox of its own; a dead one must not cost a run anything; and
 * closing leaves nothing behind.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { closePrestartedSandboxes, closeSandboxesAhead } from '../../src/infra/sandbox/index.js';
import { PRESTARTED_BOXES_DIR, TOOLS } from '../../src/infra/sandbox/paths.js';
import { idlePrestarted, MAX_PRESTARTED, prestartedSettled } from '../../src/infra/sandbox/prestarted.js';
import { forkBombProgram, report, run } from './helpers.js';

afterAll(() => closeSandboxesAhead());

/** The boxes of sandboxes started ahead by this process. */
const ourBoxes = (): string[] => readdirSync(PRESTARTED_BOXES_DIR).filter((n) => n.startsWith(`${process.pid}-`));

const IDLE_MS = 400;

/** Waits until the sandbox for the next run is built, then leaves it idle for a while. */
async function sandboxWaiting(): Promise<void> {
  await prestartedSettled();
  expect(idlePrestarted().length).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, IDLE_MS));
}

/**
 * Python prelude printing how long the sandbox had existed when the program got to run: now versus the start of
 * bwrap's init (pid 1), both since boot. At least the idle time for a sandbox started ahead, tens of ms for a cold
 * one.
 */
const AGE = `
import json, os, time
def _start(pid):
    with open(f'/proc/{pid}/stat') as f:
        return int(f.read().rsplit(')', 1)[1].split()[19])
print(json.dumps({'aheadMs': int(time.clock_gettime(time.CLOCK_BOOTTIME) * 1000 - _start(1) * 1000 / os.sysconf('SC_CLK_TCK'))}), flush=True)
`;
const aheadMs = (stdout: string) => (JSON.parse(stdout.split('\n')[0] ?? '{}') as { aheadMs: number }).aheadMs;

/** `roots` and every host process descended from them. */
function processTree(roots: number[]): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      parent.set(Number(name), Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) if (roots.includes(p)) return true;
    return false;
  };
  return [...parent.keys()].filter(inTree);
}

/** Launchers this process started that wait for the command line of a cold run (`sandbox-enter ... -w`). */
function waitingLaunchers(): number[] {
  return processTree([process.pid]).filter((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv[0] === TOOLS.enter && argv.includes('-w') && running(pid);
    } catch {
      return false;
    }
  });
}

/** Still running: neither gone nor a zombie waiting for its (new) parent to reap it. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

describe('a run in a sandbox started ahead', () => {
  it('is started ahead, and its wall and CPU time count from the hand-over', async () => {
    expect((await run('python', 'print(1)')).stdout).toBe('1\n');
    await sandboxWaiting();
    const quick = await run('python', `${AGE}print(2)`);
    expect(quick.stdout.split('\n')[1]).toBe('2');
    expect(aheadMs(quick.stdout)).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(quick.cpuTimeMs).toBeLessThan(1_000);

    await sandboxWaiting();
    const sleeper = await run('python', `${AGE}import time\ntime.sleep(120)`, { timeoutMs: 500 });
    expect(aheadMs(sleeper.stdout)).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(sleeper.verdictHint).toBe('TLE');
    expect(sleeper.durationMs).toBeGreaterThanOrEqual(2000); // wall limit = 2 × 500 + 1000 ms, all of it the program's
    expect(sleeper.durationMs).toBeLessThan(4000);

    await sandboxWaiting();
    const spinner = await run('python', `${AGE}while True: pass`, { timeoutMs: 1000 });
    expect(aheadMs(spinner.stdout)).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(spinner.verdictHint).toBe('TLE');
    if (!spinner.error?.includes('wall clock')) expect(spinner.cpuTimeMs).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it('is held to its own memory and process limits, written before its program starts', async () => {
    await run('python', 'print(1)');
    await sandboxWaiting();
    const grab = `${AGE}block = bytearray(150 * 1024 * 1024)\nfor i in range(0, len(block), 4096):\n    block[i] = 1\nprint('held')`;
    const small = await run('python', grab, { memoryMb: 64 });
    expect(aheadMs(small.stdout)).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(small.verdictHint).toBe('MLE');

    await run('python', 'print(1)'); // the default memory limit's shape again
    await sandboxWaiting();
    const bomb = await run(
      'python',
      forkBombProgram(AGE, 30),
      { timeoutMs: 5000 },
    );
    expect(aheadMs(bomb.stdout)).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(report(bomb)).toEqual({ forks: expect.any(Number), error: 11 }); // EAGAIN from pids.max
    expect(report<{ forks: number }>(bomb).forks).toBeLessThan(64);
  }, 60_000);

  it('cannot see the files of the run before it, and cannot write to its box', async () => {
    const mark = `mark${Date.now()}`;
    const first = await run('python', `open('/tmp/${mark}', 'w').write('secret')\nprint('wrote')`);
    expect(first.stdout).toBe('wrote\n');
    await sandboxWaiting();
    const second = await run(
      'python',
      `${AGE}import json, os
try:
    open('/box/pwned', 'w').write('x')
    wrote = True
except OSError:
    wrote = False
print(json.dumps({'tmp': os.listdir('/tmp'), 'box': os.listdir('/box'), 'wroteBox': wrote}))`,
    );
    expect(aheadMs(second.stdout)).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(report(second)).toEqual({ tmp: [], box: ['code.py'], wroteBox: false });
  }, 60_000);
});

describe('keeping sandboxes ahead', () => {
  it('replaces a sandbox that died while waiting with a cold start, without the run noticing', async () => {
    await run('python', 'print(1)');
    await sandboxWaiting();
    const [dead] = idlePrestarted();
    process.kill(dead!.pid!, 'SIGKILL');
    const r = await run('python', `${AGE}print('still runs')`);
    expect(r.verdictHint).toBe('OK');
    expect(r.stdout.split('\n')[1]).toBe('still runs');
    expect(aheadMs(r.stdout)).toBeLessThan(IDLE_MS - 50); // built for this run
    await prestartedSettled();
    expect(idlePrestarted().map((p) => p.pid)).not.toContain(dead!.pid); // and a new one waits for the next
  }, 60_000);

  it('keeps one per shape for the few most recently used shapes', async () => {
    // Below 64 MB the memory limit also caps /tmp, which bwrap mounts: each of these is a shape of its own.
    for (const memoryMb of [16, 24, 32, 40, 48]) expect((await run('python', 'print(1)', { memoryMb })).stdout).toBe('1\n');
    await prestartedSettled();
    expect(idlePrestarted().length).toBe(MAX_PRESTARTED);
  }, 60_000);

  it('leaves no process, cgroup or box behind once closed', async () => {
    // A test worker runs several files under one pid, and an earlier file's sandboxes are not this one's to close.
    const earlier = new Set(ourBoxes());
    await run('python', 'print(1)');
    await prestartedSettled();
    const idle = idlePrestarted();
    expect(idle.length).toBeGreaterThan(0);
    // Started means spawned: bwrap may still be building the sandbox. Built, each is bwrap, its init, the entry.
    let sandboxProcesses = processTree(idle.map((p) => p.pid!));
    for (const deadline = Date.now() + 10_000; sandboxProcesses.length < 3 * idle.length && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      sandboxProcesses = processTree(idle.map((p) => p.pid!));
    }
    expect(sandboxProcesses.length).toBe(3 * idle.length);
    await closePrestartedSandboxes();
    expect(idlePrestarted()).toEqual([]);
    expect(sandboxProcesses.filter(running)).toEqual([]);
    for (const p of idle) {
      for (const dir of p.cgroupDirs) expect(existsSync(dir)).toBe(false);
      expect(existsSync(p.boxDir)).toBe(false);
    }
    const left = ourBoxes().filter((name) => !earlier.has(name));
    expect(left).toEqual([]);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(left.concat(idle.map((p) => path.basename(p.boxDir))).filter((name) => mounts.includes(`${PRESTARTED_BOXES_DIR}/${name}`))).toEqual([]);
  }, 60_000);

  it('closing also ends the launcher waiting for the next cold run', async () => {
    // A test worker runs several files under one pid, and an earlier file's launcher is not this one's to close.
    const earlier = new Set(waitingLaunchers());
    const ours = () => waitingLaunchers().filter((pid) => !earlier.has(pid));
    // a compile step always starts cold, and a cold run leaves a launcher waiting for the next one
    expect((await run('c', 'int main(void) { return 0; }')).exitCode).toBe(0);
    for (const deadline = Date.now() + 10_000; ours().length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    const waiting = ours();
    expect(waiting.length).toBe(1);
    await closeSandboxesAhead();
    expect(waiting.filter(running)).toEqual([]);
    expect(idlePrestarted()).toEqual([]);
  }, 60_000);
});
