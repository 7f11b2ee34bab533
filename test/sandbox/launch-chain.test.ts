/**
 * The launch chain is kept short (every exec costs start-up time on each run): the launcher itself sets the
 * resource limits. These cases check that the limits a program sees are the run's, and that they still bite.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { TOOLS } from '../../src/infra/sandbox/paths.js';
import { report, run } from './helpers.js';

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

  it('refuses malformed limits instead of starting anything', () => {
    for (const bad of ['cpu=2', 'cpu=3:2', 'wings=1:1', 'fsize=x:1']) {
      const r = spawnSync(TOOLS.enter, ['-r', bad, '--', '/usr/bin/true'], { encoding: 'utf8' });
      expect({ bad, status: r.status }).toEqual({ bad, status: 125 });
      expect(r.stderr).toContain('cannot set limit');
    }
  });
});
