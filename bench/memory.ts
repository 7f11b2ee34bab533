/**
 * Memory under the 50-connection read load: the resident set (RSS) of role `all` (API, projectors, workers, collab
 * in one process) and of role `api` alone (projector and collab in processes of their own), each a real
 * `serve --role` process on a schema and Redis prefix of its own. Goals: `all` ≤ 200 MB, `api` ≤ 120 MB.
 *
 * Configurations, in one run: role `all` with Node's and glibc's defaults, its TypeScript sources run through tsx
 * (the baseline), then role `all` and role `api` as `bin/syncode` deploys them — the compiled build (dist/, built
 * first by scripts/build.sh) with the launcher's memory settings (bench/lib/runtime-settings.ts reads them from the
 * script) — and role `api` with those settings but from the sources through tsx (what the build saves).
 * Each measured process first serves 20 sign-ins (scrypt) and a few reads; then GET /users/me, GET /rooms/:id and
 * GET /problems?limit=20, one after the other, each at 50 keep-alive connections (one user per connection, each
 * reading the room it hosts) for MEMORY_MEASURE_S seconds (default 8) after a 2 s warm-up, from a load generator
 * in its own process. The problem bank is seeded; rate limiting is on with the per-user limits raised so 50 users
 * can read at full speed (the limiter's Redis round trips are part of what is measured).
 *
 * RSS is read from /proc every 200 ms (peak = the largest sample; VmHWM, the kernel's high-water mark, includes
 * start-up). The role process's CPU time per request (from /proc) shows what the settings cost. Heap vs RSS: the
 * role process runs with `--expose-gc` and the probe of bench/lib/memory-probe.ts; right after the load it reports
 * the V8 heap as it stands and after a full collection. `MEMORY_PROBE_SNAPSHOT=1` also writes a heap snapshot then
 * (summarised by bench/lib/heap-summary.ts). MEMORY_ROLES=all or =api measures one role only; MEMORY_SOURCES=false
 * leaves out the sources row of role api. MEMORY_CANDIDATES="--flag A=b;--other" adds a row of role api per candidate
 * (`;`-separated; NAME=value words go to the environment, the others to Node), each on top of the deployed settings:
 * how a setting would change memory and CPU per request, against the deployed row of the same run.
 *   node --import tsx bench/memory.ts
 * Prints tables and writes bench/results/memory.json (with the load average at the start and end of each role).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedBank } from '../src/commands/problems/seed-bank.js';
import { register } from '../src/commands/identity/auth.js';
import { systemMetadata } from '../src/commands/metadata.js';
import { http as call, startCluster, until, type Cluster, type RoleProcess } from '../test/platform/faults-support.js';
import { runHttpLoad, type LoadRequest } from './lib/http-load.js';
import { mb, procCpuMs, procMemory, RssSampler } from './lib/proc-memory.js';
import type { MemorySample } from './lib/memory-probe.js';
import { buildCompiled, preloadable, runtimeSettings, SOURCE_CLI } from './lib/runtime-settings.js';
import { BENCH_SERVER_ENV } from './lib/server-env.js';
import { printTable, writeResults, type Row } from './lib/report.js';

const MEASURE_S = Number(process.env.MEMORY_MEASURE_S ?? 8);
const CONNECTIONS = 50;
const WARMUP_MS = 2000;
const GOALS_MB: Record<string, number> = { all: 200, api: 120 };
const PASSWORD = 'correct-horse-battery-staple';
/** Sign-ins each measured process serves before its idle figure (scrypt buffers are what glibc used to keep). */
const LOGINS = 20;
/** Which configurations to measure: `all`, `api` or both (default). */
const ROLES = (process.env.MEMORY_ROLES ?? 'all,api').split(',');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const probeDir = mkdtempSync(path.join(os.tmpdir(), 'syncode-memory-'));

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** RSS of a bare Node process (`loader`: with tsx's) that does nothing: what any role costs before loading the product. */
async function bareNodeRssMb(loader: string[]): Promise<number> {
  const child = spawn(process.execPath, [...loader, '-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return mb(procMemory(child.pid!).rss);
  } finally {
    child.kill('SIGKILL');
  }
}

/** Asks the probe in `proc` for a sample (SIGWINCH: its GC counters only) and waits for it. */
async function probe(proc: RoleProcess, signal: 'SIGURG' | 'SIGWINCH' = 'SIGURG'): Promise<MemorySample> {
  const before = new Set(readdirSync(probeDir));
  proc.child.kill(signal);
  const file = await until('the memory probe', async () => readdirSync(probeDir).find((f) => f.startsWith(`${proc.child.pid}-`) && f.endsWith('.json') && !before.has(f)), 120_000, 100);
  return JSON.parse(readFileSync(path.join(probeDir, file), 'utf8')) as MemorySample;
}

interface Fixture {
  users: Array<{ id: string; username: string; token: string; roomId: string }>;
}

/** Users (registered by the command, in this process: their scrypt is not the measured process's) and a room each. */
async function prepare(cluster: Cluster): Promise<Fixture> {
  await seedBank(cluster.ctx);
  const signedUp: Array<{ id: string; username: string; token: string }> = [];
  for (let i = 0; i < CONNECTIONS; i += 5) {
    signedUp.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(5, CONNECTIONS - i) }, async () => {
          const username = `mem_${randomUUID().slice(0, 12)}`;
          const signed = await register(cluster.ctx, systemMetadata(randomUUID()), { username, email: `${username}@example.test`, password: PASSWORD });
          return { id: signed.userId, username, token: signed.accessToken };
        }),
      )),
    );
  }
  await caughtUp(cluster, ['users']); // the API accepts a token once its user is in the read model
  const users: Fixture['users'] = [];
  for (const u of signedUp) {
    const room = await call(cluster.apiUrl, 'POST', '/rooms', { token: u.token, body: { mode: 'peer', language: 'python' } });
    if (room.status !== 201) throw new Error(`POST /rooms answered ${room.status}: ${JSON.stringify(room.body)}`);
    users.push({ ...u, roomId: room.body.roomId as string });
  }
  await caughtUp(cluster, ['problems', 'rooms', 'users']);
  return { users };
}

