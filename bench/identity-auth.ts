/**
 * Sign-in and authenticated reads under load: POST /auth/login and GET /users/me at 10 and 50 keep-alive
 * connections. Login is one scrypt verify plus bookkeeping, so its baseline is bare scrypt: the same verify in a
 * closed loop at the same concurrency, in a process of its own whose threadpool has the size of the API's
 * (bench/lib/scrypt-loop.ts), run right before each login scenario. Goal: login throughput >= 95 % of that.
 * The API runs as its own process with production settings (bench/lib/api-process.ts: request logging, Redis
 * rate limiter with its limits raised); this process seeds the accounts and runs the projections (as a
 * projector would); the load generator is a third process (bench/lib/http-load.ts).
 *   node --import tsx bench/identity-auth.ts [measureSeconds=10] [users=100]
 *   IDENTITY_AUTH_CPU_PROF=<dir>  also profile the API process and print where its time went
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

const profileDir = process.env.IDENTITY_AUTH_CPU_PROF;
const API_ENV = { ...runSecrets(), RATE_LIMIT_AUTH_PER_MIN: '1000000000', RATE_LIMIT_GLOBAL_PER_MIN: '1000000000' };

const h = await createHarness({ env: { ...API_ENV, DB_POOL_SIZE: '10', LOG_LEVEL: 'silent' } });
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
  // Logins take seconds at 50 connections (scrypt-bound): a longer warm-up reaches the steady state first.
  const loginWindow = { warmupMs: 5000, measureMs: Math.max(measureSeconds, 15) * 1000 };
  const readWindow = { warmupMs: 2000, measureMs: measureSeconds * 1000 };

  const rows: Array<Record<string, string | number>> = [];
  const details: Array<Record<string, unknown>> = [];
  const goals: Array<Record<string, string | number>> = [];
  for (const c of CONNECTIONS) {
    const bare = await runScryptLoop(c, loginWindow.warmupMs, loginWindow.measureMs);
    const scenarios = [
      { name: `POST /auth/login @${c}`, requests: logins, window: loginWindow },
      { name: `GET /users/me @${c}`, requests: reads, window: readWindow },
    ];
    for (const s of scenarios) {
      const { result, server } = await runHttpLoad({ base, connections: spreadRequests(s.requests, c), ...s.window, expectStatus: 200 }, api.pid);
      rows.push(loadRow(s.name, result, server));
      const { sent: _sent, ...summary } = result;
      details.push({ scenario: s.name, connections: c, ...s.window, ...summary, server });
      if (s.requests === logins) {
        goals.push({
          connections: c,
          'bare scrypt verifies/s': Math.round(bare.perSec),
          'scrypt cpu %': Math.round(bare.cpuPercent),
          'logins/s': Math.round(result.rps),
          'login cpu %': Math.round(server.cpuPercent),
          ratio: result.rps / bare.perSec,
          'scrypt cpu ms/op': bare.cpuMsPerOp,
          'login cpu ms/op': server.cpuMsPerRequest,
          // Throughput on a CPU-bound machine follows CPU per operation; this ratio is much less affected by load.
          'cpu ratio': bare.cpuMsPerOp / server.cpuMsPerRequest,
        });
      }
    }
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
  printTable('Login throughput vs bare scrypt verify at the same concurrency (goal ratio >= 0.95)', goals);
  printTable(`Identity under load (${userCount} accounts; login: ${Math.max(measureSeconds, 15)} s after 5 s warm-up, reads: ${measureSeconds} s after 2 s)`, rows);
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
      'login = reservation stream and user stream reads (revision checks against the cached folds) + one scrypt verify + Redis session + UserLoggedIn opening the session stream signin-<sid> (no wait for the projections reading it: nothing the caller reads next shows it) + profile read (users row + statistics)',
      'the projections reading UserLoggedIn (users: last login; audit-log) run in the benchmark process, on the same two cores',
      'GET /users/me = JWT verify + cached caller row + cached profile row and statistics + Redis rate-limit round trip',
    ],
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
