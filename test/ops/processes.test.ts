/**
 * The four roles as separate processes against the local Postgres and Redis — what docker compose runs, minus the
 * containers: each answers health and metrics on its own port, they work together (a sign-up through the API is
 * projected by the projector), and SIGTERM stops the API gracefully (a request in flight completes, a new
 * connection is refused, exit code 0). Started processes print no fastify deprecation warning.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { http as call, register, startCluster, until, type Cluster, type RoleProcess } from '../platform/faults-support.js';

let c: Cluster;
const roles: Partial<Record<'api' | 'collab' | 'worker' | 'projector', RoleProcess>> = {};

function opsUrl(proc: RoleProcess): string {
  const line = proc.output().split('\n').find((l) => l.includes('"ops endpoints listening"'));
  const url = line ? (JSON.parse(line) as { url?: string }).url : undefined;
  if (!url) throw new Error(`${proc.role} printed no ops URL:\n${proc.output()}`);
  return url;
}

beforeAll(async () => {
  c = await startCluster();
  const [projector, api, collab, worker] = await Promise.all([c.start('projector'), c.start('api'), c.start('collab'), c.start('worker')]);
  Object.assign(roles, { projector, api, collab, worker });
}, 240_000);

afterAll(async () => {
  await c?.close();
});

describe('roles as separate processes', () => {
  it('each of collab, worker and projector answers live, ready and metrics on its own port', async () => {
    for (const role of ['collab', 'worker', 'projector'] as const) {
      const base = opsUrl(roles[role]!);
      expect((await call(base, 'GET', '/health/live')).body).toEqual({ status: 'ok' });
      const ready = await until(`${role} ready`, async () => {
        const r = await call(base, 'GET', '/health/ready');
        return r.status === 200 ? r : undefined;
      }, 60_000);
      expect(ready.body).toMatchObject({ status: 'ready', phase: 'running', checks: { database: 'ok', cache: 'ok' } });
      if (role === 'projector') expect(ready.body.checks.projections).toBe('ok');
      const metrics = await fetch(`${base}/metrics`);
      expect(await metrics.text()).toContain('syncode_projection_lag_events');
    }
  }, 120_000);

  it('they work together: a sign-up through the API is projected and readable, and the API is ready', async () => {
    const user = await register(c.apiUrl);
    const me = await call(c.apiUrl, 'GET', '/users/me', { token: user.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
    const health = await call(c.apiUrl, 'GET', '/health');
    expect(health.body.services).toMatchObject({ database: 'ok', cache: 'ok', eventStore: 'ok' });
    expect((await call(c.apiUrl, 'GET', '/health/ready')).status).toBe(200);
  });

  it('no process printed a fastify deprecation warning', () => {
    for (const proc of Object.values(roles)) expect(proc!.output()).not.toContain('FastifyDeprecation');
  });
});

describe('graceful shutdown of a worker', () => {
  it('a run in progress when SIGTERM arrives is finished before the worker exits 0', async () => {
    const [host, guest] = [await register(c.apiUrl), await register(c.apiUrl)];
    const room = (await call(c.apiUrl, 'POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python' } })).body as { roomId: string; roomCode: string };
    expect((await call(c.apiUrl, 'POST', `/rooms/${room.roomId}/join`, { token: guest.token, body: { roomCode: room.roomCode } })).status).toBe(200);
    for (const u of [host, guest]) expect((await call(c.apiUrl, 'POST', `/rooms/${room.roomId}/ready`, { token: u.token })).status).toBe(200);
    for (const targetStatus of ['warmup', 'coding']) {
      expect((await call(c.apiUrl, 'POST', `/rooms/${room.roomId}/control/transition`, { token: host.token, body: { targetStatus } })).status).toBe(200);
    }
    const code = 'import time\ntime.sleep(3)\nprint("finished after the signal")\n';
    const run = await call(c.apiUrl, 'POST', `/rooms/${room.roomId}/run`, { token: guest.token, body: { language: 'python', code } });
    expect(run.status).toBe(202);
    const runs = async () => (await call(c.apiUrl, 'GET', `/rooms/${room.roomId}/runs`, { token: guest.token })).body.data as Array<Record<string, unknown>>;
    await until('the run to start', async () => ((await runs())[0]?.status === 'running' ? true : undefined), 20_000);
    const worker = roles.worker!;
    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (exitCode) => resolve(exitCode)));
    worker.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The worker appended the result before exiting; the runs list is a projection, so it may lag a moment.
    // No worker is left to finish the run, so a run abandoned at SIGTERM would never reach 'completed' here.
    const done = await until('the run to be projected as finished', async () => {
      const first = (await runs())[0];
      return first && first.status !== 'running' && first.status !== 'pending' ? first : undefined;
    }, 15_000);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0, timedOut: false });
    const result = await call(c.apiUrl, 'GET', `/execution/${run.body.jobId}`, { token: guest.token });
    expect(result.body.stdout).toBe('finished after the signal\n');
  }, 60_000);
});

describe('graceful shutdown of the API', () => {
  it('a request in flight completes, a new connection is refused, the process exits 0', async () => {
    const api = roles.api!;
    const { port } = new URL(c.apiUrl);
    const body = JSON.stringify({ identifier: 'nobody@example.test', password: 'not-the-password' });
    // Send the headers and half the body, so the request is in flight when SIGTERM arrives.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        api.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 1500);
      }, 300);
    });
    const exited = new Promise<number | null>((resolve) => api.child.once('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 1000));
    await expect(fetch(`${c.apiUrl}/health/live`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
    const res = await answer;
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toMatchObject({ code: expect.any(String), statusCode: 401 });
    expect(await exited).toBe(0);
    expect(api.output()).toContain('"shutting down"');
  }, 30_000);
});