async function caughtUp(cluster: Cluster, projections: string[]): Promise<void> {
  const head = (await cluster.ctx.store.headPosition())!.commit;
  await until('the read models', async () => ((await cluster.ctx.progress.waitFor(head, projections, 1000)) ? true : undefined), 120_000);
}

const scenarios = (f: Fixture): Array<{ name: string; connections: LoadRequest[][] }> => {
  const perUser = (pathOf: (u: Fixture['users'][number]) => string) =>
    f.users.map((u) => [{ method: 'GET' as const, path: pathOf(u), headers: { authorization: `Bearer ${u.token}` } }]);
  return [
    { name: 'GET /users/me', connections: perUser(() => '/users/me') },
    { name: 'GET /rooms/:id', connections: perUser((u) => `/rooms/${u.roomId}`) },
    { name: 'GET /problems?limit=20', connections: perUser(() => '/problems?limit=20') },
  ];
};

interface RoleFigures {
  role: string;
  idleMb: number;
  peakMb: number;
  endMb: number;
  hwmMb: number;
  loads: Array<{ scenario: string; rps: number; p99: number; unexpected: number; peakMb: number; cpuMsPerRequest: number }>;
  heap: MemorySample;
  /** Garbage collection during the three loads: pause ms per request sent, and the share of them in the young generation. */
  gcMsPerRequest: number;
  gcYoungShare: number;
  loadavg: { start: string; end: string };
  settings?: string;
}

/** Runs the read load against `cluster.apiUrl` and follows the RSS of `measured`. */
async function measure(role: string, measured: RoleProcess, cluster: Cluster, fixture: Fixture): Promise<RoleFigures> {
  const startLoad = loadavg();
  // sign-ins and a few reads of each kind first, so the idle figure is of a process that has served them
  for (let i = 0; i < LOGINS; i += 4) {
    await Promise.all(fixture.users.slice(i, i + 4).map(async (u) => {
      const res = await call(cluster.apiUrl, 'POST', '/auth/login', { body: { identifier: u.username, password: PASSWORD } });
      if (res.status !== 200) throw new Error(`POST /auth/login answered ${res.status}: ${JSON.stringify(res.body)}`);
    }));
  }
  for (const s of scenarios(fixture)) for (const c of s.connections.slice(0, 3)) await call(cluster.apiUrl, 'GET', c[0]!.path, { token: c[0]!.headers!.authorization!.slice(7) });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = procMemory(measured.child.pid!).rss;
  const gcStart = (await probe(measured, 'SIGWINCH')).gc;
  let sent = 0;
  const sampler = new RssSampler(measured.child.pid!, 200);
  const loads: RoleFigures['loads'] = [];
  for (const s of scenarios(fixture)) {
    sampler.mark();
    const cpu0 = procCpuMs(measured.child.pid!);
    const { result } = await runHttpLoad({ base: cluster.apiUrl, connections: s.connections, warmupMs: WARMUP_MS, measureMs: MEASURE_S * 1000, expectStatus: 200 });
    // the role process's CPU over the whole run (warm-up included) per request sent: what a heap setting costs
    const requests = result.sent.reduce((a, b) => a + b, 0);
    sent += requests;
    const cpuMsPerRequest = (procCpuMs(measured.child.pid!) - cpu0) / requests;
    loads.push({ scenario: s.name, rps: Math.round(result.rps), p99: result.p99, unexpected: result.unexpected, peakMb: mb(sampler.peakSinceMark()), cpuMsPerRequest });
  }
  sampler.stop();
  const end = procMemory(measured.child.pid!);
  const heap = await probe(measured);
  const gcMs = heap.gc.ms - gcStart.ms;
  return {
    role, idleMb: mb(idle), peakMb: mb(sampler.peak()), endMb: mb(end.rss), hwmMb: mb(end.hwm), loads, heap,
    gcMsPerRequest: gcMs / sent, gcYoungShare: gcMs > 0 ? (heap.gc.youngMs - gcStart.youngMs) / gcMs : 0,
    loadavg: { start: startLoad, end: loadavg() },
  };
}

