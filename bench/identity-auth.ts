/**
 * Sign-in and authenticated reads under load: POST /auth/login and GET /users/me at 10 and 50 keep-alive
 * connections. Login is one scrypt verify plus bookkeeping, so its baseline is bare scrypt: the same verify in a
 * closed loop at the same concurrency, in a process of its own whose threadpool has the size of the API's
 * (bench/lib/scrypt-loop.ts), in slices alternating with login slices. Goal: login throughput >= 95 % of that.
 * Login CPU is counted where it is spent: the API process, the projector (this process) and their Postgres backends.
 * The API runs as its own process with production settings (bench/lib/api-process.ts: request logging, Redis
 * rate limiter with its limits raised); this process seeds the accounts and runs the projections (as a
 * projector would); the load generator is a third process (bench/lib/http-load.ts).
 *   node --import tsx bench/identity-auth.ts [measureSeconds=10] [users=100]
 *   IDENTITY_AUTH_CPU_PROF=<dir>  also profile the API process and print where its time went
 *   IDENTITY_AUTH_LOGIN_ONLY=1    logins only (no GET /users/me scenarios)
 * Prints a table and writes bench/results/identity-auth.json.
 */
import os from 'node:os';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { hashPassword, verifyPassword } from '../src/infra/password.js';
import { createHarness } from '../test/support/harness.js';
import { registerUser, type TestUser } from '../test/support/users.js';
import { mainThreadProfile, runSecrets, startApiProcess, type ApiProcess } from './lib/api-process.js';
import { printProfile } from './lib/cpu-profile.js';
import { loadRow, runHttpLoad, spreadRequests, type LoadRequest } from './lib/http-load.js';
import { percentile, printTable, writeResults } from './lib/report.js';
import { runScryptLoop } from './lib/scrypt-loop.js';
import { backendsOf, cpuByPid, cpuSpent } from './lib/backend-cpu.js';
import type { Pool } from 'pg';

const measureSeconds = Number(process.argv[2] ?? 10);
const userCount = Number(process.argv[3] ?? 100);
const CONNECTIONS = [10, 50];
const threadpool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

async function scryptCost() {
  await hashPassword('warm-up-password');
  const sequential: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await hashPassword(`password-${i}`);
    sequential.push(performance.now() - t0);
  }
  const stored = await hashPassword('verify-me-please');
  const verify: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await verifyPassword('verify-me-please', stored);
    verify.push(performance.now() - t0);
  }
  const parallel = 40;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: parallel }, (_, i) => hashPassword(`parallel-${i}`)));
  const parallelMs = performance.now() - t0;
  sequential.sort((a, b) => a - b);
  verify.sort((a, b) => a - b);
  return {
    params: 'N=16384, r=8, p=1 (16 MiB), 64-byte key',
    hashMsP50: percentile(sequential, 50),
    hashMsP99: percentile(sequential, 99),
    verifyMsP50: percentile(verify, 50),
    parallelHashesPerSec: parallel / (parallelMs / 1000),
    threadpool,
  };
}

/** Alternating slices of bare scrypt and of logins, so a change in the machine's load hits both alike. */
const ROUNDS = 3;
const SLICE = { warmupMs: 4000, measureMs: Math.max(5, measureSeconds / 2) * 1000 };

interface LoginRun {
  detail: Record<string, unknown>;
  goal: Record<string, string | number>;
  slices: Array<Record<string, string | number>>;
}

/** One login slice: the generator's figures, the API's CPU in the window, projector and Postgres CPU per login. */
async function loginSlice(pool: Pool, c: number, logins: LoadRequest[], api: ApiProcess) {
  const backends = await backendsOf(pool, [api.pid, process.pid]);
  const postgres0 = cpuByPid(backends);
  const self0 = process.cpuUsage();
  const { result, server } = await runHttpLoad({ base: api.base, connections: spreadRequests(logins, c), ...SLICE, expectStatus: 200 }, api.pid);
  const self = process.cpuUsage(self0);
  // Warm-up included on both sides: every login sent in the slice completed in it.
  const completed = result.sent.reduce((a, b) => a + b, 0);
  return {
    result,
    server,
    projectorMs: (self.user + self.system) / 1000 / completed,
    postgresMs: cpuSpent(postgres0, cpuByPid(backends)) / completed,
  };
}

