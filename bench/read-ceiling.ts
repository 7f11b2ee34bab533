/**
 * Authenticated reads against the framework's ceiling, in one run, at 50 keep-alive connections:
 *   - the ceiling: a bare fastify server in its own process (bench/lib/ceiling-server.ts) whose routes verify the
 *     bearer token as the API does and answer, from memory, the JSON the API answered that caller (kept serialised);
 *   - the API: `syncode serve --role api` in its own process, configured as in production (NODE_ENV=production,
 *     request logging at info to a discarded stdout, Redis rate limits on with the global limit raised so the
 *     bench is never throttled), reading a schema seeded here (users, peer rooms of 4, the problem bank);
 *     projections run in this process.
 * Endpoints: GET /users/me, GET /rooms/:id, GET /problems?limit=20, each measured against its own ceiling (same
 * path, same body), the two back to back. The load generator is a third process (bench/lib/http-load.ts).
 * Goals: each endpoint >= 60 % of its ceiling's requests per second, p99 <= 25 ms.
 *
 *   node --import tsx bench/read-ceiling.ts [measureSeconds=10] [connections=50]
 *   READ_CEILING_CPU_PROF=<dir>  also profile the API process (node --cpu-prof) and print where its time went
 *   READ_CEILING_ENDPOINTS=me,rooms,problems  measure only the endpoints whose path contains one of these words
 *   READ_CEILING_SERIALISE=1  the ceiling serialises its answer on every request (a route returning an object)
 *                             instead of sending it kept serialised
 *   READ_CEILING_DEPLOYED_RUNTIME=1  the ceiling runs with the API's deployed memory settings (bin/syncode's V8
 *                             flags and malloc environment) instead of Node's defaults: how much of the gap is them
 *
 * Prints a table and writes bench/results/read-ceiling.json.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { systemMetadata } from '../src/commands/metadata.js';
import { seedBank } from '../src/commands/problems/seed-bank.js';
import { createRoom, joinRoom } from '../src/commands/rooms/lifecycle.js';
import { createHarness } from '../test/support/harness.js';
import { registerUser, type TestUser } from '../test/support/users.js';
import { mainThreadProfile, runSecrets, startApiProcess, type ApiProcess } from './lib/api-process.js';
import { startCeilingServer } from './lib/ceiling-server.js';
import { runtimeSettings } from './lib/runtime-settings.js';
import { printProfile, summarizeProfile } from './lib/cpu-profile.js';
import { loadRow, runHttpLoad, type LoadRequest } from './lib/http-load.js';
import { printTable, writeResults } from './lib/report.js';

const measureSeconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const WARMUP_MS = 2000;
const GOAL_RATIO = 0.6;
const GOAL_P99_MS = 25;
const profileDir = process.env.READ_CEILING_CPU_PROF;
const onlyEndpoints = process.env.READ_CEILING_ENDPOINTS?.split(',').map((w) => w.trim()).filter(Boolean);

const SECRETS = runSecrets();
const SHARED_ENV = { ...SECRETS, RATE_LIMIT_GLOBAL_PER_MIN: '1000000000', COLLAB_PLANE_URL: 'http://127.0.0.1:9' };

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, k) => fn(item, i + k)));
}

const h = await createHarness({ env: { ...SHARED_ENV, LOG_LEVEL: 'silent', DB_POOL_SIZE: '10' } });
let api: ApiProcess | undefined;
let ceiling: Awaited<ReturnType<typeof startCeilingServer>> | undefined;
try {
  const loadAverageAtStart = os.loadavg();
  const setupStarted = Date.now();
  await seedBank(h.ctx);
  const users: TestUser[] = [];
  await inBatches(Array.from({ length: connections }, (_, i) => i), 10, async () => {
    users.push(await registerUser(h));
  });
  const meta = () => systemMetadata('bench', new Date());
  // user k hosts room k; users k+1..k+3 sit in it (a peer room of 4): every user can read 4 rooms
  const rooms: string[] = [];
  await inBatches(users, 10, async (u, k) => {
    const created = await createRoom(h.ctx, { hostId: u.id, mode: 'peer', language: 'python', config: { maxParticipants: 4, isPrivate: false } }, meta());
    rooms[k] = created.state.roomId;
  });
  await inBatches(users, 10, async (_u, k) => {
    for (let j = 1; j <= 3; j++) {
      await joinRoom(h.ctx, rooms[k]!, { userId: users[(k + j) % users.length]!.id, roomCode: null, requestedRole: null, isAdmin: false }, meta());
    }
  });
  const head = (await h.ctx.store.headPosition())!.commit;
  if (!(await h.ctx.progress.waitFor(head, h.ctx.projections.map((p) => p.name), 300_000))) throw new Error('projections did not catch up');
  await sql`ANALYZE`.execute(h.ctx.db);

  api = await startApiProcess(h.config, SHARED_ENV, profileDir);
  const endpoints = [
    { name: 'GET /users/me', route: '/users/me', paths: (_k: number) => ['/users/me'] },
    { name: 'GET /rooms/:id', route: '/rooms/:id', paths: (k: number) => [0, 1, 2, 3].map((j) => `/rooms/${rooms[(k - j + users.length) % users.length]}`) },
    { name: 'GET /problems?limit=20', route: '/problems', paths: (_k: number) => ['/problems?limit=20'] },
  ].filter((e) => !onlyEndpoints?.length || onlyEndpoints.some((word) => e.route.includes(word)));
  // The ceiling answers each caller what the API answered them.
  const bodies: Record<string, unknown> = {};
  for (const e of endpoints) {
    await inBatches(users, 10, async (u, k) => {
      for (const p of e.paths(k)) {
        const res = await fetch(`${api!.base}${p}`, { headers: { authorization: `Bearer ${u.accessToken}` } });
        if (res.status !== 200) throw new Error(`${p}: ${res.status} ${await res.text()}`);
        bodies[`${u.id} ${p}`] = await res.json();
      }
    });
  }
  ceiling = await startCeilingServer({
    secret: h.config.AUTH_JWT_SECRET,
    issuer: h.config.JWT_ISSUER,
    audience: `${h.config.JWT_AUDIENCE}:access`,
    routes: endpoints.map((e) => e.route),
    bodies,
    serialisePerRequest: process.env.READ_CEILING_SERIALISE === '1',
    ...(process.env.READ_CEILING_DEPLOYED_RUNTIME === '1' ? { runtime: runtimeSettings() } : {}),
  });
  const setupMs = Date.now() - setupStarted;

  const rows: Array<Record<string, string | number>> = [];
  const goals: Array<Record<string, string | number>> = [];
  const details: Array<Record<string, unknown>> = [];
  for (const e of endpoints) {
    const perUser: LoadRequest[][] = users.map((u, k) => e.paths(k).map((p) => ({ method: 'GET', path: p, headers: { authorization: `Bearer ${u.accessToken}` } })));
    const measured: Record<string, Awaited<ReturnType<typeof runHttpLoad>>> = {};
    for (const [who, server] of [['ceiling', ceiling], ['api', api]] as const) {
      const pid = who === 'api' ? api.pid : ceiling.pid;
      const run = await runHttpLoad({ base: server.base, connections: perUser, warmupMs: WARMUP_MS, measureMs: measureSeconds * 1000, expectStatus: 200 }, pid);
      measured[who] = run;
      rows.push(loadRow(`${e.name} (${who})`, run.result, run.server));
      const { sent: _sent, ...summary } = run.result;
      details.push({ endpoint: e.name, server: who, ...summary, serverWindow: run.server });
    }
    const { ceiling: c, api: a } = measured as Required<typeof measured>;
    goals.push({
      endpoint: e.name,
      'ceiling req/s': Math.round(c!.result.rps),
      'api req/s': Math.round(a!.result.rps),
      ratio: a!.result.rps / c!.result.rps,
      'api p50 ms': a!.result.p50,
      'api p99 ms': a!.result.p99,
      'cpu ratio': c!.server.cpuMsPerRequest / a!.server.cpuMsPerRequest,
      goal: a!.result.rps / c!.result.rps >= GOAL_RATIO && a!.result.p99 <= GOAL_P99_MS ? 'met' : 'NOT met',
    });
  }
  await api.stop();

  printTable(`Reads at ${connections} connections, ${measureSeconds} s each after ${WARMUP_MS / 1000} s warm-up (server cpu: the server's own process)`, rows);
  printTable(`API vs the bare-fastify ceiling (goal: ratio >= ${GOAL_RATIO}, p99 <= ${GOAL_P99_MS} ms; cpu ratio = ceiling cpu/req over api cpu/req)`, goals);
  let profile: unknown;
  if (profileDir) {
    const newest = mainThreadProfile(readdirSync(profileDir));
    if (newest) {
      printProfile(path.join(profileDir, newest), 30);
      profile = { file: path.join(profileDir, newest), ...summarizeProfile(path.join(profileDir, newest), 30) };
    }
  }
  const file = writeResults('read-ceiling', {
    // first, so the `npm run bench` summary shows these
    ratioToCeiling: Object.fromEntries(goals.map((g) => [g.endpoint, g.ratio])),
    connections,
    measureSeconds,
    warmupSeconds: WARMUP_MS / 1000,
    dataSet: { users: users.length, rooms: rooms.length, participantsPerRoom: 4, setupMs },
    ceiling: `bare fastify in its own process: @fastify/jwt HS256 verify (same secret, issuer, audience) + the API's JSON for that caller from memory, ${process.env.READ_CEILING_SERIALISE === '1' ? 'serialised per request' : 'kept serialised'}${process.env.READ_CEILING_DEPLOYED_RUNTIME === '1' ? ", with the API's deployed memory settings" : ", Node's default memory settings"}`,
    api: 'syncode serve --role api in its own process, NODE_ENV=production, LOG_LEVEL=info (stdout discarded), Redis rate limits on (global limit raised), DB pool default',
    generator: 'separate process (bench/lib/http-load.ts), closed loop, one keep-alive connection per user',
    goal: { minShareOfCeiling: GOAL_RATIO, maxApiP99Ms: GOAL_P99_MS },
    vsCeiling: goals,
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg(),
    results: details,
    ...(profile ? { profile } : {}),
  });
  console.log(`\nwritten to ${file}`);
} finally {
  await api?.stop();
  await ceiling?.stop();
  await h.close();
}