const ENV = { ...BENCH_SERVER_ENV, RATE_LIMIT_ENABLED: 'true' };

const bare = { node: await bareNodeRssMb([]), tsx: await bareNodeRssMb(['--import', 'tsx']) };
const compiled = buildCompiled();
const results: RoleFigures[] = [];
const others: Row[] = [];
const failures: string[] = [];
// the probe as JavaScript: the compiled roles run without tsx
const probeArgs = ['--expose-gc', '--import', preloadable(path.join(HERE, 'lib/memory-probe.ts'), probeDir)];
const deployed = runtimeSettings();
const deployedLabel = [deployed.nodeArgs.join(' '), ...Object.entries(deployed.env).map(([k, v]) => `${k}=${v}`)].join(', ');
const settings = {
  // Node's own heap defaults and glibc's adaptive malloc threshold, the sources through tsx: the baseline of the run
  defaults: { env: {}, nodeArgs: probeArgs, cli: SOURCE_CLI, label: 'Node defaults, sources through tsx' },
  deployed: { env: deployed.env, nodeArgs: [...deployed.nodeArgs, ...probeArgs], cli: compiled, label: `bin/syncode: dist/cli.js, ${deployedLabel}` },
  sources: { env: deployed.env, nodeArgs: [...deployed.nodeArgs, ...probeArgs], cli: SOURCE_CLI, label: `sources through tsx, ${deployedLabel}` },
};
type Settings = (typeof settings)[keyof typeof settings];
const candidates: Settings[] = (process.env.MEMORY_CANDIDATES ?? '').split(';').map((c) => c.trim()).filter(Boolean).map((c) => {
  const words = c.split(/\s+/);
  const env = Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  const flags = words.filter((w) => !/^[A-Z_]+=/.test(w));
  return { env: { ...deployed.env, ...env }, nodeArgs: [...deployed.nodeArgs, ...flags, ...probeArgs], cli: compiled, label: `deployed + ${c}` };
});
for (const name of Object.keys(deployed.env)) delete process.env[name]; // the baseline must not inherit them from this process
const cluster = await startCluster({ env: ENV });
try {
  const probeEnv = { MEMORY_PROBE_DIR: probeDir, LOG_LEVEL: 'info', DB_POOL_SIZE: process.env.MEMORY_DB_POOL_SIZE ?? '20' };
  const start = (role: 'all' | 'api' | 'projector' | 'collab', s: Settings) => cluster.start(role, { ...probeEnv, ...s.env }, s.nodeArgs, s.cli);
  let fixture: Fixture | undefined;
  const configurations: Array<{ role: 'all' | 'api'; settings: Settings }> = [
    { role: 'all', settings: settings.defaults },
    { role: 'all', settings: settings.deployed },
    { role: 'api', settings: settings.deployed },
    ...(process.env.MEMORY_SOURCES === 'false' ? [] : [{ role: 'api' as const, settings: settings.sources }]),
    ...candidates.map((c) => ({ role: 'api' as const, settings: c })),
  ];
  for (const c of configurations) {
    if (!ROLES.includes(c.role)) continue;
    try {
      // role api alone: the other planes in processes of their own
      const side = c.role === 'api' ? await Promise.all((['projector', 'collab'] as const).map((r) => start(r, c.settings))) : [];
      const proc = await start(c.role, c.settings);
      fixture ??= await prepare(cluster);
      results.push({ ...(await measure(c.role, proc, cluster, fixture)), settings: c.settings.label });
      for (const p of side) others.push({ role: p.role, settings: c.settings.label, 'rss MB': Math.round(mb(procMemory(p.child.pid!).rss)) });
    } catch (err) {
      // a start that times out on a busy machine must not lose the figures already taken
      failures.push(`${c.role} (${c.settings.label}): ${(err as Error).message.split('\n')[0]}`);
      console.error(failures.at(-1));
    } finally {
      await Promise.all(cluster.processes.filter((p) => p.alive()).map((p) => p.stop()));
    }
  }
} finally {
  await cluster.close();
  if (existsSync(probeDir) && process.env.MEMORY_PROBE_SNAPSHOT !== '1') rmSync(probeDir, { recursive: true, force: true });
}

