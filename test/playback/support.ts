/**
 * Helpers of the playback tests: a control plane with the real collab plane next to it (on a fixed port so it can be
 * restarted mid-session and clients reconnect to the same address), optionally the execution worker, and shortcuts
 * for typing with real y-websocket clients.
 */
import { expect } from '@jest/globals';
import { startStandaloneCollab, type StandaloneCollab } from '../../src/collab/standalone.js';
import type { EditHistoryOptions } from '../../src/collab/history.js';
import { createHttpCollabClient } from '../../src/infra/collab-client/index.js';
import { inProcessControlPlaneCallbacks } from '../../src/composition/collab-callbacks.js';
import { startExecutionWorker } from '../../src/workers/execution/start.js';
import type { AppContext } from '../../src/composition/context.js';
import { createHarness, type Harness } from '../support/harness.js';
import { peer, synced, waitFor, type Peer } from '../collab/support.js';
import { peerRoom, type TestUser } from '../rooms/support.js';

export interface PlaybackHarness extends Harness {
  collab: StandaloneCollab;
  wsUrl: string;
  /** stop the collab node (graceful: it saves and flushes) and start a fresh one on the same port */
  restartCollab(): Promise<void>;
  peers: Peer[];
}

async function startCollab(ctx: AppContext, port: number, history: Partial<EditHistoryOptions>): Promise<StandaloneCollab> {
  return startStandaloneCollab({
    db: ctx.db,
    database: { url: ctx.config.DATABASE_URL, schema: ctx.schema },
    callbacks: inProcessControlPlaneCallbacks(ctx),
    secrets: { collabJwtSecret: ctx.config.COLLAB_JWT_SECRET, internalSecret: ctx.config.INTERNAL_CALLBACK_SECRET },
    host: '127.0.0.1',
    port,
    options: { snapshotIntervalMs: 3_600_000, persistDebounceMs: 50, persistMaxWaitMs: 200, pingIntervalMs: 2_000 },
    history,
  });
}

export async function playbackHarness(options: { history?: Partial<EditHistoryOptions>; worker?: boolean } = {}): Promise<PlaybackHarness> {
  let collab: StandaloneCollab | undefined;
  let stopWorker: (() => Promise<void>) | undefined;
  const history = options.history ?? {};
  const h = await createHarness({
    env: { RATE_LIMIT_ENABLED: 'false', COLLAB_PLANE_URL: 'http://127.0.0.1:9' },
    setup: async (ctx) => {
      collab = await startCollab(ctx, 0, history);
      const client = createHttpCollabClient({ baseUrl: `http://127.0.0.1:${collab.port}`, secret: ctx.config.INTERNAL_CALLBACK_SECRET });
      ctx.collab = client;
      ctx.closers.push(async () => client.shutdown());
    },
  });
  if (options.worker) stopWorker = await startExecutionWorker(h.ctx);
  const close = h.close.bind(h);
  const out = Object.assign(h, {
    collab: collab!,
    wsUrl: `ws://127.0.0.1:${collab!.port}/ws`,
    peers: [] as Peer[],
    async restartCollab() {
      const port = out.collab.port;
      await out.collab.close();
      out.collab = await startCollab(h.ctx, port, history);
    },
    async close() {
      for (const p of out.peers) p.destroy();
      await stopWorker?.();
      await out.collab.close();
      await close();
    },
  });
  return out;
}

export function connect(h: PlaybackHarness, roomId: string, collabToken: string, language = 'python'): Peer {
  const p = peer(h.wsUrl, roomId, collabToken, language);
  h.peers.push(p);
  return p;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Type `text` at the end of the buffer, one keystroke every `gapMs`, each its own update. */
export async function typeText(p: Peer, text: string, language = 'python', gapMs = 15): Promise<void> {
  const t = p.doc.getText(`code:${language}`);
  for (const ch of text) {
    t.insert(t.length, ch);
    await sleep(gapMs);
  }
}

/** Wait until every peer shows `text` (the server accepted and relayed it). */
export async function converged(peers: Peer[], text: string): Promise<void> {
  await waitFor(() => peers.every((p) => p.text() === text), `peers to show ${JSON.stringify(text)}`);
}

export async function collabToken(h: Harness, user: TestUser, roomId: string): Promise<string> {
  const res = await h.request({ method: 'GET', url: `/rooms/${roomId}`, token: user.token });
  expect(res.status).toBe(200);
  return res.body.collabToken;
}

export async function sessionIdOf(h: Harness, user: TestUser, roomId: string): Promise<string> {
  const res = await h.request({ method: 'GET', url: `/rooms/${roomId}`, token: user.token });
  return res.body.sessionId;
}

export async function codeAt(h: Harness, user: TestUser, sessionId: string, at: Date | string) {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return h.request({ method: 'GET', url: `/sessions/${sessionId}/code?at=${encodeURIComponent(iso)}`, token: user.token });
}

/**
 * Poll until the code at `at` equals `expected` (rows reach storage on the history's flush tick). Up to 15 s: after a
 * collab restart the new history thread loads its modules first, which takes seconds on a loaded 2-core machine.
 */
export async function eventuallyCodeAt(h: Harness, user: TestUser, sessionId: string, at: Date, expected: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    const res = await codeAt(h, user, sessionId, at);
    if (res.status === 200 && res.body.code === expected) return;
    if (Date.now() - start > 15_000) {
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 200, code: expected });
      return;
    }
    await sleep(50);
  }
}

/** A peer room in its coding phase on `problemId`, with its session and both people connected and synced. */
export async function codingRoom(h: PlaybackHarness, problemId: string) {
  const { host, candidate, room } = await peerRoom(h, 'coding', { problemId });
  const sessionId = await sessionIdOf(h, host, room.roomId);
  const hostPeer = connect(h, room.roomId, await collabToken(h, host, room.roomId));
  const candPeer = connect(h, room.roomId, await collabToken(h, candidate, room.roomId));
  await synced(hostPeer);
  await synced(candPeer);
  return { host, candidate, room, sessionId, hostPeer, candPeer };
}
