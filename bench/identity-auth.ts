/**
 * Sign-in and authenticated reads under load: POST /auth/login and GET /users/me at 10 and 50 keep-alive
 * connections. Login is one scrypt verify plus bookkeeping, so its baseline is bare scrypt: the same verify, in
 * this process (same libuv threadpool), in a closed loop at the same concurrency, run right before each login
 * scenario. Goal: login throughput >= 95 % of that baseline.
 * The server is a whole control plane (harness: real event store, projections, auth, Redis rate limiter with its
 * limits raised by env) listening on an ephemeral port; the load generator runs in its own process
 * (bench/lib/http-load.ts).
 *   node --import tsx bench/identity-auth.ts [measureSeconds=10] [users=100]
 * Prints a table and writes bench/results/identity-auth.json.
 */
import os from 'node:os';
import { hashPassword, verifyPassword } from '../src/infra/password.js';
import { createHarness } from '../test/support/harness.js';
import { registerUser, type TestUser } from '../test/support/users.js';
import { loadRow, runHttpLoad, spreadRequests, type LoadRequest } from './lib/http-load.js';
import { percentile, printTable, writeResults } from './lib/report.js';

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

/** Bare scrypt verifies in `concurrency` closed loops: the ceiling a login can reach at that concurrency. */
async function scryptLoop(concurrency: number, warmupMs: number, measureMs: number) {
  const stored = await hashPassword('verify-me-please');
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + measureMs;
  let done = 0;
  let all = 0;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await verifyPassword('verify-me-please', stored);
        all++;
        const t = performance.now();
        if (t >= measureFrom && t <= end) done++; // same window rule as bench/lib/http-load.ts
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { perSec: done / (measureMs / 1000), cpuPercent: (cpuMs / (performance.now() - start)) * 100, cpuMsPerOp: cpuMs / all };
}

const h = await createHarness({
  env: { RATE_LIMIT_AUTH_PER_MIN: '1000000000', RATE_LIMIT_GLOBAL_PER_MIN: '1000000000', DB_POOL_SIZE: '20', LOG_LEVEL: 'silent' },
});
try {
  const loadAverageAtStart = os.loadavg();
  const scrypt = await scryptCost();

  const setupStarted = Date.now();
  const users: TestUser[] = [];
  for (let i = 0; i < userCount; i += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, userCount - i) }, () => registerUser(h)))));
  }
  const setupMs = Date.now() - setupStarted;
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });

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
    const bare = await scryptLoop(c, loginWindow.warmupMs, loginWindow.measureMs);
    const scenarios = [
      { name: `POST /auth/login @${c}`, requests: logins, window: loginWindow },
      { name: `GET /users/me @${c}`, requests: reads, window: readWindow },
    ];
    for (const s of scenarios) {
      const { result, server } = await runHttpLoad({ base, connections: spreadRequests(s.requests, c), ...s.window, expectStatus: 200 });
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
    measureSeconds,
    accounts: userCount,
    setupMs,
    scrypt,
    server:
      'whole control plane in this process (harness: Postgres event store, projections, Redis rate limiter with raised limits, authenticator reading the users read model), DB pool 20',
    generator: 'separate process (bench/lib/http-load.ts), closed loop, keep-alive',
    goalRatio: 0.95,
    loginVsScrypt: goals,
    notes: [
      'login = reservation stream and user stream reads (catch-up from the cached folds) + one scrypt verify + Redis session + UserLoggedIn opening the session stream signin-<sid> + wait for the users and audit-log projections (read-your-writes: admin user list and audit log read it) + profile read',
      'GET /users/me = JWT verify + users row (authenticator) + users row (profile) + Redis rate-limit round trip',
    ],
    loadAverageAtStart,
    loadAverageAtEnd: os.loadavg(),
    results: details,
  });
  console.log(`\nwritten to ${file}`);
} finally {
  await h.close();
}