const heapRow = (r: RoleFigures): Row => {
  const asIs = r.heap.asIs;
  const gc = r.heap.afterGc ?? asIs;
  return {
    role: r.role,
    'rss MB': Math.round(mb(asIs.rss)),
    'heap total MB': Math.round(mb(asIs.heapTotal)),
    'heap used MB': Math.round(mb(asIs.heapUsed)),
    'live after gc MB': Math.round(mb(gc.heapUsed)),
    'new space MB': Math.round(mb(asIs.spaces.new_space?.size ?? 0)),
    'code MB': Math.round(mb((asIs.spaces.code_space?.size ?? 0) + (asIs.spaces.code_large_object_space?.size ?? 0))),
    'external MB': Math.round(mb(asIs.external)),
    'v8 malloc MB': Math.round(mb(asIs.mallocedMemory)),
    'rss - heap total MB': Math.round(mb(asIs.rss - asIs.heapTotal)),
    'rss after gc MB': Math.round(mb(gc.rss)),
  };
};

const base = results.find((r) => r.settings === settings.defaults.label);
const deployedOf = (r: RoleFigures) => results.find((d) => d.role === r.role && d.settings === settings.deployed.label);
const cpuOf = (r: RoleFigures) => r.loads.reduce((sum, l) => sum + l.cpuMsPerRequest, 0) / r.loads.length;
const label = (r: RoleFigures) =>
  r.settings === settings.defaults.label ? `${r.role} (Node defaults, tsx)` : r.settings === settings.sources.label ? `${r.role} (sources, tsx)` : r.settings?.startsWith('deployed + ') ? `${r.role} + ${r.settings.slice(11)}` : r.role;
printTable(`Memory under the ${CONNECTIONS}-connection read load (${MEASURE_S} s per endpoint); deployed = ${settings.deployed.label}; bare node: ${Math.round(bare.node)} MB, with tsx: ${Math.round(bare.tsx)} MB`, results.map((r) => ({
  role: label(r),
  'idle MB': Math.round(r.idleMb),
  'peak MB': Math.round(r.peakMb),
  'end MB': Math.round(r.endMb),
  'VmHWM MB': Math.round(r.hwmMb),
  'goal MB': GOALS_MB[r.role]!,
  'peak / goal': Number((r.peakMb / GOALS_MB[r.role]!).toFixed(2)),
  'peak / baseline': base ? Number((r.peakMb / base.peakMb).toFixed(2)) : '',
  'cpu ms/req / baseline': base ? Number((cpuOf(r) / cpuOf(base)).toFixed(2)) : '',
  // the same role as deployed, in the same run: what a candidate setting (or the sources) changes
  'peak / deployed': deployedOf(r) ? Number((r.peakMb / deployedOf(r)!.peakMb).toFixed(2)) : '',
  'cpu / deployed': deployedOf(r) ? Number((cpuOf(r) / cpuOf(deployedOf(r)!)).toFixed(2)) : '',
  'gc ms/req': Number(r.gcMsPerRequest.toFixed(4)),
  'gc young %': Math.round(r.gcYoungShare * 100),
  loadavg: `${r.loadavg.start} → ${r.loadavg.end}`,
})));
printTable('Per endpoint', results.flatMap((r) => r.loads.map((l) => ({ role: label(r), scenario: l.scenario, 'req/s': l.rps, 'p99 ms': l.p99, 'bad status': l.unexpected, 'server cpu ms/req': Number(l.cpuMsPerRequest.toFixed(3)), 'peak MB': Math.round(l.peakMb) }))));
printTable('Heap vs RSS right after the load (as it stands, and live objects after a full collection)', results.map((r) => ({ ...heapRow(r), role: label(r) })));
if (others.length > 0) printTable('The other planes while role api was measured', others);
if (failures.length > 0) console.log(`\nnot measured: ${failures.join('; ')}`);
const file = writeResults(process.env.MEMORY_RESULT_NAME ?? 'memory', {
  measureSeconds: MEASURE_S,
  connections: CONNECTIONS,
  bareNodeRssMb: bare,
  settings,
  goalsMb: GOALS_MB,
  roles: results.map((r) => ({ ...r, goalMb: GOALS_MB[r.role], met: r.peakMb <= GOALS_MB[r.role]!, peakToBaseline: base ? r.peakMb / base.peakMb : null, cpuToBaseline: base ? cpuOf(r) / cpuOf(base) : null })),
  otherPlanes: others,
  failures,
  snapshots: process.env.MEMORY_PROBE_SNAPSHOT === '1' ? probeDir : undefined,
});
console.log(`\nwrote ${file}`);
