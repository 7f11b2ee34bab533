/**
 * cgroup layout detection and the file protocol of both hierarchies. The machine running the suite has one
 * hierarchy for real (exercised by every other sandbox test); the other is checked here against a directory
 * laid out like its cgroupfs, so the file names and parsing of both stay right.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRunCgroup, detectCgroups, type CgroupLayout } from '../../src/infra/sandbox/cgroup.js';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const PURE_V2 = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

describe('layout detection', () => {
  it('uses the v1 controllers on a hybrid host whose cgroup2 mount has none', () => {
    expect(detectCgroups(HYBRID, () => ['hugetlb'])).toEqual({
      version: 'v1',
      memory: '/sys/fs/cgroup/memory/syncode-sandbox',
      pids: '/sys/fs/cgroup/pids/syncode-sandbox',
      cpuacct: '/sys/fs/cgroup/cpuacct/syncode-sandbox',
    });
  });

  it('uses v2 on a stock Debian 12 host', () => {
    expect(detectCgroups(PURE_V2, () => ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'])).toEqual({
      version: 'v2',
      parent: '/sys/fs/cgroup/syncode-sandbox',
    });
  });

  it('finds nothing usable without memory and pids controllers', () => {
    expect(detectCgroups(PURE_V2, () => ['cpu', 'io'])).toBeNull();
    expect(detectCgroups(HYBRID.replace(/.*rw,pids\n/, ''), () => null)).toBeNull();
  });

  it('detects this machine', () => {
    expect(detectCgroups()).not.toBeNull();
  });
});

describe('file protocol', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const limits = { memoryBytes: 128 * 1024 * 1024, maxProcesses: 64 };
  const read = (...p: string[]) => readFileSync(path.join(root, ...p), 'utf8');

  it('v2: sets memory.max and pids.max; reads cpu.stat, memory.peak, memory.events', () => {
    root = mkdtempSync(path.join(tmpdir(), 'fake-cgroup2-'));
    const layout: CgroupLayout = { version: 'v2', parent: root };
    const cg = createRunCgroup(layout, 'run1', limits);
    expect(cg.procsFiles).toEqual([path.join(root, 'run1', 'cgroup.procs')]);
    expect(read('run1', 'memory.max')).toBe(String(limits.memoryBytes));
    expect(read('run1', 'pids.max')).toBe('64');
    // Optional files (swap accounting, group OOM) are written only when the kernel created them.
    expect(existsSync(path.join(root, 'run1', 'memory.swap.max'))).toBe(false);

    writeFileSync(path.join(root, 'run1', 'cpu.stat'), 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n');
    writeFileSync(path.join(root, 'run1', 'memory.peak'), '52428800\n');
    writeFileSync(path.join(root, 'run1', 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 1\n');
    writeFileSync(path.join(root, 'run1', 'pids.events'), 'max 3\n');
    expect(cg.cpuNs()).toBe(1_234_567_000);
    expect(cg.stats()).toEqual({ cpuNs: 1_234_567_000, memoryPeakBytes: 52428800, oomKills: 1, pidsLimitHits: 3 });
    cg.killAll();
    expect(read('run1', 'cgroup.kill')).toBe('1');
  });

  it('v1: one directory per controller; reads cpuacct.usage, max_usage_in_bytes, oom_control', () => {
    root = mkdtempSync(path.join(tmpdir(), 'fake-cgroup1-'));
    for (const c of ['memory', 'pids', 'cpuacct']) mkdirSync(path.join(root, c));
    const layout: CgroupLayout = { version: 'v1', memory: path.join(root, 'memory'), pids: path.join(root, 'pids'), cpuacct: path.join(root, 'cpuacct') };
    const cg = createRunCgroup(layout, 'run1', limits);
    expect(cg.procsFiles).toEqual(['memory', 'pids', 'cpuacct'].map((c) => path.join(root, c, 'run1', 'cgroup.procs')));
    expect(read('memory', 'run1', 'memory.limit_in_bytes')).toBe(String(limits.memoryBytes));
    expect(read('pids', 'run1', 'pids.max')).toBe('64');

    writeFileSync(path.join(root, 'cpuacct', 'run1', 'cpuacct.usage'), '987654321\n');
    writeFileSync(path.join(root, 'memory', 'run1', 'memory.max_usage_in_bytes'), '4096000\n');
    writeFileSync(path.join(root, 'memory', 'run1', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    writeFileSync(path.join(root, 'pids', 'run1', 'pids.events'), 'max 0\n');
    expect(cg.stats()).toEqual({ cpuNs: 987654321, memoryPeakBytes: 4096000, oomKills: 2, pidsLimitHits: 0 });
  });
});
