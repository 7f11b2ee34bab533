/**
 * Role `all` as `npm start` runs it: one process, one port. The REST API and the collab WebSocket (under /ws) share
 * the origin, so an SPA needs nothing else: sign up, create and join a room, then co-edit through the real
 * y-websocket client at the `collabUrl` the API handed out.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { serve, type Running } from '../../src/composition/serve.js';
import { peer, synced, waitFor, type Peer } from '../collab/support.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { uniqueName } from '../support/schema.js';

let running: Running;
let base: string;
const peers: Peer[] = [];

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

async function signUp(name: string) {
  const res = await call('POST', '/auth/register', undefined, { username: name, email: `${name}@example.test`, password: 'correct horse battery' });
  expect(res.status).toBe(201);
  return { id: res.body.user.id as string, token: res.body.accessToken as string };
}

beforeAll(async () => {
  const schema = uniqueName('t');
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port),
    DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, DB_SCHEMA: schema, REDIS_PREFIX: `test:${schema}`,
    RATE_LIMIT_ENABLED: 'false', SEED_ON_START: 'false', SCHEDULER_ENABLED: 'false',
  });
  running = await serve(config, 'all');
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const p of peers) p.destroy();
  const { db, schema } = running.ctx;
  const redis = running.ctx.redis;
  const keys = await redis.keys(`test:${schema}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db).catch(() => undefined);
  await running.stop();
});

describe('role all', () => {
  it('answers health with every dependency, the collab plane included', async () => {
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.services).toMatchObject({ database: 'ok', cache: 'ok', eventStore: 'ok', collab: 'ok' });
  });

  it('hands out a same-origin collabUrl where two real y-websocket clients co-edit', async () => {
    const host = await signUp(uniqueName('host'));
    const guest = await signUp(uniqueName('guest'));
    const created = await call('POST', '/rooms', host.token, { mode: 'peer', language: 'python' });
    expect(created.status).toBe(201);
    expect(created.body.collabCreated).toBe(true);
    const joined = await call('POST', `/rooms/${created.body.roomId}/join`, guest.token, { roomCode: created.body.roomCode });
    expect(joined.status).toBe(200);
    expect(joined.body.collabUrl).toBe(`ws://127.0.0.1:${new URL(base).port}/ws`);
    const detail = await call('GET', `/rooms/${created.body.roomId}`, host.token);

    const a = peer(detail.body.collabUrl, created.body.roomId, detail.body.collabToken);
    const b = peer(joined.body.collabUrl, created.body.roomId, joined.body.collabToken);
    peers.push(a, b);
    await synced(a);
    await synced(b);
    a.doc.getText('code:python').insert(0, 'print("hello")');
    await waitFor(() => b.doc.getText('code:python').toString().includes('print("hello")'), 'edit reaches the other client');
  });
});