async function loginVsScrypt(pool: Pool, c: number, logins: LoadRequest[], api: ApiProcess): Promise<LoginRun> {
  // Fill the API's connection pools first, so the backends each slice samples are the ones it uses.
  await runHttpLoad({ base: api.base, connections: spreadRequests(logins, c), warmupMs: 0, measureMs: 2000, expectStatus: 200 }, api.pid);
  const slices: Array<Record<string, string | number>> = [];
  const sum = { verifies: 0, verifyCpuMs: 0, logins: 0, apiCpuMs: 0, projectorMs: 0, postgresMs: 0, unexpected: 0 };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? ['scrypt', 'login'] : ['login', 'scrypt'];
    for (const kind of order) {
      if (kind === 'scrypt') {
        const bare = await runScryptLoop(c, SLICE.warmupMs, SLICE.measureMs);
        const verifies = bare.perSec * (SLICE.measureMs / 1000);
        sum.verifies += verifies;
        sum.verifyCpuMs += bare.cpuMsPerOp * verifies;
        slices.push({ round, connections: c, slice: 'bare scrypt', 'ops/s': bare.perSec, 'cpu ms/op': bare.cpuMsPerOp, 'p50 ms': '', 'p99 ms': '', load1: os.loadavg()[0]! });
        continue;
      }
      const s = await loginSlice(pool, c, logins, api);
      sum.logins += s.result.requests;
      sum.apiCpuMs += s.server.cpuMs;
      sum.projectorMs += s.projectorMs * s.result.requests;
      sum.postgresMs += s.postgresMs * s.result.requests;
      sum.unexpected += s.result.unexpected;
      const allCpu = s.server.cpuMsPerRequest + s.projectorMs + s.postgresMs;
      slices.push({ round, connections: c, slice: 'login', 'ops/s': s.result.rps, 'cpu ms/op': allCpu, 'p50 ms': s.result.p50, 'p99 ms': s.result.p99, load1: os.loadavg()[0]! });
    }
  }
  const seconds = (ROUNDS * SLICE.measureMs) / 1000;
  const scryptCpu = sum.verifyCpuMs / sum.verifies;
  const per = (ms: number) => ms / sum.logins;
  const loginCpu = per(sum.apiCpuMs) + per(sum.projectorMs) + per(sum.postgresMs);
  const goal = {
    connections: c,
    'bare scrypt verifies/s': sum.verifies / seconds,
    'logins/s': sum.logins / seconds,
    ratio: sum.logins / sum.verifies,
    'scrypt cpu ms/op': scryptCpu,
    'api cpu ms/login': per(sum.apiCpuMs),
    'projector cpu ms/login': per(sum.projectorMs),
    'postgres cpu ms/login': per(sum.postgresMs),
    // Throughput on a CPU-bound machine follows CPU per operation; these ratios are much less affected by load.
    'cpu ratio (api)': scryptCpu / per(sum.apiCpuMs),
    'cpu ratio (all)': scryptCpu / loginCpu,
  };
  const detail = { scenario: `POST /auth/login @${c}`, rounds: ROUNDS, ...SLICE, logins: sum.logins, unexpected: sum.unexpected, ...goal };
  return { detail, goal, slices };
}

const profileDir = process.env.IDENTITY_AUTH_CPU_PROF;
/** IDENTITY_AUTH_LOGIN_ONLY=1: skip the GET /users/me scenarios (a profile of sign-in alone). */
const loginOnly = process.env.IDENTITY_AUTH_LOGIN_ONLY === '1';
const API_ENV = { ...runSecrets(), RATE_LIMIT_AUTH_PER_MIN: '1000000000', RATE_LIMIT_GLOBAL_PER_MIN: '1000000000' };

