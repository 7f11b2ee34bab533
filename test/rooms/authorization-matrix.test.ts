/**
 * The authorisation matrix: every room and session endpoint called by a stranger, an observer, the candidate, the
 * (non-host) interviewer, the host, an admin who is not in the room, and a banned user. The room is arranged so that
 * every seat is a different person: the host holds the observer seat (host powers come from being host, SPEC §3.3),
 * the interviewer and the candidate are not hosts, and one more observer sits in.
 *
 * A cell is the exact status (and code) the caller gets. Cells that change state run on a room of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminRoomRoutes } from '../../src/http/routes/admin-rooms.js';
import { roomControlRoutes } from '../../src/http/routes/room-control.js';
import { roomRoutes } from '../../src/http/routes/rooms.js';
import { sessionPendingRoutes, sessionRoutes } from '../../src/http/routes/sessions.js';
import { createProblem } from '../problems/support.js';
import { createRoom, join, newAdmin, newUser, post, roomHarness, transition, type RoomHarness, type TestUser } from './support.js';

type Who = 'stranger' | 'observer' | 'candidate' | 'interviewer' | 'host' | 'admin' | 'banned';
const WHO: Who[] = ['stranger', 'observer', 'candidate', 'interviewer', 'host', 'admin', 'banned'];
type Cell = number | [number, string];

let h: RoomHarness;
const users = {} as Record<Who, TestUser>;
let problemId: string;

interface MatrixRoom {
  roomId: string;
  roomCode: string;
}

/** host (observer seat), interviewer, candidate, observer — through real joins and leaves. */
async function matrixRoom(): Promise<MatrixRoom> {
  const { host, interviewer, candidate, observer } = users;
  const room = await createRoom(h, interviewer, { config: { maxParticipants: 8 } });
  await join(h, candidate, room); // candidate
  await join(h, host, room); // observer (fallback)
  await post(h, interviewer, `/rooms/${room.roomId}/leave`); // candidate becomes host
  await post(h, candidate, `/rooms/${room.roomId}/leave`); // host becomes host (observer seat)
  await join(h, interviewer, room, {}); // interviewer seat is free again
  await join(h, candidate, room, {}); // and the candidate seat
  await join(h, observer, room);
  const detail = (await h.request({ method: 'GET', url: `/rooms/${room.roomId}`, token: host.token })).body;
  const seats = Object.fromEntries(detail.participants.map((p: any) => [p.userId, p.role]));
  expect([detail.hostId, seats[host.id], seats[interviewer.id], seats[candidate.id], seats[observer.id]]).toEqual([host.id, 'observer', 'interviewer', 'candidate', 'observer']);
  return { roomId: room.roomId, roomCode: room.roomCode };
}

/** The matrix room run through a session: interviewer and candidate ready, the host moves it on. */
async function matrixSession(finish: boolean): Promise<{ roomId: string; sessionId: string }> {
  const room = await matrixRoom();
  await post(h, users.interviewer, `/rooms/${room.roomId}/ready`);
  await post(h, users.candidate, `/rooms/${room.roomId}/ready`);
  expect((await transition(h, users.host, room.roomId, 'warmup')).status).toBe(200);
  expect((await transition(h, users.host, room.roomId, 'coding')).status).toBe(200);
  if (finish) expect((await transition(h, users.host, room.roomId, 'finished')).status).toBe(200);
  const { rows } = await h.ctx.pool.query('SELECT id FROM sessions WHERE room_id = $1', [room.roomId]);
  return { roomId: room.roomId, sessionId: rows[0].id };
}

interface Case {
  name: string;
  /** a fresh room (or session) per caller: the call changes state */
  fresh?: boolean;
  setup: () => Promise<Record<string, string>>;
  call: (ids: Record<string, string>, who: Who) => { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: unknown };
  expect: Record<Who, Cell>;
}

const BANNED: Cell = [403, 'USER_BANNED'];
const ACCESS: Cell = [403, 'ROOM_ACCESS_DENIED'];
const PERM: Cell = [403, 'ROOM_PERMISSION_DENIED'];
const NOT_PART: Cell = [403, 'SESSION_NOT_PARTICIPANT'];
const FORBIDDEN: Cell = [403, 'FORBIDDEN'];

