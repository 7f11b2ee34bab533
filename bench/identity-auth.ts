/**
 * Sign-in and authenticated reads under load: POST /auth/login and GET /users/me at 10 and 50 keep-alive
 * connections, plus the cost of one scrypt hash (the password KDF dominates login).
 * The server is a whole control plane (harness: real event store, projections, auth, Redis rate limiter with its
 * limits raised by env) listening on an ephemeral port; the load generator runs in its own process
 * (bench/identity-load.ts).
 *   node --import tsx bench/identity-auth.ts [measureSeconds=10] [users=100]
 * Prints a table and writes bench/results/identity-auth.json.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword, verifyPassword } from '../src/infra/password.js';
import { createHarness } from '../test/support/harness.js';
import { registerUser, type TestUser } from '../test/support/users.js';
import { percentile, printTable, writeResults } from './lib/report.js';
import type { LoadConfig, LoadRequest, LoadResult } from './identity-load.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
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

async function load(cfg: LoadConfig): Promise<{ result: LoadResult; serverCpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'identity-load.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, IDENTITY_LOAD_CONFIG: JSON.stringify(cfg) },
  });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.on('message', (m: { type: string }) => {
      if (m.type === 'result') resolve(m as unknown as LoadResult);
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
  });
  const cpu = process.cpuUsage(cpu0);
  return { result, serverCpu: ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100 };
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
  const scenarios = CONNECTIONS.flatMap((c) => [
    { name: `POST /auth/login @${c}`, connections: c, requests: logins, expectStatus: 200, warmupMs: 5000, measureMs: Math.max(measureSeconds, 15) * 1000 },
    { name: `GET /users/me @${c}`, connections: c, requests: reads, expectStatus: 200, warmupMs: 2000, measureMs: measureSeconds * 1000 },
  ]);

  const rows: Array<Record<string, string | number>> = [];
  const details: Array<Record<string, unknown>> = [];
  for (const s of scenarios) {
    const { result, serverCpu } = await load({
      base,
      connections: s.connections,
      warmupMs: s.warmupMs,
      measureMs: s.measureMs,
      requests: s.requests,
      expectStatus: s.expectStatus,
    });
    rows.push({
      scenario: s.name,
      'req/s': Math.round(result.rps),
      'p50 ms': result.p50,
      'p90 ms': result.p90,
      'p99 ms': result.p99,
      'max ms': result.max,
      requests: result.requests,
      'bad status': result.unexpected,
      'server cpu %': Math.round(serverCpu),
    });
    details.push({ scenario: s.name, connections: s.connections, warmupMs: s.warmupMs, measureMs: s.measureMs, ...result, serverCpuPercent: serverCpu });
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
  printTable(`Identity under load (${userCount} accounts; login: ${Math.max(measureSeconds, 15)} s after 5 s warm-up, reads: ${measureSeconds} s after 2 s)`, rows);
  const file = writeResults('identity-auth', {
    measureSeconds,
    accounts: userCount,
    setupMs,
    scrypt,
    server:
      'whole control plane in this process (harness: Postgres event store, projections, Redis rate limiter with raised limits, authenticator reading the users read model), DB pool 20',
    generator: 'separate process (bench/identity-load.ts), closed loop, keep-alive',
    notes: [
      'login = reservation stream read + user stream read + one scrypt verify + Redis session + UserLoggedIn append + wait for the users and audit-log projections (read-your-writes) + profile read',
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
