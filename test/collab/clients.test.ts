/**
 * Both HTTP clients between the planes: the control plane's collab client (typed errors, breakers) against a real
 * collab server, and the collab's control-plane callbacks client (secret header, retries, fail-closed authorize).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import {
  CollabNotFoundError,
  CollabRequestError,
  CollabTimeoutError,
  CollabUnavailableError,
  createHttpCollabClient,
} from '../../src/infra/collab-client/index.js';
import { httpControlPlaneCallbacks } from '../../src/collab/control-plane-port.js';
import { inProcessCollabClient } from '../../src/collab/in-process-client.js';
import { signCollabToken, verifyCollabToken, CollabTokenError } from '../../src/collab/token.js';
import { keySetOf, signToken } from '../../src/infra/jwt/keyring.js';
import { FakeControlPlane, INTERNAL_SECRET, peer, roomId, startCollab, synced, token, waitFor, type Peer, type TestCollab } from './support.js';

let schema: TestSchema;
let collab: TestCollab;
const peers: Peer[] = [];
const servers: http.Server[] = [];

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  schema = await createTestSchema();
  collab = await startCollab(schema, new FakeControlPlane());
});

afterAll(async () => {
  for (const p of peers) p.destroy();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await collab.close();
  await schema.drop();
});

describe('collab client (control plane → collab)', () => {
  it('drives every internal endpoint of a real collab server', async () => {
    const client = createHttpCollabClient({ baseUrl: collab.httpUrl, secret: INTERNAL_SECRET });
    try {
      const room = roomId();
      expect(await client.health()).toEqual({ status: 'ok' });
      const created = await client.createDocument({ roomId: room, initialContentByLanguage: { python: 'p' }, initialLanguage: 'python' });
      expect(created).toMatchObject({ roomId: room, created: true });
      expect((await client.createDocument({ roomId: room })).created).toBe(false);

      const p = peer(collab.wsUrl, room, token('cy', room, 'candidate'));
      peers.push(p);
      await synced(p);
      expect(await client.participantReady(room, 'cy', true)).toEqual({ success: true });
      expect(await client.updateState(room, { phase: 'coding', editorLocked: true, changedBy: 'h' })).toEqual({ success: true });
      expect(await client.changeLanguage(room, 'java', 'h')).toEqual({ success: true });
      expect(await client.getChat(room, 50)).toEqual({ messages: [] });
      expect(await client.kick(room, 'cy', 'bye')).toEqual({ kicked: true });
      await waitFor(() => p.terminal?.code === 4402, 'kicked');
      const destroyed = await client.destroyDocument(room);
      expect(destroyed.roomId).toBe(room);
      expect(Array.isArray(destroyed.finalSnapshot)).toBe(true);

      await expect(client.destroyDocument(room)).rejects.toBeInstanceOf(CollabNotFoundError);
      await expect(client.updateState(roomId(), { phase: 'coding', editorLocked: false })).rejects.toMatchObject({
        name: 'CollabNotFoundError',
        status: 404,
        code: 'COLLAB_DOCUMENT_NOT_FOUND',
      });
    } finally {
      client.shutdown();
    }
  });

  it('a wrong secret is a CollabRequestError (401) and does not trip the breaker', async () => {
    const client = createHttpCollabClient({ baseUrl: collab.httpUrl, secret: 'wrong', breaker: { volumeThreshold: 1 } });
    try {
      for (let i = 0; i < 3; i++) {
        await expect(client.kick(roomId(), 'u')).rejects.toMatchObject({ name: 'CollabRequestError', status: 401 });
      }
      expect(client.breakers.kick.opened).toBe(false);
    } finally {
      client.shutdown();
    }
  });

  it('timeouts are CollabTimeoutError; refused connections are CollabUnavailableError; the breaker opens', async () => {
    const hanging = await listen(() => undefined); // never answers
    const slow = createHttpCollabClient({ baseUrl: hanging, secret: 's', timeoutMs: 100 });
    try {
      await expect(slow.getChat('r')).rejects.toBeInstanceOf(CollabTimeoutError);
    } finally {
      slow.shutdown();
    }

    const refused = await listen(() => undefined);
    const port = new URL(refused).port;
    const last = servers.pop()!;
    last.closeAllConnections();
    await new Promise((r) => last.close(r));
    const down = createHttpCollabClient({
      baseUrl: `http://127.0.0.1:${port}`,
      secret: 's',
      breaker: { volumeThreshold: 2, resetTimeout: 60_000 },
    });
    try {
      await expect(down.createDocument({ roomId: 'r' })).rejects.toBeInstanceOf(CollabUnavailableError);
      await expect(down.createDocument({ roomId: 'r' })).rejects.toBeInstanceOf(CollabUnavailableError);
      expect(down.breakers.create.opened).toBe(true);
      await expect(down.createDocument({ roomId: 'r' })).rejects.toMatchObject({ message: expect.stringContaining('circuit open'), retryAfterMs: 60_000 });
    } finally {
      down.shutdown();
    }
  });

  it('the in-process client maps service errors to the same types', async () => {
    const client = inProcessCollabClient(collab.collab.service);
    await expect(client.destroyDocument(roomId())).rejects.toBeInstanceOf(CollabNotFoundError);
    await expect(client.createDocument({ roomId: roomId(), snapshot: [9, 9, 9, 250] })).rejects.toBeInstanceOf(CollabRequestError);
    const room = roomId();
    expect((await client.createDocument({ roomId: room })).created).toBe(true);
  });
});

describe('control-plane callbacks (collab → control plane)', () => {
  it('sends the secret, retries 5xx with backoff, and does not retry 4xx', async () => {
    const seen: Array<{ url: string; secret: string | undefined; body: string }> = [];
    let failuresLeft = 2;
    const base = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url!, secret: req.headers['x-internal-secret'] as string | undefined, body });
        if (req.url === '/internal/collab/snapshot' && failuresLeft-- > 0) {
          res.writeHead(503).end();
          return;
        }
        if (req.url!.endsWith('/authorize-join')) {
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ authorized: false, reason: 'not-participant' }));
          return;
        }
        if (req.url!.endsWith('/doc-snapshot')) {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true }));
      });
    });
    const callbacks = httpControlPlaneCallbacks(base, 'cp-secret', { baseBackoffMs: 10 });
    const payload = { roomId: 'r1', snapshot: [1], code: 'c', language: 'python', timestamp: 1, trigger: 'periodic' as const, phase: 'coding' as const };
    expect(await callbacks.snapshot(payload)).toEqual({ success: true });
    expect(seen.filter((s) => s.url === '/internal/collab/snapshot')).toHaveLength(3);
    expect(seen.every((s) => s.secret === 'cp-secret')).toBe(true);
    expect(JSON.parse(seen[0]!.body)).toEqual(payload);

    expect(await callbacks.authorizeJoin('r 1', 'u1')).toEqual({ authorized: false, reason: 'not-participant' });
    expect(seen.at(-1)!.url).toBe('/internal/rooms/r%201/authorize-join');
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ userId: 'u1' });

    const before = seen.length;
    await expect(callbacks.docSnapshot('r1', [1, 2])).rejects.toMatchObject({ status: 400 });
    expect(seen.length).toBe(before + 1);

    await callbacks.heartbeat({ participants: [{ roomId: 'r1', userId: 'u1' }] });
    await callbacks.userDisconnected({ roomId: 'r1', userId: 'u1', timestamp: 5 });
    expect(seen.slice(-2).map((s) => s.url)).toEqual(['/internal/participants/heartbeat', '/internal/collab/user-disconnected']);
  });

  it('an unreachable control plane makes authorizeJoin throw (the collab then denies with 4407)', async () => {
    const callbacks = httpControlPlaneCallbacks('http://127.0.0.1:1', 's', { retries: 1, baseBackoffMs: 1 });
    await expect(callbacks.authorizeJoin('r', 'u')).rejects.toMatchObject({ name: 'ControlPlaneCallError' });
  });
});

describe('collab token', () => {
  const secret = 'token-test-secret-token-test-secret-00';
  it('round-trips the claims, 24 h by default', () => {
    const t = signCollabToken({ userId: 'u', roomId: 'r', role: 'observer', isHost: true }, secret, { nowMs: 1_000_000 });
    const c = verifyCollabToken(t, secret, 1_000_000);
    expect(c).toMatchObject({ sub: 'u', roomId: 'r', role: 'observer', isHost: true, type: 'collab' });
    expect(c.exp - c.iat).toBe(24 * 3600);
  });
  it('rejects other token types, bad roles and missing room ids', () => {
    const access = signToken({ sub: 'u', roomId: 'r', role: 'candidate', type: 'access' }, keySetOf(secret, 'syncode:collab'), 60);
    expect(() => verifyCollabToken(access, secret)).toThrow(CollabTokenError);
    const badRole = signToken({ sub: 'u', roomId: 'r', role: 'host', type: 'collab' }, keySetOf(secret, 'syncode:collab'), 60);
    expect(() => verifyCollabToken(badRole, secret)).toThrow('invalid_claims');
    const noRoom = signToken({ sub: 'u', role: 'candidate', type: 'collab' }, keySetOf(secret, 'syncode:collab'), 60);
    expect(() => verifyCollabToken(noRoom, secret)).toThrow('invalid_claims');
  });
});