let shared: MatrixRoom;
let finished: { roomId: string; sessionId: string };
const room = async () => ({ roomId: shared.roomId, roomCode: shared.roomCode });
const freshRoom = async () => ({ ...(await matrixRoom()) });
const session = async () => ({ ...finished });
const freshSession = async () => ({ ...(await matrixSession(true)) });

const cases: Case[] = [
  // ------------------------------------------------------------------ collections
  { name: 'POST /rooms', fresh: true, setup: async () => ({}), call: () => ({ method: 'POST', url: '/rooms', body: { mode: 'peer' } }),
    expect: { stranger: 201, observer: 201, candidate: 201, interviewer: 201, host: 201, admin: 201, banned: BANNED } },
  { name: 'GET /rooms', setup: async () => ({}), call: () => ({ method: 'GET', url: '/rooms' }),
    expect: { stranger: 200, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'GET /rooms/public', setup: async () => ({}), call: () => ({ method: 'GET', url: '/rooms/public' }),
    expect: { stranger: 200, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'GET /rooms/lookup', setup: room, call: (r) => ({ method: 'GET', url: `/rooms/lookup?code=${r.roomCode}` }),
    expect: { stranger: 200, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  // ------------------------------------------------------------------ one room
  { name: 'GET /rooms/:id', setup: room, call: (r) => ({ method: 'GET', url: `/rooms/${r.roomId}` }),
    expect: { stranger: ACCESS, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'GET /rooms/:id/participants', setup: room, call: (r) => ({ method: 'GET', url: `/rooms/${r.roomId}/participants` }),
    expect: { stranger: ACCESS, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/join (no code)', fresh: true, setup: freshRoom, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/join`, body: {} }),
    expect: { stranger: [400, 'ROOM_INVALID_CODE'], observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'POST /rooms/:id/leave', fresh: true, setup: freshRoom, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/leave` }),
    expect: { stranger: ACCESS, observer: 204, candidate: 204, interviewer: 204, host: 204, admin: ACCESS, banned: BANNED } },
  { name: 'PATCH /rooms/:id/participants/:userId', setup: room,
    call: (r) => ({ method: 'PATCH', url: `/rooms/${r.roomId}/participants/${users.observer.id}`, body: { role: 'observer' } }),
    expect: { stranger: PERM, observer: PERM, candidate: PERM, interviewer: PERM, host: 200, admin: PERM, banned: BANNED } },
  { name: 'DELETE /rooms/:id/participants/:userId', fresh: true, setup: freshRoom,
    call: (r) => ({ method: 'DELETE', url: `/rooms/${r.roomId}/participants/${users.observer.id}` }),
    expect: { stranger: PERM, observer: [400, 'ROOM_PERMISSION_DENIED'], candidate: PERM, interviewer: PERM, host: 204, admin: PERM, banned: BANNED } },
  { name: 'POST /rooms/:id/ownership/transfer', fresh: true, setup: freshRoom,
    call: (r, who) => ({ method: 'POST', url: `/rooms/${r.roomId}/ownership/transfer`, body: { targetUserId: who === 'interviewer' ? users.observer.id : users.interviewer.id } }),
    expect: { stranger: PERM, observer: PERM, candidate: PERM, interviewer: PERM, host: 200, admin: PERM, banned: BANNED } },
  { name: 'POST /rooms/:id/ready', fresh: true, setup: freshRoom, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/ready` }),
    expect: { stranger: [404, 'PARTICIPANT_NOT_FOUND'], observer: 200, candidate: 200, interviewer: 200, host: 200, admin: [404, 'PARTICIPANT_NOT_FOUND'], banned: BANNED } },
  { name: 'PATCH /rooms/:id/language', fresh: true, setup: freshRoom, call: (r) => ({ method: 'PATCH', url: `/rooms/${r.roomId}/language`, body: { language: 'go' } }),
    expect: { stranger: ACCESS, observer: PERM, candidate: 200, interviewer: 200, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/collab/ensure', setup: room, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/collab/ensure` }),
    expect: { stranger: ACCESS, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'DELETE /rooms/:id', fresh: true, setup: freshRoom, call: (r) => ({ method: 'DELETE', url: `/rooms/${r.roomId}` }),
    expect: { stranger: PERM, observer: PERM, candidate: PERM, interviewer: PERM, host: 200, admin: 200, banned: BANNED } },
  // ------------------------------------------------------------------ control
  { name: 'POST /rooms/:id/control/transition', setup: room, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/transition`, body: { targetStatus: 'warmup' } }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: [400, 'ROOM_PARTICIPANTS_NOT_READY'], host: [400, 'ROOM_PARTICIPANTS_NOT_READY'], admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/lock-editor', fresh: true, setup: freshRoom, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/lock-editor` }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: 200, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/unlock-editor', setup: room, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/unlock-editor` }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: 200, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/problem', setup: room, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/problem`, body: { problemId } }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: PERM, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'PATCH /rooms/:id/settings', setup: room, call: (r) => ({ method: 'PATCH', url: `/rooms/${r.roomId}/settings`, body: { name: 'Matrix' } }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: PERM, host: 200, admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/pause', setup: room, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/pause` }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: [409, 'ROOM_INVALID_STATE'], host: [409, 'ROOM_INVALID_STATE'], admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/resume', setup: room, call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/resume` }),
    expect: { stranger: ACCESS, observer: PERM, candidate: PERM, interviewer: [409, 'ROOM_INVALID_STATE'], host: [409, 'ROOM_INVALID_STATE'], admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/role-swap', setup: room,
    call: (r, who) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/role-swap`, body: { targetUserId: who === 'candidate' ? users.interviewer.id : users.candidate.id } }),
    expect: { stranger: ACCESS, observer: 201, candidate: 201, interviewer: 201, host: 201, admin: ACCESS, banned: BANNED } },
  { name: 'POST /rooms/:id/control/role-swap/:swapId', fresh: true,
    setup: async () => {
      const r = await freshRoom();
      const swap = await post(h, users.interviewer, `/rooms/${r.roomId}/control/role-swap`, { targetUserId: users.candidate.id });
      return { ...r, swapId: swap.body.swapId };
    },
    call: (r) => ({ method: 'POST', url: `/rooms/${r.roomId}/control/role-swap/${r.swapId}`, body: { accept: true } }),
    expect: { stranger: PERM, observer: PERM, candidate: 200, interviewer: PERM, host: PERM, admin: PERM, banned: BANNED } },
  // ------------------------------------------------------------------ admin
  { name: 'GET /admin/rooms', setup: async () => ({}), call: () => ({ method: 'GET', url: '/admin/rooms' }),
    expect: { stranger: FORBIDDEN, observer: FORBIDDEN, candidate: FORBIDDEN, interviewer: FORBIDDEN, host: FORBIDDEN, admin: 200, banned: BANNED } },
  { name: 'POST /admin/rooms/:id/close', fresh: true, setup: freshRoom, call: (r) => ({ method: 'POST', url: `/admin/rooms/${r.roomId}/close` }),
    expect: { stranger: FORBIDDEN, observer: FORBIDDEN, candidate: FORBIDDEN, interviewer: FORBIDDEN, host: FORBIDDEN, admin: 200, banned: BANNED } },
  // ------------------------------------------------------------------ sessions
  { name: 'GET /sessions', setup: async () => ({}), call: () => ({ method: 'GET', url: '/sessions' }),
    expect: { stranger: 200, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'GET /sessions/:id', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}` }),
    expect: { stranger: NOT_PART, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'GET /sessions/:id/snapshots', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}/snapshots` }),
    expect: { stranger: NOT_PART, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'GET /sessions/:id/timeline', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}/timeline` }),
    expect: { stranger: NOT_PART, observer: 200, candidate: 200, interviewer: 200, host: 200, admin: 200, banned: BANNED } },
  { name: 'GET /sessions/:sessionId/report', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}/report` }),
    expect: {
      stranger: NOT_PART, observer: [404, 'SESSION_REPORT_UNAVAILABLE'], candidate: [404, 'SESSION_REPORT_NOT_READY'], interviewer: [404, 'SESSION_REPORT_UNAVAILABLE'],
      host: [404, 'SESSION_REPORT_UNAVAILABLE'], admin: [404, 'SESSION_REPORT_UNAVAILABLE'], banned: BANNED,
    } },
  { name: 'GET /sessions/:id/ai-messages', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}/ai-messages` }),
    expect: { stranger: NOT_PART, observer: [404, 'SESSION_AI_MESSAGES_NOT_FOUND'], candidate: [404, 'SESSION_AI_MESSAGES_NOT_FOUND'], interviewer: [404, 'SESSION_AI_MESSAGES_NOT_FOUND'], host: [404, 'SESSION_AI_MESSAGES_NOT_FOUND'], admin: [404, 'SESSION_AI_MESSAGES_NOT_FOUND'], banned: BANNED } },
  { name: 'GET /sessions/:id/recording', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}/recording` }),
    expect: { stranger: NOT_PART, observer: [404, 'SESSION_RECORDING_NOT_FOUND'], candidate: [404, 'SESSION_RECORDING_NOT_FOUND'], interviewer: [404, 'SESSION_RECORDING_NOT_FOUND'], host: [404, 'SESSION_RECORDING_NOT_FOUND'], admin: [404, 'SESSION_RECORDING_NOT_FOUND'], banned: BANNED } },
  { name: 'GET /sessions/:id/whiteboard', setup: session, call: (s) => ({ method: 'GET', url: `/sessions/${s.sessionId}/whiteboard` }),
    expect: { stranger: NOT_PART, observer: [404, 'SESSION_WHITEBOARD_NOT_FOUND'], candidate: [404, 'SESSION_WHITEBOARD_NOT_FOUND'], interviewer: [404, 'SESSION_WHITEBOARD_NOT_FOUND'], host: [404, 'SESSION_WHITEBOARD_NOT_FOUND'], admin: [404, 'SESSION_WHITEBOARD_NOT_FOUND'], banned: BANNED } },
  { name: 'DELETE /sessions/:id', setup: freshSession, call: (s) => ({ method: 'DELETE', url: `/sessions/${s.sessionId}` }),
    expect: { stranger: NOT_PART, observer: 204, candidate: 204, interviewer: 204, host: 204, admin: 204, banned: BANNED } },
];

beforeAll(async () => {
  h = await roomHarness({ collab: true });
  for (const who of WHO) users[who] = who === 'admin' ? await newAdmin(h) : await newUser(h);
  problemId = (await createProblem(h, users.admin)).id;
  shared = await matrixRoom();
  finished = await matrixSession(true);
  const ban = await h.request({ method: 'PATCH', url: `/admin/users/${users.banned.id}/ban`, token: users.admin.token, body: { reason: 'matrix' } });
  expect(ban.status).toBe(200);
}, 180_000);
afterAll(() => h.close(), 60_000);

describe('authorisation matrix: room and session endpoints × callers', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const got: Record<string, Cell> = {};
      const want: Record<string, Cell> = {};
      const sharedIds = c.fresh ? undefined : await c.setup();
      for (const who of WHO) {
        const ids = sharedIds ?? (await c.setup());
        const req = c.call(ids, who);
        const res = await h.request({ ...req, token: users[who].token });
        const expected = c.expect[who];
        want[who] = expected;
        got[who] = typeof expected === 'number' ? res.status : [res.status, res.body?.code];
      }
      expect(got).toEqual(want);
    }, 120_000);
  }

  it('covers every public room, session and admin-room route of the module', async () => {
    const registered: string[] = [];
    const recorder = new Proxy({}, {
      get: (_t, method: string) => (url: string) => registered.push(`${method.toUpperCase()} ${url}`),
    }) as never;
    for (const module of [roomRoutes, roomControlRoutes, sessionRoutes, sessionPendingRoutes, adminRoomRoutes]) await module(recorder, h.ctx);
    const covered = new Set(cases.map((c) => c.name.replace(/ \(.*\)$/, '').replace(':sessionId/report', ':sessionId/report')));
    const normalise = (r: string) => r.replace(':participantUserId', ':userId');
    expect(registered.map(normalise).filter((r) => !covered.has(r))).toEqual([]);
  });
});
