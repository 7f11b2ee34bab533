/**
 * Shared helpers of the rooms and sessions tests: a harness with every module wired (real sign-up, access tokens,
 * rate limits off unless asked for), optionally with the real collab plane running next to it, and shortcuts for the
 * room flows the tests build on.
 */
import { expect } from '@jest/globals';
import { startStandaloneCollab, type StandaloneCollab } from '../../src/collab/standalone.js';
import { createHttpCollabClient } from '../../src/infra/collab-client/index.js';
import { inProcessControlPlaneCallbacks } from '../../src/composition/collab-callbacks.js';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { registerAdmin, registerUser } from '../support/users.js';

export interface TestUser {
  id: string;
  token: string;
  username: string;
}

export interface RoomHarness extends Harness {
  /** the collab plane, when started with `collab: true` */
  collab?: StandaloneCollab;
}

/**
 * Without `collab`, the collab client points at a closed port: best-effort calls fail (and only flip flags), strict
 * ones (finishing a session) fail closed. With `collab`, a real collab server runs on an ephemeral port, calling back
 * this control plane in process.
 */
export async function roomHarness(options: HarnessOptions & { collab?: boolean } = {}): Promise<RoomHarness> {
  let collab: StandaloneCollab | undefined;
  const h = await createHarness({
    ...options,
    env: { RATE_LIMIT_ENABLED: 'false', COLLAB_PLANE_URL: 'http://127.0.0.1:9', ...options.env },
    setup: async (ctx) => {
      if (options.collab) {
        collab = await startStandaloneCollab({
          db: ctx.db,
          database: { url: ctx.config.DATABASE_URL, schema: ctx.schema },
          callbacks: inProcessControlPlaneCallbacks(ctx),
          secrets: { collabJwtSecret: ctx.config.COLLAB_JWT_SECRET, internalSecret: ctx.config.INTERNAL_CALLBACK_SECRET },
          host: '127.0.0.1',
          port: 0,
          options: { snapshotIntervalMs: 3_600_000, persistDebounceMs: 50, persistMaxWaitMs: 200, pingIntervalMs: 2_000 },
        });
        const client = createHttpCollabClient({ baseUrl: `http://127.0.0.1:${collab.port}`, secret: ctx.config.INTERNAL_CALLBACK_SECRET });
        ctx.collab = client;
        ctx.closers.push(async () => client.shutdown());
      }
      await options.setup?.(ctx);
    },
  });
  const close = h.close.bind(h);
  return Object.assign(h, {
    collab,
    async close() {
      await collab?.close();
      await close();
    },
  });
}

export async function newUser(h: Harness): Promise<TestUser> {
  const u = await registerUser(h);
  return { id: u.id, token: u.accessToken, username: u.username };
}

export async function newAdmin(h: Harness): Promise<TestUser> {
  const u = await registerAdmin(h);
  return { id: u.id, token: u.accessToken, username: u.username };
}

export async function createRoom(h: Harness, user: TestUser, body: Record<string, unknown> = {}): Promise<any> {
  const res = await h.request({ method: 'POST', url: '/rooms', token: user.token, body: { mode: 'peer', language: 'python', ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

export async function join(h: Harness, user: TestUser, room: { roomId: string; roomCode: string }, body: Record<string, unknown> = {}): Promise<any> {
  const res = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/join`, token: user.token, body: { roomCode: room.roomCode, ...body } });
  expect(res.status).toBe(200);
  return res.body;
}

export async function post(h: Harness, user: TestUser, url: string, body?: unknown) {
  return h.request({ method: 'POST', url, token: user.token, ...(body !== undefined ? { body } : {}) });
}

export async function transition(h: Harness, user: TestUser, roomId: string, targetStatus: string) {
  return h.request({ method: 'POST', url: `/rooms/${roomId}/control/transition`, token: user.token, body: { targetStatus } });
}

export const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
};

/** A peer room: host (interviewer) and candidate, both ready; moved on to `phase` through real transitions. */
export async function peerRoom(h: Harness, phase: 'waiting' | 'warmup' | 'coding' | 'wrapup' = 'waiting', extra: Record<string, unknown> = {}) {
  const host = await newUser(h);
  const candidate = await newUser(h);
  const room = await createRoom(h, host, { config: { maxParticipants: 4 }, ...extra });
  await join(h, candidate, room);
  if (phase !== 'waiting') {
    expect((await post(h, host, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    expect((await post(h, candidate, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    for (const p of ['warmup', 'coding', 'wrapup'] as const) {
      expect((await transition(h, host, room.roomId, p)).status).toBe(200);
      if (p === phase) break;
    }
  }
  return { host, candidate, room };
}

export const isoString = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
