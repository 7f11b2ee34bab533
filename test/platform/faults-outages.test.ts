/**
 * Dependency outages: Postgres backends terminated inside projection transactions; the roles (api, worker, projector) reach Postgres and Redis through TCP proxies the test cuts
 * (every connection dropped, new ones refused) and restores — the shared servers stay up for everyone else. Redis
 * "restarting without persistence" is the cut plus deleting every key of this deployment's prefix.
 * Each outage prints its recovery time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { grantAdmin } from '../../src/commands/identity/admin.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { http, recovered, register, startCluster, until, type Cluster, type ClusterUser, type Reply, type RoleProcess } from './faults-support.js';

let c: Cluster;
let worker: RoleProcess;
let projector: RoleProcess;
let admin: ClusterUser;

const call = (method: string, url: string, options: { token?: string; body?: unknown; cookie?: string } = {}) => http(c.apiUrl, method, url, options);

function expectOutage(res: Reply, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 503, code });
  expect(res.body).toMatchObject({ statusCode: 503, message: expect.any(String), timestamp: expect.any(String) });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.headers.get('x-trace-id')).toBeTruthy();
}

beforeAll(async () => {
  c = await startCluster({ proxyPostgres: true, proxyRedis: true, env: { RATE_LIMIT_GLOBAL_PER_MIN: '1000' } });
  [projector, , worker] = await Promise.all([c.start('projector'), c.start('api'), c.start('worker')]);
  admin = await register(c.apiUrl);
  await grantAdmin(c.ctx, systemMetadata(randomUUID()), { userId: admin.id });
}, 120_000);

afterAll(async () => {
  await c?.close();
});

describe('Postgres outage', () => {
  it('answers clean 503s in the envelope, recovers without restarting any role, read models verify equal', async () => {
    const host = await register(c.apiUrl);
    c.pgProxy!.cut();
    const cutAt = Date.now();
    expectOutage(await call('GET', '/users/me', { token: host.token }), 'DATABASE_SERVICE_UNAVAILABLE');
    expectOutage(await call('POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python' } }), 'DATABASE_SERVICE_UNAVAILABLE');
    expectOutage(await call('GET', '/problems', { token: host.token }), 'DATABASE_SERVICE_UNAVAILABLE');
    await new Promise((r) => setTimeout(r, 3000)); // the roles keep retrying meanwhile
    expect(c.processes.filter((p) => !p.alive()).map((p) => p.role)).toEqual([]);

    c.pgProxy!.restore();
    const restoredAt = Date.now();
    const room = await until('a write to succeed again', async () => {
      const r = await call('POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python' } });
      return r.status === 201 ? (r.body as { roomId: string }) : undefined;
    }, 30_000, 200);
    await until('the projector to show it', async () => ((await call('GET', `/rooms/${room.roomId}`, { token: host.token })).status === 200 ? true : undefined), 30_000, 200);
    recovered(`Postgres outage of ${restoredAt - cutAt} ms (writes and projections back after restore)`, restoredAt);

    for (const p of c.processes) {
      expect({ role: p.role, alive: p.alive() }).toEqual({ role: p.role, alive: true });
      expect(p.output()).not.toMatch(/Unhandled 'error' event/);
    }
    for (const p of c.ctx.projections) {
      const v = await verifyProjection(c.ctx.db, c.schema, c.ctx.store, p);
      expect({ projection: p.name, equal: v.equal }).toEqual({ projection: p.name, equal: true });
    }
  }, 90_000);
});

describe('Redis restart without persistence', () => {
  it('reads keep working, Redis needs answer 503, and every queued run and submission ends completed or failed', async () => {
    const problem = await until('the admin role to reach the read model', async () => {
      const res = await call('POST', '/problems', {
        token: admin.token,
        body: { title: `Sum ${randomUUID().slice(0, 8)}`, description: 'Add.', difficulty: 'easy', isPublished: true, timeLimit: 2000, memoryLimit: 256, testCases: [{ input: '1 2\n', expectedOutput: '3\n' }] },
      });
      return res.status === 201 ? (res.body as { id: string }) : undefined;
    }, 20_000);
    const candidate = await register(c.apiUrl);
    const roomRes = await call('POST', '/rooms', { token: admin.token, body: { mode: 'peer', language: 'python', problemId: problem.id } });
    expect(roomRes.status).toBe(201);
    expect((await call('POST', `/rooms/${roomRes.body.roomId}/join`, { token: candidate.token, body: { roomCode: roomRes.body.roomCode } })).status).toBe(200);

    // work queued while no worker runs
    await worker.stop();
    const code = 'a, b = map(int, input().split())\nprint(a + b)\n';
    const submissions: string[] = [];
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await call('POST', `/rooms/${roomRes.body.roomId}/submit`, { token: candidate.token, body: { language: 'python', code } });
      expect(s.status).toBe(202);
      submissions.push(s.body.submissionId);
      const r = await call('POST', `/rooms/${roomRes.body.roomId}/run`, { token: candidate.token, body: { language: 'python', code, stdin: '2 3\n' } });
      expect(r.status).toBe(202);
      runs.push(r.body.jobId);
    }

    c.redisProxy!.cut();
    const cutAt = Date.now();
    // rate limiting fails open: a Postgres-only read still answers, without waiting on Redis
    const readStarted = Date.now();
    const me = await call('GET', '/users/me', { token: candidate.token });
    const readMs = Date.now() - readStarted;
    expect(me.status).toBe(200);
    process.stdout.write(`[fault] GET /users/me during the Redis outage answered in ${readMs} ms\n`);
    expectOutage(await call('POST', '/auth/refresh', { cookie: candidate.refreshCookie }), 'CACHE_SERVICE_UNAVAILABLE');
    const during = await call('POST', `/rooms/${roomRes.body.roomId}/run`, { token: candidate.token, body: { language: 'python', code, stdin: '1 1\n' } });
    expect(during.status).toBeGreaterThanOrEqual(503);
    expect(during.body).toMatchObject({ statusCode: during.status, code: expect.stringMatching(/^EXECUTION_SERVICE_/) });

    // the restart loses every key of this deployment (queued jobs, sessions, counters)
    const keys = await c.ctx.redis.keys(`${c.config.REDIS_PREFIX}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await c.ctx.redis.del(...keys);
    c.redisProxy!.restore();
    const restoredAt = Date.now();

    await c.start('worker');
    const finished = await until('every run and submission to end', async () => {
      const results = await Promise.all([
        ...submissions.map((id) => call('GET', `/submissions/${id}`, { token: candidate.token })),
        ...runs.map((id) => call('GET', `/execution/${id}`, { token: candidate.token })),
      ]);
      const ended = results.every((r) => r.status === 200 && (('stdout' in r.body) || r.body.status === 'completed' || r.body.status === 'failed'));
      return ended ? results.map((r) => r.body) : undefined;
    }, 60_000, 250);
    recovered(`Redis outage of ${restoredAt - cutAt} ms with its data lost (every queued run and submission ended)`, restoredAt);
    // re-enqueued by the sweeper and judged for real
    expect(finished.slice(0, submissions.length).map((s: any) => s.status)).toEqual(submissions.map(() => 'completed'));
    expect(finished.slice(submissions.length).map((r: any) => r.stdout)).toEqual(runs.map(() => '5\n'));

    // the sign-in session lived only in Redis: the client is told it expired, not that its token was revoked
    const refresh = await call('POST', '/auth/refresh', { cookie: candidate.refreshCookie });
    expect({ status: refresh.status, code: refresh.body?.code }).toEqual({ status: 401, code: 'AUTH_TOKEN_EXPIRED' });
    expect(c.processes.filter((p) => p.role !== 'worker').every((p) => p.alive())).toBe(true);
  }, 100_000);
});

describe('Postgres backends terminated inside projection transactions', () => {
  it('the projector process lives, rolls back, retries, and its read models verify equal', async () => {
    const hosts = await Promise.all(Array.from({ length: 4 }, () => register(c.apiUrl)));
    let terminated = 0;
    let writing = true;
    const created: Array<{ roomId: string; host: ClusterUser }> = [];
    const writes = (async () => {
      while (writing) {
        const results = await Promise.all(hosts.map((h) => call('POST', '/rooms', { token: h.token, body: { mode: 'peer', language: 'python' } })));
        results.forEach((r, i) => {
          if (r.status === 201) created.push({ roomId: r.body.roomId, host: hosts[i]! });
        });
      }
    })();
    const stopAt = Date.now() + 4000;
    while (Date.now() < stopAt) {
      // the projector's pool connections that are inside a transaction (a batch, the checkpoint update, the notify)
      const { rows } = await sql<{ ok: boolean }>`
        SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE application_name = ${projector.appName}
          AND (state LIKE 'idle in transaction%' OR query ILIKE '%projection_checkpoints%' OR query ILIKE '%pg_notify%')
          AND pid <> pg_backend_pid()`.execute(c.ctx.db);
      terminated += rows.filter((r) => r.ok).length;
      await new Promise((r) => setTimeout(r, 5));
    }
    const cutAt = Date.now();
    writing = false;
    await writes;
    expect(terminated).toBeGreaterThan(0);
    expect(created.length).toBeGreaterThan(0);
    expect(projector.alive()).toBe(true);
    expect(projector.output()).not.toMatch(/Unhandled 'error' event/);

    const last = created[created.length - 1]!;
    await until('the read models to catch up', async () => {
      const r = await call('GET', `/rooms/${last.roomId}`, { token: last.host.token });
      return r.status === 200 ? true : undefined;
    }, 20_000);
    recovered(`${terminated} projector backends terminated (read models caught up)`, cutAt);
    // no projection faulted, and every one equals a replay of the events
    const head = (await c.ctx.store.headPosition())?.commit ?? 0n;
    await until('every projection at the head', async () => {
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM projection_checkpoints WHERE position < ${head.toString()} AND status = 'running'`.execute(c.ctx.db);
      return Number(rows[0]!.n) === 0 ? true : undefined;
    }, 20_000);
    for (const p of c.ctx.projections) {
      const v = await verifyProjection(c.ctx.db, c.schema, c.ctx.store, p);
      expect({ projection: p.name, equal: v.equal }).toEqual({ projection: p.name, equal: true });
    }
  }, 90_000);
});
