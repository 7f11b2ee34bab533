/**
 * Rooms over HTTP — control (SPEC §4.5 and PROPOSED additions), scheduled jobs (§2.6), admin rooms, and the internal
 * callbacks (§5.3, checklist §11.11). No collab plane here: finishing a room that has a session is covered by
 * collab.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyProjection } from '../../src/projections/verify.js';
import { cleanupAbandonedRooms, expireRoleSwaps, sweepPresence } from '../../src/workers/scheduler/rooms.js';
import { createProblem } from '../problems/support.js';
import {
  createRoom,
  expectError,
  isoString,
  join,
  newAdmin,
  newUser,
  peerRoom,
  post,
  roomHarness,
  transition,
  type RoomHarness,
  type TestUser,
} from './support.js';

let h: RoomHarness;
let admin: TestUser;

beforeAll(async () => {
  h = await roomHarness();
  admin = await newAdmin(h);
}, 120_000);
afterAll(() => h.close(), 60_000);

const get = (user: TestUser, url: string) => h.request({ method: 'GET', url, token: user.token });
const detail = async (user: TestUser, roomId: string) => (await get(user, `/rooms/${roomId}`)).body;
const later = (ms: number) => new Date(Date.now() + ms);

/** Retries an assertion until the read models caught up (callbacks do not wait for them). */
async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() - start > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('POST /rooms/:id/control/transition', () => {
  it('waiting → warmup: response shape; an ongoing session with the active participants; readiness reset', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const obs = await newUser(h);
    await join(h, obs, room);
    await post(h, host, `/rooms/${room.roomId}/ready`);
    await post(h, candidate, `/rooms/${room.roomId}/ready`);
    const res = await transition(h, host, room.roomId, 'warmup');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roomId: room.roomId, previousStatus: 'waiting', currentStatus: 'warmup', transitionedAt: isoString, transitionedBy: host.id });
    const d = await detail(host, room.roomId);
    expect(d.sessionId).toEqual(expect.any(String));
    expect(d.participants.every((p: any) => !p.isReady)).toBe(true);
    const { rows: [session] } = await h.ctx.pool.query('SELECT status, mode, language, room_id FROM sessions WHERE id = $1', [d.sessionId]);
    expect(session).toEqual({ status: 'ongoing', mode: 'peer', language: 'python', room_id: room.roomId });
    const { rows: members } = await h.ctx.pool.query('SELECT user_id, role FROM session_participants WHERE session_id = $1 ORDER BY joined_at', [d.sessionId]);
    expect(members).toEqual([{ user_id: host.id, role: 'interviewer' }, { user_id: candidate.id, role: 'candidate' }, { user_id: obs.id, role: 'observer' }]);
  });

  it('a late joiner becomes a session participant (DESIGN §10)', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    const late = await newUser(h);
    await join(h, late, room);
    const { sessionId } = await detail(host, room.roomId);
    const { rows } = await h.ctx.pool.query('SELECT role FROM session_participants WHERE session_id = $1 AND user_id = $2', [sessionId, late.id]);
    expect(rows).toEqual([{ role: 'observer' }]);
  });

  it('warmup → coding → wrapup: phase start time, unlocked editor, accumulated coding time', async () => {
    const { host, room } = await peerRoom(h, 'warmup');
    expect((await transition(h, host, room.roomId, 'coding')).body.currentStatus).toBe('coding');
    const coding = await detail(host, room.roomId);
    expect(coding).toMatchObject({ status: 'coding', editorLocked: false, timerPaused: false, elapsedMs: 0, currentPhaseStartedAt: isoString });
    await new Promise((r) => setTimeout(r, 60));
    expect((await transition(h, host, room.roomId, 'wrapup')).body).toMatchObject({ previousStatus: 'coding', currentStatus: 'wrapup' });
    expect((await detail(host, room.roomId)).elapsedMs).toBeGreaterThanOrEqual(50);
  });

  it('rejects: skips and backward moves 409 ROOM_INVALID_TRANSITION; not ready 400; roles 409; candidate 403; stranger 403; unknown 404; bad target 400', async () => {
    const { host, candidate, room } = await peerRoom(h);
    expectError(await transition(h, host, room.roomId, 'coding'), 409, 'ROOM_INVALID_TRANSITION');
    expectError(await transition(h, host, room.roomId, 'waiting'), 409, 'ROOM_INVALID_TRANSITION');
    expectError(await transition(h, host, room.roomId, 'warmup'), 400, 'ROOM_PARTICIPANTS_NOT_READY');
    await post(h, candidate, `/rooms/${room.roomId}/ready`);
    expectError(await transition(h, host, room.roomId, 'warmup'), 400, 'ROOM_PARTICIPANTS_NOT_READY');
    expectError(await transition(h, candidate, room.roomId, 'warmup'), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await transition(h, await newUser(h), room.roomId, 'warmup'), 403, 'ROOM_ACCESS_DENIED');
    expectError(await transition(h, host, randomUUID(), 'warmup'), 404, 'ROOM_NOT_FOUND');
    expectError(await transition(h, host, room.roomId, 'paused'), 400, 'VALIDATION_FAILED');
    const alone = await createRoom(h, host);
    await post(h, host, `/rooms/${alone.roomId}/ready`);
    expectError(await transition(h, host, alone.roomId, 'warmup'), 409, 'ROOM_ROLE_CONSTRAINT_VIOLATION');
    const coding = await peerRoom(h, 'coding');
    expectError(await transition(h, coding.host, coding.room.roomId, 'coding'), 409, 'ROOM_INVALID_TRANSITION');
    expectError(await transition(h, coding.host, coding.room.roomId, 'warmup'), 409, 'ROOM_INVALID_TRANSITION');
  });

  it('AI room: the candidate must be ready; a not-ready observer never blocks a peer start', async () => {
    const host = await newUser(h);
    const ai = await createRoom(h, host, { mode: 'ai' });
    expectError(await transition(h, host, ai.roomId, 'warmup'), 400, 'ROOM_PARTICIPANTS_NOT_READY');
    await post(h, host, `/rooms/${ai.roomId}/ready`);
    expect((await transition(h, host, ai.roomId, 'warmup')).status).toBe(200);
    const { host: h2, candidate, room } = await peerRoom(h);
    await join(h, await newUser(h), room);
    await post(h, h2, `/rooms/${room.roomId}/ready`);
    await post(h, candidate, `/rooms/${room.roomId}/ready`);
    expect((await transition(h, h2, room.roomId, 'warmup')).status).toBe(200);
  });

  it('waiting → finished needs no session, no language and no collab (DESIGN §10); everyone becomes inactive', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { language: undefined, config: { maxParticipants: 3 } });
    await join(h, await newUser(h), room);
    const res = await transition(h, host, room.roomId, 'finished');
    expect(res.body).toMatchObject({ previousStatus: 'waiting', currentStatus: 'finished' });
    const d = await detail(host, room.roomId);
    expect(d).toMatchObject({ status: 'finished', sessionId: null });
    expect(d.participants.every((p: any) => !p.isActive)).toBe(true);
    expectError(await transition(h, host, room.roomId, 'finished'), 409, 'ROOM_INVALID_TRANSITION');
  });

  it('finishing a session fails closed when the collab plane is unreachable: nothing changes', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    expectError(await transition(h, host, room.roomId, 'finished'), 503, 'COLLAB_SERVICE_UNAVAILABLE');
    expect((await detail(host, room.roomId)).status).toBe('coding');
  });

  it('a session cannot finish before a language is chosen: 400 VALIDATION_FAILED, collab untouched', async () => {
    const host = await newUser(h);
    const cand = await newUser(h);
    const room = await createRoom(h, host, { language: undefined });
    await join(h, cand, room);
    await post(h, host, `/rooms/${room.roomId}/ready`);
    await post(h, cand, `/rooms/${room.roomId}/ready`);
    await transition(h, host, room.roomId, 'warmup');
    expectError(await transition(h, host, room.roomId, 'finished'), 400, 'VALIDATION_FAILED');
  });
});

