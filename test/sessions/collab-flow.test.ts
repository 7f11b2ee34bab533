/**
 * With the real collab plane (a collab server on an ephemeral port calling this control plane back in process, real
 * y-websocket clients): the finishing protocol (SPEC §2.4), code snapshots, the scripted session timeline and its
 * replay, presence callbacks, kick, ensure and destroy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { replayCli, replaySession } from '../../src/commands/sessions/replay.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { cleanupAbandonedRooms } from '../../src/workers/scheduler/rooms.js';
import { peer, synced, waitFor, type Peer } from '../collab/support.js';
import { createProblem } from '../problems/support.js';
import {
  createRoom,
  expectError,
  join,
  newAdmin,
  newUser,
  peerRoom,
  post,
  roomHarness,
  transition,
  type RoomHarness,
  type TestUser,
} from '../rooms/support.js';

let h: RoomHarness;
let admin: TestUser;
let problem: any;
const peers: Peer[] = [];

beforeAll(async () => {
  h = await roomHarness({ collab: true });
  admin = await newAdmin(h);
  problem = await createProblem(h, admin, { starterCode: { python: 'def solve():\n    pass\n', javascript: '' } });
}, 120_000);
afterAll(async () => {
  for (const p of peers) p.destroy();
  await h.close();
});

const get = (user: TestUser, url: string) => h.request({ method: 'GET', url, token: user.token });
const wsUrl = () => `ws://127.0.0.1:${h.collab!.port}/ws`;
function connect(roomId: string, collabToken: string, language = 'python'): Peer {
  const p = peer(wsUrl(), roomId, collabToken, language);
  peers.push(p);
  return p;
}
async function timelineOf(user: TestUser, sessionId: string, query = '') {
  const res = await get(user, `/sessions/${sessionId}/timeline${query}`);
  expect(res.status).toBe(200);
  return res.body;
}
async function waitForRows(query: string, params: unknown[], what: string): Promise<void> {
  const start = Date.now();
  while ((await h.ctx.pool.query(query, params)).rowCount === 0) {
    if (Date.now() - start > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function waitForTimeline(user: TestUser, sessionId: string, predicate: (events: any[]) => boolean, what: string) {
  const start = Date.now();
  for (;;) {
    const { data } = await timelineOf(user, sessionId);
    if (predicate(data)) return data;
    if (Date.now() - start > 5000) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(data.map((e: any) => e.eventType))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('with the real collab plane: room documents', () => {
  it('creating a room creates its document seeded with the starter code (collabCreated)', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { problemId: problem.id });
    expect(room.collabCreated).toBe(true);
    const detail = (await get(host, `/rooms/${room.roomId}`)).body;
    const p = connect(room.roomId, detail.collabToken);
    await synced(p);
    expect(p.text()).toBe('def solve():\n    pass\n');
  });

  it('ensure: false while live, true after the document was closed (rebuilt from the stored state)', async () => {
    const { host, room } = await peerRoom(h, 'waiting', { problemId: problem.id });
    expect((await post(h, host, `/rooms/${room.roomId}/collab/ensure`)).body).toEqual({ recreated: false });
    await h.collab!.collab.service.destroyDocument(room.roomId);
    expect((await post(h, host, `/rooms/${room.roomId}/collab/ensure`)).body).toEqual({ recreated: true });
  });

  it('kick closes the removed user’s socket with 4402; disconnect marks a participant inactive; heartbeats land', async () => {
    const { host, room } = await peerRoom(h);
    const carol = await newUser(h);
    const joined = await join(h, carol, room);
    const p = connect(room.roomId, joined.collabToken);
    await synced(p);
    await waitForRows('SELECT 1 FROM room_participant_presence WHERE room_id = $1 AND user_id = $2', [room.roomId, carol.id], 'heartbeat');
    expect((await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${carol.id}`, token: host.token })).status).toBe(204);
    await waitFor(() => p.terminal !== null, 'kick');
    expect(p.terminal!.code).toBe(4402);

    const dave = await newUser(h);
    const daveJoin = await join(h, dave, room);
    const q = connect(room.roomId, daveJoin.collabToken);
    await synced(q);
    q.destroy();
    await waitForRows('SELECT 1 FROM room_participants WHERE room_id = $1 AND user_id = $2 AND NOT is_active', [room.roomId, dave.id], 'disconnect');
  });

  it('a removed user cannot open the document (authorize-join denies, close 4407)', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const token = (await get(candidate, `/rooms/${room.roomId}`)).body.collabToken;
    await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${candidate.id}`, token: host.token });
    const p = connect(room.roomId, token);
    await waitFor(() => p.terminal !== null, 'denied join');
    expect(p.terminal!.code).toBe(4407);
  });

  it('destroying a room closes its document: collabDeleted with the final state', async () => {
    const { host, room } = await peerRoom(h, 'waiting', { problemId: problem.id });
    const res = await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}`, token: host.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ roomId: room.roomId, collabDeleted: true, mediaDeleted: false, finalSnapshot: expect.any(Array) });
  });
});

describe('with the real collab plane: finishing (SPEC §2.4)', () => {
  it('finishing from wrapup records the session_end snapshot, finishes the session with the coding time', async () => {
    const { host, candidate, room } = await peerRoom(h, 'wrapup', { problemId: problem.id });
    const res = await transition(h, host, room.roomId, 'finished');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ previousStatus: 'wrapup', currentStatus: 'finished' });
    const { sessionId } = (await get(candidate, `/rooms/${room.roomId}`)).body;
    const { rows: [s] } = await h.ctx.pool.query('SELECT status, finished_at, duration_ms FROM sessions WHERE id = $1', [sessionId]);
    expect(s.status).toBe('finished');
    expect(Number(s.duration_ms)).toBeGreaterThanOrEqual(0);
    const snaps = (await get(candidate, `/sessions/${sessionId}/snapshots`)).body.data;
    expect(snaps.map((x: any) => x.trigger)).toContain('phase_change');
    const events = [];
    for await (const e of h.ctx.store.readStream(`session-${sessionId}`)) events.push(e.type);
    expect(events).toContain('SessionFinished');
    expect(events.some((t) => t === 'SessionEndSnapshotConfirmed' || t === 'CodeSnapshotTaken')).toBe(true);
  });

  it('a closed document is recreated from its stored state and the room still finishes', async () => {
    const { host, room } = await peerRoom(h, 'coding', { problemId: problem.id });
    await h.collab!.collab.service.destroyDocument(room.roomId);
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);
  });

  it('a host whose socket dropped (inactive, still host) can finish the room', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    const gone = await h.request({
      method: 'POST',
      url: '/internal/collab/user-disconnected',
      headers: { 'x-internal-secret': h.config.INTERNAL_CALLBACK_SECRET },
      body: { roomId: room.roomId, userId: host.id, timestamp: Date.now() },
    });
    expect(gone.body).toEqual({ success: true });
    expect((await transition(h, host, room.roomId, 'finished')).body.currentStatus).toBe('finished');
  });

  it('the abandoned-room cleanup finishes an empty coding room and its session', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    await post(h, host, `/rooms/${room.roomId}/leave`);
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    const run = await cleanupAbandonedRooms(h.ctx, new Date(Date.now() + 11 * 60_000));
    expect(run.finished).toContain(room.roomId);
    const { rows } = await h.ctx.pool.query('SELECT r.status, s.status AS session_status, s.finish_reason FROM rooms r JOIN sessions s ON s.room_id = r.id WHERE r.id = $1', [room.roomId]);
    expect(rows[0]).toEqual({ status: 'finished', session_status: 'finished', finish_reason: 'abandoned' });
  });

  it('an admin force-closes a coding room through the same path', async () => {
    const { room } = await peerRoom(h, 'coding');
    const res = await post(h, admin, `/admin/rooms/${room.roomId}/close`);
    expect(res.body).toMatchObject({ previousStatus: 'coding', currentStatus: 'finished', closedBy: admin.id });
    const { rows } = await h.ctx.pool.query('SELECT finish_reason, finished_by FROM sessions WHERE room_id = $1', [room.roomId]);
    expect(rows[0]).toEqual({ finish_reason: 'admin', finished_by: admin.id });
  });

  it('fails closed when the collab plane refuses the final snapshot: nothing committed', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    const saved = h.ctx.collab!;
    h.ctx.collab = { ...saved, updateState: async () => { throw new Error('collab exploded'); } };
    try {
      expectError(await transition(h, host, room.roomId, 'finished'), 503, 'COLLAB_SERVICE_UNAVAILABLE');
    } finally {
      h.ctx.collab = saved;
    }
    expect((await get(host, `/rooms/${room.roomId}`)).body.status).toBe('coding');
  });
});

describe('with the real collab plane: a scripted session, its timeline and its replay', () => {
  it('join, ready, warmup, coding, language change, lock, unlock, finish: exactly those events, in order', async () => {
    const host = await newUser(h);
    const cand = await newUser(h);
    const room = await createRoom(h, host, { problemId: problem.id });
    const joined = await join(h, cand, room);
    await post(h, host, `/rooms/${room.roomId}/ready`);
    await post(h, cand, `/rooms/${room.roomId}/ready`);
    expect((await transition(h, host, room.roomId, 'warmup')).status).toBe(200);
    const { sessionId } = (await get(host, `/rooms/${room.roomId}`)).body;
    await waitForTimeline(host, sessionId, (d) => d.some((e) => e.eventType === 'snapshot_taken'), 'warmup snapshot');
    expect((await transition(h, host, room.roomId, 'coding')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200)); // the phase_change snapshot is unchanged code: nothing recorded
    expect((await h.request({ method: 'PATCH', url: `/rooms/${room.roomId}/language`, token: cand.token, body: { language: 'javascript' } })).status).toBe(200);

    const p = connect(room.roomId, joined.collabToken, 'javascript');
    await synced(p);
    p.doc.getText('code:javascript').insert(0, 'function solve() {\n  return 42;\n}\n');
    await new Promise((r) => setTimeout(r, 200));
    const beforeLock = new Date();
    await new Promise((r) => setTimeout(r, 20));

    expect((await post(h, host, `/rooms/${room.roomId}/control/lock-editor`)).body.changed).toBe(true);
    await waitForTimeline(host, sessionId, (d) => d.filter((e) => e.eventType === 'snapshot_taken').length === 2, 'lock snapshot');
    expect((await post(h, host, `/rooms/${room.roomId}/control/unlock-editor`)).body.changed).toBe(true);
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);
    p.destroy();

    const { data } = await timelineOf(host, sessionId);
    const told = data.map((e: any) => [e.eventType, e.userId, e.metadata]);
    expect(told).toEqual([
      ['participant_joined', host.id, { role: 'interviewer', reason: 'host', rejoined: false }],
      ['participant_joined', cand.id, { role: 'candidate', reason: 'auto-assigned', rejoined: false }],
      ['ready_toggled', host.id, { isReady: true }],
      ['ready_toggled', cand.id, { isReady: true }],
      ['phase_changed', host.id, { from: 'waiting', to: 'warmup', by: host.id }],
      ['session_started', host.id, { phase: 'warmup', sessionId }],
      ['snapshot_taken', null, expect.objectContaining({ trigger: 'phase_change', language: 'python' })],
      ['phase_changed', host.id, { from: 'warmup', to: 'coding', by: host.id }],
      ['language_changed', cand.id, { from: 'python', to: 'javascript' }],
      ['editor_locked', host.id, { by: host.id }],
      ['snapshot_taken', null, expect.objectContaining({ trigger: 'submission', language: 'javascript', linesOfCode: 4 })],
      ['editor_unlocked', host.id, { by: host.id }],
      ['snapshot_taken', null, expect.objectContaining({ trigger: 'session_end', unchanged: true })],
      ['phase_changed', host.id, { from: 'coding', to: 'finished', by: host.id }],
      ['session_finished', host.id, { durationMs: expect.any(Number), by: 'user' }],
    ]);
    for (const e of data) expect(e.timestamp).toMatch(/Z$/);

    // the replay reads the event store and tells the same story
    const replay = await replaySession(h.ctx, sessionId);
    expect(replay.events).toEqual(data);
    expect(replay.code).toMatchObject({ language: 'javascript', code: 'function solve() {\n  return 42;\n}\n', trigger: 'submission' });
    const earlier = await replaySession(h.ctx, sessionId, beforeLock);
    expect(earlier.code).toMatchObject({ language: 'python', code: 'def solve():\n    pass\n', trigger: 'phase_change' });
    expect(earlier.events.map((e) => e.eventType)).toEqual(told.slice(0, 9).map((t: any) => t[0]));

    // `syncode replay <sessionId> [--at <iso>]` prints the same story and the code
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => printed.push(line);
    try {
      expect(await replayCli(h.ctx, [sessionId])).toBe(0);
      expect(await replayCli(h.ctx, [sessionId, '--at', beforeLock.toISOString()])).toBe(0);
      expect(await replayCli(h.ctx, ['--json', sessionId])).toBe(0);
    } finally {
      console.log = log;
    }
    const [full, atLock, json] = printed;
    expect(full!.split('\n').filter((l) => /^\d{4}-/.test(l)).map((l) => l.split(/\s+/)[1])).toEqual(told.map((t: any) => t[0]));
    expect(full).toContain('function solve() {\n  return 42;\n}');
    // --at answers from the edit history: the JavaScript typed before the lock (the last snapshot was older)
    expect(atLock).toContain(`code at ${beforeLock.toISOString()} (edit history): javascript`);
    expect(atLock).toContain('function solve() {\n  return 42;\n}');
    expect(JSON.parse(json!).events).toEqual(data);
    const errors: string[] = [];
    const error = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await replayCli(h.ctx, [crypto.randomUUID()])).toBe(1);
      expect(await replayCli(h.ctx, [])).toBe(2);
    } finally {
      console.error = error;
    }

    // ?at= answers the same
    const at = await timelineOf(host, sessionId, `?at=${encodeURIComponent(beforeLock.toISOString())}`);
    expect(at.data).toEqual(earlier.events);
    expect(at.codeAt).toMatchObject({ code: 'def solve():\n    pass\n', language: 'python' });

    // the session's snapshots, oldest first, and its detail's latest snapshot
    const snaps = (await get(cand, `/sessions/${sessionId}/snapshots`)).body.data;
    expect(snaps.map((s: any) => s.trigger)).toEqual(['phase_change', 'submission']);
    const detail = (await get(cand, `/sessions/${sessionId}`)).body;
    expect(detail.latestCodeSnapshot).toMatchObject({ trigger: 'submission', language: 'javascript', linesOfCode: 4 });
    expect(detail.language).toBe('javascript');
  });
});

describe('read models', () => {
  it('equal a rebuild from the events (rooms, sessions, timeline)', async () => {
    await h.projections.stop();
    for (const p of h.ctx.projections.filter((x) => ['rooms', 'sessions', 'session-timeline'].includes(x.name))) {
      const r = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, p);
      expect({ projection: r.projection, equal: r.equal, differences: r.differences }).toEqual({ projection: p.name, equal: true, differences: [] });
    }
  });
});

