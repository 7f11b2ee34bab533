/**
 * The launch chain is kept short (every exec and every cgroup move costs start-up time on each run): the launcher
 * itself sets the resource limits and drops privileges, and the next run's launcher is started ahead, already in a
 * cgroup of its own. These cases check that the limits a program sees are its run's, and that they still bite.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSandboxesAhead } from '../../src/infra/sandbox/index.js';
import { TOOLS } from '../../src/infra/sandbox/paths.js';
import { report, run } from './helpers.js';

afterAll(() => closeSandboxesAhead());

describe('launch chain', () => {
  it('starts the program with the run limits in force, under bwrap\'s init only', async () => {
    const r = await run(
      'python',
      `
import json, os, resource
limits = {name: list(resource.getrlimit(getattr(resource, 'RLIMIT_' + name.upper())))
          for name in ('cpu', 'fsize', 'nofile', 'core')}
ancestry = []
pid = os.getppid()
while pid > 0:
    with open(f'/proc/{pid}/comm') as f:
        ancestry.append(f.read().strip())
    with open(f'/proc/{pid}/stat') as f:
        pid = int(f.read().rsplit(')', 1)[1].split()[1])
print(json.dumps({'limits': limits, 'ancestry': ancestry}))
`,
      { timeoutMs: 4_000 },
    );
    const seen = report<{ limits: Record<string, [number, number]>; ancestry: string[] }>(r);
    expect(seen.limits).toEqual({ cpu: [5, 6], fsize: [16 * 1024 * 1024, 16 * 1024 * 1024], nofile: [512, 512], core: [0, 0] });
    // Inside the pid namespace the program's only ancestor is bwrap's init: nothing of the host chain shows.
    expect(seen.ancestry).toEqual(['bwrap']);
  }, 60_000);

  it('stops a file at the size limit the launcher set', async () => {
    const r = await run(
      'python',
      `
import json
try:
    with open('/tmp/big', 'wb') as f:
        for _ in range(20):
            f.write(b'x' * (1024 * 1024))
    print(json.dumps({'wrote': 'all'}))
except OSError as e:
    print(json.dumps({'errno': e.errno}))
`,
    );
    expect(report(r)).toEqual({ errno: 27 }); // EFBIG at 16 MiB
  }, 60_000);

  it('gives each of several back-to-back runs its own memory limit (launchers are started ahead of their run)', async () => {
    const grab = (mb: number) => `
import json
try:
    block = bytearray(${mb} * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1
    print(json.dumps({'held': ${mb}}))
except MemoryError:
    print(json.dumps({'error': 'MemoryError'}))
`;
    await run('python', 'print(1)'); // the next run takes the launcher this one left ready
    const small = await run('python', grab(150), { memoryMb: 64 });
    expect(small.verdictHint).toBe('MLE');
    const large = await run('python', grab(150), { memoryMb: 512 });
    expect({ verdict: large.verdictHint, report: report(large) }).toEqual({ verdict: 'OK', report: { held: 150 } });
    const again = await run('python', grab(150), { memoryMb: 64 });
    expect(again.verdictHint).toBe('MLE');
    const quick = await run('python', 'print(1)');
    expect(quick.cpuTimeMs).toBeLessThan(1_000); // the waiting launcher's time is not the program's
  }, 120_000);

  it('refuses malformed limits instead of starting anything', () => {
    for (const bad of ['cpu=2', 'cpu=3:2', 'wings=1:1', 'fsize=x:1']) {
      const r = spawnSync(TOOLS.enter, ['-r', bad, '--', '/usr/bin/true'], { encoding: 'utf8' });
      expect({ bad, status: r.status }).toEqual({ bad, status: 125 });
      expect(r.stderr).toContain('cannot set limit');
    }
  });
});