describe('editor lock', () => {
  it('host locks (changed, timestamp) and again (no change, no timestamp); unlock likewise', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    const lock = await post(h, host, `/rooms/${room.roomId}/control/lock-editor`);
    expect(lock.status).toBe(200);
    expect(lock.body).toEqual({ roomId: room.roomId, editorLocked: true, changed: true, lockedAt: isoString, lockedBy: host.id });
    expect((await post(h, host, `/rooms/${room.roomId}/control/lock-editor`)).body).toEqual({ roomId: room.roomId, editorLocked: true, changed: false });
    expect((await detail(host, room.roomId)).editorLocked).toBe(true);
    expect((await post(h, host, `/rooms/${room.roomId}/control/unlock-editor`)).body).toEqual({ roomId: room.roomId, editorLocked: false, changed: true, unlockedAt: isoString, unlockedBy: host.id });
    expect((await post(h, host, `/rooms/${room.roomId}/control/unlock-editor`)).body).toEqual({ roomId: room.roomId, editorLocked: false, changed: false });
  });

  it('candidate 403 ROOM_PERMISSION_DENIED; stranger 403 ROOM_ACCESS_DENIED; finished 409; unknown 404', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    expectError(await post(h, candidate, `/rooms/${room.roomId}/control/lock-editor`), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await post(h, await newUser(h), `/rooms/${room.roomId}/control/lock-editor`), 403, 'ROOM_ACCESS_DENIED');
    expectError(await post(h, host, `/rooms/${randomUUID()}/control/unlock-editor`), 404, 'ROOM_NOT_FOUND');
    const done = await peerRoom(h);
    await transition(h, done.host, done.room.roomId, 'finished');
    expectError(await post(h, done.host, `/rooms/${done.room.roomId}/control/lock-editor`), 409, 'ROOM_FINISHED');
  });
});