// The projector's poll interval as in production (the test harness polls faster).
const h = await createHarness({ env: { ...API_ENV, DB_POOL_SIZE: '10', LOG_LEVEL: 'silent', PROJECTION_POLL_MS: '500' } });
let api: ApiProcess | undefined;
try {
  const loadAverageAtStart = os.loadavg();
  const scrypt = await scryptCost();

  const setupStarted = Date.now();
  const users: TestUser[] = [];
  for (let i = 0; i < userCount; i += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, userCount - i) }, () => registerUser(h)))));
  }
  const setupMs = Date.now() - setupStarted;
  api = await startApiProcess(h.config, API_ENV, profileDir);
  const base = api.base;

  const logins: LoadRequest[] = users.map((u, i) => ({
    method: 'POST',
    path: '/auth/login',
    body: { identifier: i % 2 ? u.email : u.username, password: u.password },
  }));
  const reads: LoadRequest[] = users.map((u) => ({ method: 'GET', path: '/users/me', headers: { authorization: `Bearer ${u.accessToken}` } }));
  const readWindow = { warmupMs: 2000, measureMs: measureSeconds * 1000 };

  const rows: Array<Record<string, string | number>> = [];
  const details: Array<Record<string, unknown>> = [];
  const goals: Array<Record<string, string | number>> = [];
  const slices: Array<Record<string, string | number>> = [];
  for (const c of CONNECTIONS) {
    const login = await loginVsScrypt(h.ctx.pool, c, logins, api);
    details.push(login.detail);
    goals.push(login.goal);
    slices.push(...login.slices);
    if (loginOnly) continue;
    const { result, server } = await runHttpLoad({ base, connections: spreadRequests(reads, c), ...readWindow, expectStatus: 200 }, api.pid);
    rows.push(loadRow(`GET /users/me @${c}`, result, server));
    const { sent: _sent, ...summary } = result;
    details.push({ scenario: `GET /users/me @${c}`, connections: c, ...readWindow, ...summary, server });
  }

  printTable(
    `scrypt per hash (${scrypt.params}; libuv threadpool ${scrypt.threadpool}, ${os.cpus().length} CPUs)`,
    [
      {
        'hash p50 ms': scrypt.hashMsP50,
        'hash p99 ms': scrypt.hashMsP99,
        'verify p50 ms': scrypt.verifyMsP50,
        'parallel hashes/s': Math.round(scrypt.parallelHashesPerSec),
      },
    ],
  );
  printTable(`Login and bare scrypt, alternating slices (${ROUNDS} of each per concurrency, ${SLICE.measureMs / 1000} s after ${SLICE.warmupMs / 1000} s warm-up)`, slices);
  printTable('Login throughput vs bare scrypt verify at the same concurrency, summed over the slices (goal ratio >= 0.95)', goals);
  printTable(`Identity under load (${userCount} accounts; reads: ${measureSeconds} s after 2 s)`, rows);
  const file = writeResults('identity-auth', {
    // first, so the `npm run bench` summary shows these
    loginRatioToScrypt: Object.fromEntries(goals.map((g) => [`@${g.connections}`, g.ratio])),
    measureSeconds,
    accounts: userCount,
    setupMs,
    scrypt,
    server:
      'syncode serve --role api in its own process (NODE_ENV=production, request logging at info, Redis rate limiter with raised limits); projections in the benchmark process; bare scrypt in a process of its own with the same threadpool size',
    generator: 'separate process (bench/lib/http-load.ts), closed loop, keep-alive',
    goalShareOfScrypt: 0.95,
    loginVsScrypt: goals,
    notes: [
      'login = user stream read (the owner of an identifier signed in with before is checked against it; otherwise the reservation stream is read first) + one scrypt verify + Redis session + UserLoggedIn opening the session stream signin-<sid> + the wait for the projections reading it (users: last login, audit-log; woken by their progress notifications, no polling) + profile read (users row + statistics)',
      'the projections (all of them, as a projector process runs them) run in the benchmark process, on the same two cores',
      'login CPU per login: the API process over the measured window; the benchmark process (projector) and the Postgres backends serving both over the whole slice, divided by every login the slice completed',
      'slices alternate bare scrypt and login (ABBA order) so that load from other processes on the machine hits both alike',
      'GET /users/me = JWT verify + cached caller row + cached profile row and statistics + Redis rate-limit round trip',
    ],
    slices,
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg(),
    results: details,
  });
  console.log(`\nwritten to ${file}`);
  await api.stop();
  const profile = profileDir ? mainThreadProfile(readdirSync(profileDir)) : undefined;
  if (profile) printProfile(path.join(profileDir!, profile), 30);
} finally {
  await api?.stop();
  await h.close();
}