describe('timer pause / resume', () => {
  it('pauses only while coding, folds the running time, resumes; idempotent; candidates 403', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    await new Promise((r) => setTimeout(r, 30));
    const paused = await post(h, host, `/rooms/${room.roomId}/control/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.timerPaused).toBe(true);
    expect(paused.body.elapsedMs).toBeGreaterThanOrEqual(25);
    expect((await post(h, host, `/rooms/${room.roomId}/control/pause`)).body).toEqual(paused.body);
    expect((await detail(host, room.roomId)).timerPaused).toBe(true);
    const resumed = await post(h, host, `/rooms/${room.roomId}/control/resume`);
    expect(resumed.body).toEqual({ timerPaused: false, elapsedMs: paused.body.elapsedMs });
    expectError(await post(h, candidate, `/rooms/${room.roomId}/control/pause`), 403, 'ROOM_PERMISSION_DENIED');
    const warm = await peerRoom(h, 'warmup');
    expectError(await post(h, warm.host, `/rooms/${warm.room.roomId}/control/pause`), 409, 'ROOM_INVALID_STATE');
  });
});

describe('problem selection and settings', () => {
  it('host selects a published problem before coding; 404 for drafts; 409 from coding; 403 for others', async () => {
    const problem = await createProblem(h, admin);
    const draft = await createProblem(h, admin, { isPublished: false });
    const { host, candidate, room } = await peerRoom(h);
    const res = await post(h, host, `/rooms/${room.roomId}/control/problem`, { problemId: problem.id });
    expect(res.status).toBe(200);
    expect(res.body.problemId).toBe(problem.id);
    expectError(await post(h, host, `/rooms/${room.roomId}/control/problem`, { problemId: draft.id }), 404, 'PROBLEM_NOT_FOUND');
    expectError(await post(h, host, `/rooms/${room.roomId}/control/problem`, { problemId: randomUUID() }), 404, 'PROBLEM_NOT_FOUND');
    expectError(await post(h, candidate, `/rooms/${room.roomId}/control/problem`, { problemId: problem.id }), 403, 'ROOM_PERMISSION_DENIED');
    const coding = await peerRoom(h, 'coding');
    expectError(await post(h, coding.host, `/rooms/${coding.room.roomId}/control/problem`, { problemId: problem.id }), 409, 'ROOM_INVALID_STATE');
  });

  it('settings: host updates name and config; maxParticipants not below the active count; others 403', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const patch = (u: TestUser, body: unknown) => h.request({ method: 'PATCH', url: `/rooms/${room.roomId}/settings`, token: u.token, body });
    const res = await patch(host, { name: 'Renamed', config: { maxParticipants: 5, isPrivate: false, maxDuration: 45 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', config: { maxParticipants: 5, isPrivate: false, maxDuration: 45 } });
    expectError(await patch(host, { config: { maxParticipants: 9 } }), 400, 'VALIDATION_FAILED');
    await join(h, await newUser(h), room);
    expectError(await patch(host, { config: { maxParticipants: 2 } }), 400, 'VALIDATION_FAILED');
    expectError(await patch(candidate, { name: 'Mine' }), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await patch(host, { colour: 'red' }), 400, 'VALIDATION_FAILED');
  });
});

describe('role swap', () => {
  it('request 201 with a 30 s deadline; the target accepts and the roles are exchanged', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const req = await post(h, host, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: candidate.id });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ swapId: expect.any(String), status: 'pending', requesterId: host.id, targetUserId: candidate.id, requesterRole: 'interviewer', targetRole: 'candidate', respondedAt: null });
    expect(Date.parse(req.body.expiresAt) - Date.parse(req.body.requestedAt)).toBe(30_000);
    const acc = await post(h, candidate, `/rooms/${room.roomId}/control/role-swap/${req.body.swapId}`, { accept: true });
    expect(acc.status).toBe(200);
    expect(acc.body).toMatchObject({ status: 'accepted', requesterRole: 'candidate', targetRole: 'interviewer', respondedAt: isoString });
    const roles = Object.fromEntries((await detail(host, room.roomId)).participants.map((p: any) => [p.userId, p.role]));
    expect(roles).toEqual({ [host.id]: 'candidate', [candidate.id]: 'interviewer' });
  });

  it('a swap in warmup updates the session participants', async () => {
    const { host, candidate, room } = await peerRoom(h, 'warmup');
    const req = await post(h, candidate, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: host.id });
    expect((await post(h, host, `/rooms/${room.roomId}/control/role-swap/${req.body.swapId}`, { accept: true })).status).toBe(200);
    const { sessionId } = await detail(host, room.roomId);
    const { rows } = await h.ctx.pool.query('SELECT user_id, role FROM session_participants WHERE session_id = $1 ORDER BY role', [sessionId]);
    expect(rows).toEqual([{ user_id: host.id, role: 'candidate' }, { user_id: candidate.id, role: 'interviewer' }]);
  });

  it('decline; 404 ROLE_SWAP_NOT_FOUND; 409 ROLE_SWAP_EXPIRED after the expiry job; 409 ROOM_NOT_PEER_MODE; 409 in wrapup', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const ask = () => post(h, host, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: candidate.id });
    const answer = (u: TestUser, swapId: string, accept: boolean) => post(h, u, `/rooms/${room.roomId}/control/role-swap/${swapId}`, { accept });
    const first = await ask();
    expect((await answer(candidate, first.body.swapId, false)).body.status).toBe('declined');
    expectError(await answer(candidate, first.body.swapId, true), 404, 'ROLE_SWAP_NOT_FOUND');
    expectError(await answer(candidate, randomUUID(), true), 404, 'ROLE_SWAP_NOT_FOUND');
    const second = await ask();
    expectError(await answer(host, second.body.swapId, true), 403, 'ROOM_PERMISSION_DENIED');
    expect(await expireRoleSwaps(h.ctx, later(31_000))).toEqual({ expired: 1 });
    expectError(await answer(candidate, second.body.swapId, true), 409, 'ROLE_SWAP_EXPIRED');
    expect(await expireRoleSwaps(h.ctx, later(31_000))).toEqual({ expired: 0 });
    expectError(await post(h, host, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: host.id }), 400, 'VALIDATION_FAILED');
    const ai = await createRoom(h, host, { mode: 'ai', config: { maxParticipants: 3 } });
    const aiObs = await newUser(h);
    await join(h, aiObs, ai);
    expectError(await post(h, host, `/rooms/${ai.roomId}/control/role-swap`, { targetUserId: aiObs.id }), 409, 'ROOM_NOT_PEER_MODE');
    const wrapup = await peerRoom(h, 'wrapup');
    expectError(await post(h, wrapup.host, `/rooms/${wrapup.room.roomId}/control/role-swap`, { targetUserId: wrapup.candidate.id }), 409, 'PARTICIPANT_CANNOT_CHANGE_ROLE');
  });
});

describe('scheduled jobs (called directly)', () => {
  it('presence sweep: silent participants who joined > 120 s ago become inactive; recent heartbeats and recent joins stay', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const quiet = await newUser(h);
    await join(h, quiet, room);
    const beat = await h.request({
      method: 'POST',
      url: '/internal/participants/heartbeat',
      headers: { 'x-internal-secret': h.config.INTERNAL_CALLBACK_SECRET },
      body: { participants: [{ roomId: room.roomId, userId: candidate.id }] },
    });
    expect(beat.body).toEqual({ updated: 1 });
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms);
    const active = async () => {
      const { rows } = await h.ctx.pool.query('SELECT user_id FROM room_participants WHERE room_id = $1 AND is_active ORDER BY user_id', [room.roomId]);
      return rows.map((r: any) => r.user_id);
    };
    // 90 s on: everyone joined less than 120 s before (grace period)
    await sweepPresence(h.ctx, at(90_000));
    expect(await active()).toEqual([host.id, candidate.id, quiet.id].sort());
    // the candidate's heartbeat is 30 s old at the sweep; host and quiet never sent one
    await h.ctx.pool.query('UPDATE room_participant_presence SET last_heartbeat_at = $3 WHERE room_id = $1 AND user_id = $2', [room.roomId, candidate.id, at(150_000)]);
    await sweepPresence(h.ctx, at(180_000));
    await eventually(async () => expect(await active()).toEqual([candidate.id]));
    // a heartbeat 3 min old is stale too; inactive rows are never swept twice
    await sweepPresence(h.ctx, at(330_000));
    await eventually(async () => expect(await active()).toEqual([]));
    const leftAt = await h.ctx.pool.query('SELECT user_id, left_at FROM room_participants WHERE room_id = $1 AND user_id = $2', [room.roomId, quiet.id]);
    expect(leftAt.rows[0].left_at).toEqual(at(180_000));
  });

  it('abandoned-room cleanup finishes an empty waiting room idle for 10 min; leaves active or recent rooms alone', async () => {
    const host = await newUser(h);
    const empty = await createRoom(h, host);
    await post(h, host, `/rooms/${empty.roomId}/leave`);
    const busy = await createRoom(h, host);
    const notYet = await cleanupAbandonedRooms(h.ctx, later(5 * 60_000));
    expect(notYet.finished).not.toContain(empty.roomId);
    const run = await cleanupAbandonedRooms(h.ctx, later(11 * 60_000));
    expect(run.finished).toContain(empty.roomId);
    expect(run.finished).not.toContain(busy.roomId);
    const { rows } = await h.ctx.pool.query('SELECT status, ended_at FROM rooms WHERE id = $1', [empty.roomId]);
    expect(rows[0].status).toBe('finished');
  });

  it('an abandoned room with a session cannot finish while the collab plane is down: it stays as it was', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    await post(h, host, `/rooms/${room.roomId}/leave`);
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    const run = await cleanupAbandonedRooms(h.ctx, later(11 * 60_000));
    expect(run.failed).toContain(room.roomId);
    const { rows } = await h.ctx.pool.query('SELECT status FROM rooms WHERE id = $1', [room.roomId]);
    expect(rows[0].status).toBe('coding');
  });
});

describe('admin rooms', () => {
  it('lists every room with filters and a cursor; 403 for non-admins', async () => {
    const host = await newUser(h);
    const a = await createRoom(h, host, { name: 'Admin list A' });
    const b = await createRoom(h, host, { mode: 'ai', name: 'Admin list B' });
    const res = await get(admin, '/admin/rooms?limit=2');
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: any) => r.roomId)).toEqual([b.roomId, a.roomId]);
    expect(res.body.data[0]).toMatchObject({ roomCode: b.roomCode, status: 'waiting', mode: 'ai', hostId: host.id, hostName: host.username, participantCount: 1, createdAt: isoString, endedAt: null });
    const next = await get(admin, `/admin/rooms?limit=2&cursor=${res.body.pagination.nextCursor}`);
    expect(next.body.data.map((r: any) => r.roomId)).not.toContain(b.roomId);
    expect((await get(admin, '/admin/rooms?mode=ai&limit=100')).body.data.every((r: any) => r.mode === 'ai')).toBe(true);
    expect((await get(admin, `/admin/rooms?search=${a.roomCode}`)).body.data.map((r: any) => r.roomId)).toEqual([a.roomId]);
    expectError(await get(host, '/admin/rooms'), 403, 'FORBIDDEN');
    expectError(await get(admin, '/admin/rooms?cursor=bad!'), 400, 'VALIDATION_FAILED');
  });

  it('force-closes a waiting room (audited as RoomForceClosed); 409 when finished; 404 unknown; 403 non-admin', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host);
    expectError(await post(h, host, `/admin/rooms/${room.roomId}/close`), 403, 'FORBIDDEN');
    const res = await post(h, admin, `/admin/rooms/${room.roomId}/close`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roomId: room.roomId, previousStatus: 'waiting', currentStatus: 'finished', closedAt: isoString, closedBy: admin.id });
    const events = [];
    for await (const e of h.ctx.store.readStream(`room-${room.roomId}`)) events.push(e.type);
    expect(events.slice(-2)).toEqual(['RoomForceClosed', 'PhaseChanged']);
    const audit = await get(admin, `/admin/audit-logs?action=admin.room.force_close&targetId=${room.roomId}`);
    expect(audit.body.data).toEqual([expect.objectContaining({ action: 'admin.room.force_close', targetType: 'room', targetId: room.roomId, actorId: admin.id, metadata: { previousStatus: 'waiting' } })]);
    expectError(await post(h, admin, `/admin/rooms/${room.roomId}/close`), 409, 'ROOM_FINISHED');
    expectError(await post(h, admin, `/admin/rooms/${randomUUID()}/close`), 404, 'ROOM_NOT_FOUND');
  });
});

describe('internal callbacks (X-Internal-Secret)', () => {
  const call = (url: string, body: unknown, secret: string | null = h.config.INTERNAL_CALLBACK_SECRET) =>
    h.request({ method: 'POST', url, body, ...(secret !== null ? { headers: { 'x-internal-secret': secret } } : {}) });

  it('401 without or with a wrong secret on every route', async () => {
    const roomId = randomUUID();
    const routes: Array<[string, unknown]> = [
      ['/internal/collab/user-disconnected', { roomId, userId: randomUUID(), timestamp: Date.now() }],
      ['/internal/participants/heartbeat', { participants: [] }],
      [`/internal/rooms/${roomId}/authorize-join`, { userId: randomUUID() }],
      [`/internal/rooms/${roomId}/doc-snapshot`, { state: [1, 2, 3] }],
      ['/internal/collab/snapshot', { roomId, snapshot: [], code: '', language: 'python', timestamp: 1, trigger: 'periodic', phase: null }],
    ];
    for (const [url, body] of routes) {
      const missing = await call(url, body, null);
      expectError(missing, 401, 'UNAUTHORIZED');
      expect(missing.body.message).toBe('Missing internal secret');
      const wrong = await call(url, body, 'nope');
      expectError(wrong, 401, 'UNAUTHORIZED');
      expect(wrong.body.message).toBe('Invalid internal secret');
    }
  });

  it('authorize-join: authorised members (inactive too); denial reasons passed through', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const kicked = await newUser(h);
    await join(h, kicked, room);
    await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${kicked.id}`, token: host.token });
    const ask = async (roomId: string, userId: string) => (await call(`/internal/rooms/${roomId}/authorize-join`, { userId })).body;
    expect(await ask(room.roomId, candidate.id)).toEqual({ authorized: true });
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    expect(await ask(room.roomId, candidate.id)).toEqual({ authorized: true });
    expect(await ask(room.roomId, kicked.id)).toEqual({ authorized: false, reason: 'participant-removed' });
    expect(await ask(room.roomId, randomUUID())).toEqual({ authorized: false, reason: 'not-participant' });
    expect(await ask(randomUUID(), candidate.id)).toEqual({ authorized: false, reason: 'room-not-found' });
    await transition(h, host, room.roomId, 'finished');
    expect(await ask(room.roomId, host.id)).toEqual({ authorized: false, reason: 'room-finished' });
  });

  it('user-disconnected: 201, the participant is inactive from the reported time', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const at = Date.now() + 5;
    const res = await call('/internal/collab/user-disconnected', { roomId: room.roomId, userId: candidate.id, timestamp: at });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true });
    await eventually(async () => {
      const { rows } = await h.ctx.pool.query('SELECT is_active, left_at FROM room_participants WHERE room_id = $1 AND user_id = $2', [room.roomId, candidate.id]);
      expect(rows[0]).toEqual({ is_active: false, left_at: new Date(at) });
    });
    expect((await call('/internal/collab/user-disconnected', { roomId: randomUUID(), userId: candidate.id, timestamp: at })).body).toEqual({ success: false });
    void host;
  });

  it('heartbeat: counts only active pairs; an empty batch touches nothing', async () => {
    const { candidate, host, room } = await peerRoom(h);
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    const res = await call('/internal/participants/heartbeat', { participants: [{ roomId: room.roomId, userId: host.id }, { roomId: room.roomId, userId: candidate.id }] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ updated: 1 });
    expect((await call('/internal/participants/heartbeat', { participants: [] })).body).toEqual({ updated: 0 });
  });

  it('doc-snapshot: stored for a known room (overwritten later), refused for an unknown one', async () => {
    const { room } = await peerRoom(h);
    expect((await call(`/internal/rooms/${room.roomId}/doc-snapshot`, { state: [1, 2, 3] })).body).toEqual({ success: true });
    const first = await h.ctx.pool.query('SELECT state, updated_at FROM room_doc_snapshots WHERE room_id = $1', [room.roomId]);
    expect([...first.rows[0].state]).toEqual([1, 2, 3]);
    expect((await call(`/internal/rooms/${room.roomId}/doc-snapshot`, { state: [4, 5] })).body).toEqual({ success: true });
    const second = await h.ctx.pool.query('SELECT state, updated_at FROM room_doc_snapshots WHERE room_id = $1', [room.roomId]);
    expect([...second.rows[0].state]).toEqual([4, 5]);
    expect(second.rows[0].updated_at.getTime()).toBeGreaterThanOrEqual(first.rows[0].updated_at.getTime());
    expect((await call(`/internal/rooms/${randomUUID()}/doc-snapshot`, { state: [1] })).body).toEqual({ success: false });
    expectError(await call(`/internal/rooms/${room.roomId}/doc-snapshot`, { state: [256] }), 400, 'VALIDATION_FAILED');
  });

  it('snapshot: recorded on the session (deduplicated); refused for unknown rooms; accepted without a session', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    const { sessionId } = await detail(host, room.roomId);
    const snap = (code: string, trigger: string, timestamp: number) =>
      call('/internal/collab/snapshot', { roomId: room.roomId, snapshot: [9, 9], code, language: 'python', timestamp, trigger, phase: 'coding' });
    const t = Date.now();
    expect((await snap('print(1)\n', 'periodic', t)).body).toEqual({ success: true });
    expect((await snap('print(1)\n', 'periodic', t + 30_000)).body).toEqual({ success: true });
    expect((await snap('print(2)\n', 'submission', t + 31_000)).body).toEqual({ success: true });
    await new Promise((r) => setTimeout(r, 300));
    const snaps = await get(host, `/sessions/${sessionId}/snapshots`);
    expect(snaps.body.data.map((s: any) => [s.code, s.trigger, s.linesOfCode])).toEqual([['print(1)\n', 'periodic', 2], ['print(2)\n', 'submission', 2]]);
    expect((await call('/internal/collab/snapshot', { roomId: randomUUID(), snapshot: [], code: '', language: 'python', timestamp: t, trigger: 'session_end', phase: null })).body).toEqual({ success: false });
    const waiting = await createRoom(h, host);
    expect((await call('/internal/collab/snapshot', { roomId: waiting.roomId, snapshot: [1], code: 'x', language: 'python', timestamp: t, trigger: 'periodic', phase: 'waiting' })).body).toEqual({ success: true });
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
