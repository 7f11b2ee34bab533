/**
 * Rooms over HTTP — lifecycle and membership (SPEC §4.4, checklists §11.19–11.20): every endpoint with its error
 * codes. The collab plane is not running here: best-effort collab calls only flip `collabCreated`/`collabDeleted`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRoom as createRoomCommand } from '../../src/commands/rooms/lifecycle.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { ROOM_CODE_PATTERN } from '../../src/domain/room/constants.js';
import { statusOf } from '../../src/http/error-status.js';
import { verifyProjection } from '../../src/projections/verify.js';
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
let problem: any;
let draft: any;

beforeAll(async () => {
  h = await roomHarness();
  admin = await newAdmin(h);
  problem = await createProblem(h, admin, { title: `Two Sum ${randomUUID().slice(0, 6)}`, difficulty: 'easy', starterCode: { python: 'def solve():\n    pass\n' } });
  draft = await createProblem(h, admin, { isPublished: false });
}, 120_000);
afterAll(() => h.close(), 60_000);

const get = (user: TestUser, url: string) => h.request({ method: 'GET', url, token: user.token });

describe('POST /rooms', () => {
  it('creates a room: 201, RoomBase with ISO timestamps, a 6-char code, the host as interviewer', async () => {
    const host = await newUser(h);
    const res = await h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', name: 'Mock', problemId: problem.id, language: 'python', config: { maxParticipants: 3 } } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      roomId: expect.any(String),
      roomCode: expect.stringMatching(new RegExp(ROOM_CODE_PATTERN)),
      name: 'Mock',
      status: 'waiting',
      mode: 'peer',
      hostId: host.id,
      language: 'python',
      createdAt: isoString,
      problemId: problem.id,
      config: { maxParticipants: 3, maxDuration: 120, isPrivate: true },
      collabCreated: false,
      mediaCreated: false,
    });
    const detail = await get(host, `/rooms/${res.body.roomId}`);
    expect(detail.body.participants).toEqual([{ userId: host.id, username: host.username, displayName: null, avatarUrl: null, role: 'interviewer', isActive: true, isReady: false, joinedAt: isoString }]);
    expect(detail.body.myRole).toBe('interviewer');
  });

  it('defaults: maxParticipants 2, maxDuration 120, private; an AI room makes the host its candidate', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { mode: 'ai', language: undefined });
    expect(room).toMatchObject({ config: { maxParticipants: 2, maxDuration: 120, isPrivate: true }, language: null, problemId: null });
    expect((await get(host, `/rooms/${room.roomId}`)).body.myRole).toBe('candidate');
  });

  it('400 VALIDATION_FAILED without mode, with unknown keys, bad config or a bad language', async () => {
    const host = await newUser(h);
    for (const body of [{}, { mode: 'peer', extra: 1 }, { mode: 'peer', config: { maxParticipants: 9 } }, { mode: 'peer', language: 'cobol' }, { mode: 'duo' }]) {
      expectError(await h.request({ method: 'POST', url: '/rooms', token: host.token, body }), 400, 'VALIDATION_FAILED');
    }
  });

  it('404 PROBLEM_NOT_FOUND for an unknown or draft problem', async () => {
    const host = await newUser(h);
    expectError(await h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', problemId: randomUUID() } }), 404, 'PROBLEM_NOT_FOUND');
    expectError(await h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', problemId: draft.id } }), 404, 'PROBLEM_NOT_FOUND');
  });

  it('Idempotency-Key: replays the stored response, 409 while in flight, 400 when not a UUID', async () => {
    const host = await newUser(h);
    const key = randomUUID();
    const send = () => h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer' }, headers: { 'idempotency-key': key } });
    const first = await send();
    expect(first.status).toBe(201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const mine = await get(host, '/rooms');
    expect(mine.body.data.filter((r: any) => r.roomId === first.body.roomId)).toHaveLength(1);
    expect(mine.body.data).toHaveLength(1);
    // another user's key space is separate
    const other = await newUser(h);
    const theirs = await h.request({ method: 'POST', url: '/rooms', token: other.token, body: { mode: 'peer' }, headers: { 'idempotency-key': key } });
    expect(theirs.body.roomId).not.toBe(first.body.roomId);
    expectError(await h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer' }, headers: { 'idempotency-key': 'not-a-uuid' } }), 400, 'VALIDATION_FAILED');

    const racing = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.request({ method: 'POST', url: '/rooms', token: other.token, body: { mode: 'ai' }, headers: { 'idempotency-key': racing } })),
    );
    const created = results.filter((r) => r.status === 201);
    const conflicts = results.filter((r) => r.status === 409);
    expect(created.length + conflicts.length).toBe(5);
    expect(new Set(created.map((r) => r.body.roomId)).size).toBe(1);
    for (const c of conflicts) expect(c.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('codes are unique by reservation: 500 ROOM_INVITE_CODE_EXHAUSTED after five taken codes; destroying frees a code', async () => {
    const host = await newUser(h);
    const fixed = () => 'QQQ777';
    const first = await createRoomCommand(h.ctx, { hostId: host.id, mode: 'peer' }, systemMetadata(randomUUID()), fixed);
    expect(first.state.code).toBe('QQQ777');
    let tries = 0;
    const err = await createRoomCommand(h.ctx, { hostId: host.id, mode: 'peer' }, systemMetadata(randomUUID()), () => (tries++, 'QQQ777')).catch((e) => e);
    expect({ code: err.code, status: statusOf(err), tries }).toEqual({ code: 'ROOM_INVITE_CODE_EXHAUSTED', status: 500, tries: 5 });
    expect((await h.request({ method: 'DELETE', url: `/rooms/${first.state.roomId}`, token: host.token })).status).toBe(200);
    const again = await createRoomCommand(h.ctx, { hostId: host.id, mode: 'peer' }, systemMetadata(randomUUID()), fixed);
    expect(again.state.code).toBe('QQQ777');
  });

  it('401 without a token', async () => {
    expectError(await h.request({ method: 'POST', url: '/rooms', body: { mode: 'peer' } }), 401, 'UNAUTHORIZED');
  });
});

describe('GET /rooms (mine)', () => {
  it('lists every room with any participant row, with problem titles and active counts, paginated without gaps', async () => {
    const me = await newUser(h);
    const other = await newUser(h);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createRoom(h, me, i === 0 ? { problemId: problem.id } : {})).roomId);
    const theirs = await createRoom(h, other, { config: { isPrivate: false } });
    await join(h, me, theirs);
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await get(me, `/rooms?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data);
      cursor = res.body.pagination.nextCursor;
      expect(res.body.pagination.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(seen.map((r) => r.roomId)).toEqual([theirs.roomId, ...ids.slice().reverse()]);
    expect(seen.find((r) => r.roomId === ids[0])).toMatchObject({ myRole: 'interviewer', problemTitle: problem.title, participantCount: 1, createdAt: isoString });
    expect(seen.find((r) => r.roomId === theirs.roomId)).toMatchObject({ myRole: 'candidate', participantCount: 2 });
  });

  it('filters by status and mode, sorts by status, and rejects a bad cursor', async () => {
    const me = await newUser(h);
    const waiting = await createRoom(h, me);
    const ai = await createRoom(h, me, { mode: 'ai' });
    const finished = await createRoom(h, me);
    expect((await transition(h, me, finished.roomId, 'finished')).status).toBe(200);
    expect((await get(me, '/rooms?status=finished')).body.data.map((r: any) => r.roomId)).toEqual([finished.roomId]);
    expect((await get(me, '/rooms?mode=ai')).body.data.map((r: any) => r.roomId)).toEqual([ai.roomId]);
    const byStatus = await get(me, '/rooms?sortBy=status&sortOrder=asc&limit=2');
    expect(byStatus.body.data.map((r: any) => r.status)).toEqual(['waiting', 'waiting']);
    const rest = await get(me, `/rooms?sortBy=status&sortOrder=asc&limit=2&cursor=${byStatus.body.pagination.nextCursor}`);
    expect(rest.body.data.map((r: any) => r.status)).toEqual(['finished']);
    void waiting;
    expectError(await get(me, '/rooms?cursor=@@@'), 400, 'VALIDATION_FAILED');
    expectError(await get(me, '/rooms?status=paused'), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /rooms/public', () => {
  it('lists public, open, not-full rooms with a published problem or none; filters; isParticipant', async () => {
    const host = await newUser(h);
    const viewer = await newUser(h);
    const hard = await createProblem(h, admin, { title: `Hard %_ ${randomUUID().slice(0, 6)}`, difficulty: 'hard' });
    const open = await createRoom(h, host, { config: { isPrivate: false, maxParticipants: 3 }, problemId: problem.id });
    const priv = await createRoom(h, host, { problemId: problem.id });
    const full = await createRoom(h, host, { config: { isPrivate: false, maxParticipants: 2 } });
    await join(h, await newUser(h), full);
    const hardRoom = await createRoom(h, host, { config: { isPrivate: false }, problemId: hard.id, language: 'javascript' });
    const done = await createRoom(h, host, { config: { isPrivate: false } });
    await transition(h, host, done.roomId, 'finished');
    const list = async (q = '') => (await get(viewer, `/rooms/public?limit=100${q}`)).body.data.map((r: any) => r.roomId);
    const all = await list();
    expect(all).toEqual(expect.arrayContaining([open.roomId, hardRoom.roomId]));
    expect(all).not.toEqual(expect.arrayContaining([priv.roomId]));
    expect(all).not.toContain(full.roomId);
    expect(all).not.toContain(done.roomId);
    expect(await list('&difficulty=easy')).toContain(open.roomId);
    expect(await list('&difficulty=easy')).not.toContain(hardRoom.roomId);
    expect(await list('&language=javascript')).toEqual([hardRoom.roomId]);
    expect(await list(`&search=${encodeURIComponent(problem.title.toUpperCase().slice(0, 7))}`)).toContain(open.roomId);
    expect(await list(`&search=${encodeURIComponent('%_')}`)).toEqual([hardRoom.roomId]);
    expect(await list('&status=coding')).toEqual([]);
    const entry = (await get(viewer, '/rooms/public?limit=100')).body.data.find((r: any) => r.roomId === open.roomId);
    expect(entry).toEqual({
      roomId: open.roomId, name: null, status: 'waiting', mode: 'peer', hostId: host.id, hostName: host.username, hostAvatarUrl: null,
      language: 'python', problemTitle: problem.title, problemDifficulty: 'easy', participantCount: 1, isParticipant: false, maxParticipants: 3, createdAt: isoString,
    });
    await join(h, viewer, open);
    expect((await get(viewer, '/rooms/public?limit=100')).body.data.find((r: any) => r.roomId === open.roomId).isParticipant).toBe(true);
    await post(h, viewer, `/rooms/${open.roomId}/leave`);
    expect((await get(viewer, '/rooms/public?limit=100')).body.data.find((r: any) => r.roomId === open.roomId).isParticipant).toBe(false);
  });

  it('rooms with draft problems are excluded; pages newest first; 400 on status=finished; 401 anonymous', async () => {
    const host = await newUser(h);
    const withDraft = await createRoom(h, host, { config: { isPrivate: false } });
    // a draft cannot be selected; unpublishing the problem afterwards hides the room
    const p = await createProblem(h, admin, { title: `Soon draft ${randomUUID().slice(0, 6)}` });
    expect((await post(h, host, `/rooms/${withDraft.roomId}/control/problem`, { problemId: p.id })).status).toBe(200);
    const unpublish = await h.request({ method: 'PATCH', url: `/problems/${p.id}/publish-status`, token: admin.token, body: { isPublished: false } });
    expect([200, 204]).toContain(unpublish.status);
    const viewer = await newUser(h);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await get(viewer, `/rooms/public?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...res.body.data.map((r: any) => r.roomId));
      cursor = res.body.pagination.nextCursor;
    } while (cursor);
    expect(ids).not.toContain(withDraft.roomId);
    expect(new Set(ids).size).toBe(ids.length);
    expectError(await get(viewer, '/rooms/public?status=finished'), 400, 'VALIDATION_FAILED');
    expectError(await get(viewer, '/rooms/public?search=%20%20'), 400, 'VALIDATION_FAILED');
    expectError(await h.request({ method: 'GET', url: '/rooms/public' }), 401, 'UNAUTHORIZED');
  });
});

describe('GET /rooms/lookup', () => {
  it('finds a room by invite code (case-insensitive); 400 ROOM_INVALID_CODE malformed; 404 unknown', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { name: 'Lookup me', problemId: problem.id });
    const res = await get(host, `/rooms/lookup?code=${room.roomCode.toLowerCase()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roomId: room.roomId, name: 'Lookup me', status: 'waiting', mode: 'peer', hostName: host.username, problemTitle: problem.title, participantCount: 1, maxParticipants: 2, isPrivate: true });
    expectError(await get(host, '/rooms/lookup?code=AB'), 400, 'ROOM_INVALID_CODE');
    expectError(await get(host, '/rooms/lookup?code=OOOOOO'), 400, 'ROOM_INVALID_CODE');
    expectError(await get(host, '/rooms/lookup?code=ZZZZZZ'), 404, 'ROOM_NOT_FOUND');
  });
});

describe('GET /rooms/:id', () => {
  it('participant: detail with capabilities, ISO timestamps and collab credentials', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const res = await get(candidate, `/rooms/${room.roomId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      roomId: room.roomId, sessionId: null, myRole: 'candidate', timerPaused: false, elapsedMs: 0, editorLocked: false,
      currentPhaseStartedAt: isoString, collabToken: expect.any(String), collabUrl: expect.stringMatching(/^ws:\/\/.+\/ws$/),
    });
    expect(res.body.myCapabilities).toContain('code:run');
    expect(res.body.myCapabilities).not.toContain('room:settings');
    expect((await get(host, `/rooms/${room.roomId}`)).body.myCapabilities).toContain('room:settings');
    const [, payload] = res.body.collabToken.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ sub: candidate.id, roomId: room.roomId, role: 'candidate', isHost: false, type: 'collab' });
  });

  it('exposes the session id once the session exists', async () => {
    const { host, room } = await peerRoom(h, 'warmup');
    expect((await get(host, `/rooms/${room.roomId}`)).body.sessionId).toEqual(expect.any(String));
  });

  it('400 malformed id, 404 unknown, 403 non-participant and inactive participant', async () => {
    const { candidate, room } = await peerRoom(h);
    const stranger = await newUser(h);
    expectError(await get(stranger, '/rooms/not-a-uuid'), 400, 'VALIDATION_FAILED');
    expectError(await get(stranger, `/rooms/${randomUUID()}`), 404, 'ROOM_NOT_FOUND');
    expectError(await get(stranger, `/rooms/${room.roomId}`), 403, 'ROOM_ACCESS_DENIED');
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    expectError(await get(candidate, `/rooms/${room.roomId}`), 403, 'ROOM_ACCESS_DENIED');
  });

  it('finished room: inactive members still read it (no collab credentials), removed ones cannot', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const kicked = await newUser(h);
    await join(h, kicked, room);
    expect((await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${kicked.id}`, token: host.token })).status).toBe(204);
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);
    const res = await get(candidate, `/rooms/${room.roomId}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('finished');
    expect(res.body.collabToken).toBeUndefined();
    expect(res.body.participants.every((p: any) => !p.isActive)).toBe(true);
    expectError(await get(kicked, `/rooms/${room.roomId}`), 403, 'ROOM_ACCESS_DENIED');
  });
});

describe('POST /rooms/:id/join', () => {
  it('joins with a valid code: room detail, assigned role, reason and collab credentials', async () => {
    const host = await newUser(h);
    const bob = await newUser(h);
    const room = await createRoom(h, host, { config: { maxParticipants: 3 } });
    const res = await post(h, bob, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ assignedRole: 'candidate', requestedRole: null, assignmentReason: 'auto-assigned', collabToken: expect.any(String), collabUrl: expect.any(String) });
    expect(res.body.room.participants.map((p: any) => [p.userId, p.role, p.joinedAt])).toEqual([[host.id, 'interviewer', isoString], [bob.id, 'candidate', isoString]]);
    expect(res.body.myCapabilities).toEqual(res.body.room.myCapabilities);
    // again while active: the current role, a fresh token, no change
    const again = await post(h, bob, `/rooms/${room.roomId}/join`, {});
    expect(again.body).toMatchObject({ assignedRole: 'candidate', assignmentReason: 'auto-assigned' });
    // fallback observer; requested roles
    const carol = await newUser(h);
    expect((await post(h, carol, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode })).body).toMatchObject({ assignedRole: 'observer', assignmentReason: 'fallback-observer' });
  });

  it('requested roles: granted, ROOM_ROLE_UNAVAILABLE, ROOM_NOT_PEER_MODE', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { config: { maxParticipants: 4 } });
    const a = await newUser(h);
    expect((await post(h, a, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode, requestedRole: 'candidate' })).body).toMatchObject({ assignedRole: 'candidate', requestedRole: 'candidate', assignmentReason: 'requested' });
    expectError(await post(h, await newUser(h), `/rooms/${room.roomId}/join`, { roomCode: room.roomCode, requestedRole: 'candidate' }), 409, 'ROOM_ROLE_UNAVAILABLE');
    const ai = await createRoom(h, host, { mode: 'ai', config: { maxParticipants: 3 } });
    expectError(await post(h, a, `/rooms/${ai.roomId}/join`, { roomCode: ai.roomCode, requestedRole: 'interviewer' }), 409, 'ROOM_NOT_PEER_MODE');
  });

  it('codes: private needs one, wrong codes fail, public rooms need none; 404 unknown; 409 full; 409 finished', async () => {
    const host = await newUser(h);
    const priv = await createRoom(h, host);
    const pub = await createRoom(h, host, { config: { isPrivate: false } });
    const u = await newUser(h);
    expectError(await post(h, u, `/rooms/${priv.roomId}/join`, {}), 400, 'ROOM_INVALID_CODE');
    expectError(await post(h, u, `/rooms/${priv.roomId}/join`, { roomCode: 'ZZZZZZ' }), 400, 'ROOM_INVALID_CODE');
    expectError(await post(h, u, `/rooms/${pub.roomId}/join`, { roomCode: 'ZZZZZZ' }), 400, 'ROOM_INVALID_CODE');
    expectError(await post(h, u, `/rooms/${priv.roomId}/join`, { roomCode: 'ABC' }), 400, 'VALIDATION_FAILED');
    expect((await post(h, u, `/rooms/${pub.roomId}/join`, {})).status).toBe(200);
    expectError(await post(h, u, `/rooms/${randomUUID()}/join`, {}), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, await newUser(h), `/rooms/${pub.roomId}/join`, {}), 409, 'ROOM_FULL');
    const done = await createRoom(h, host, { config: { isPrivate: false } });
    await transition(h, host, done.roomId, 'finished');
    expectError(await post(h, u, `/rooms/${done.roomId}/join`, {}), 409, 'ROOM_FINISHED');
  });

  it('a member who left re-joins without a code and is reactivated with an available role', async () => {
    const { host, candidate, room } = await peerRoom(h);
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    const res = await post(h, candidate, `/rooms/${room.roomId}/join`, {});
    expect(res.status).toBe(200);
    expect(res.body.assignedRole).toBe('candidate');
    expect(res.body.room.participants.find((p: any) => p.userId === candidate.id)).toMatchObject({ isActive: true });
    void host;
  });

  it('a removed user is barred: 403 ROOM_PARTICIPANT_REMOVED', async () => {
    const { host, candidate, room } = await peerRoom(h);
    await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${candidate.id}`, token: host.token });
    expectError(await post(h, candidate, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode }), 403, 'ROOM_PARTICIPANT_REMOVED');
  });

  it('admins join any room without the code (room:join-any)', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { config: { maxParticipants: 3 } });
    expect((await post(h, admin, `/rooms/${room.roomId}/join`, {})).status).toBe(200);
  });
});

describe('POST /rooms/:id/leave', () => {
  it('204; inactive but not removed; host leaving hands the room to the earliest active participant', async () => {
    const { host, candidate, room } = await peerRoom(h);
    expect((await post(h, host, `/rooms/${room.roomId}/leave`)).status).toBe(204);
    const detail = await get(candidate, `/rooms/${room.roomId}`);
    expect(detail.body.hostId).toBe(candidate.id);
    expect(detail.body.participants.find((p: any) => p.userId === host.id)).toMatchObject({ isActive: false });
    expect(detail.body.myCapabilities).toContain('room:settings');
    expect((await post(h, host, `/rooms/${room.roomId}/leave`)).status).toBe(204); // idempotent
    expectError(await post(h, await newUser(h), `/rooms/${room.roomId}/leave`), 403, 'ROOM_ACCESS_DENIED');
    expectError(await post(h, host, `/rooms/${randomUUID()}/leave`), 404, 'ROOM_NOT_FOUND');
  });
});

describe('participants: list, role change, kick, ownership', () => {
  it('GET /rooms/:id/participants lists every row; 403 for strangers', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const res = await get(host, `/rooms/${room.roomId}/participants`);
    expect(res.body.data.map((p: any) => p.userId)).toEqual([host.id, candidate.id]);
    expectError(await get(await newUser(h), `/rooms/${room.roomId}/participants`), 403, 'ROOM_ACCESS_DENIED');
  });

  it('PATCH role: host reassigns in waiting; balance, host target, locked roles, non-host, missing target', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const obs = await newUser(h);
    await join(h, obs, room);
    const url = (id: string) => `/rooms/${room.roomId}/participants/${id}`;
    const res = await h.request({ method: 'PATCH', url: url(candidate.id), token: host.token, body: { role: 'observer' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ updatedUserId: candidate.id, previousRole: 'candidate', currentRole: 'observer', updatedAt: isoString, updatedBy: host.id });
    expect(res.body.room.participants.find((p: any) => p.userId === candidate.id).role).toBe('observer');
    expect((await h.request({ method: 'PATCH', url: url(obs.id), token: host.token, body: { role: 'candidate' } })).status).toBe(200);
    expectError(await h.request({ method: 'PATCH', url: url(candidate.id), token: host.token, body: { role: 'candidate' } }), 409, 'ROOM_ROLE_CONSTRAINT_VIOLATION');
    expectError(await h.request({ method: 'PATCH', url: url(candidate.id), token: host.token, body: { role: 'interviewer' } }), 409, 'ROOM_ROLE_CONSTRAINT_VIOLATION');
    expectError(await h.request({ method: 'PATCH', url: url(host.id), token: host.token, body: { role: 'observer' } }), 400, 'VALIDATION_FAILED');
    expectError(await h.request({ method: 'PATCH', url: url(obs.id), token: candidate.token, body: { role: 'observer' } }), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await h.request({ method: 'PATCH', url: url(randomUUID()), token: host.token, body: { role: 'observer' } }), 404, 'PARTICIPANT_NOT_FOUND');
    expectError(await h.request({ method: 'PATCH', url: url(obs.id), token: host.token, body: { role: 'boss' } }), 400, 'VALIDATION_FAILED');
    const warm = await peerRoom(h, 'warmup');
    expectError(await h.request({ method: 'PATCH', url: `/rooms/${warm.room.roomId}/participants/${warm.candidate.id}`, token: warm.host.token, body: { role: 'observer' } }), 400, 'ROOM_ROLES_LOCKED');
    const coding = await peerRoom(h, 'coding');
    expectError(await h.request({ method: 'PATCH', url: `/rooms/${coding.room.roomId}/participants/${coding.candidate.id}`, token: coding.host.token, body: { role: 'observer' } }), 400, 'ROOM_ROLES_LOCKED');
    const ai = await createRoom(h, host, { mode: 'ai', config: { maxParticipants: 3 } });
    const aiObs = await newUser(h);
    await join(h, aiObs, ai);
    expectError(await h.request({ method: 'PATCH', url: `/rooms/${ai.roomId}/participants/${aiObs.id}`, token: host.token, body: { role: 'interviewer' } }), 409, 'ROOM_NOT_PEER_MODE');
  });

  it('DELETE participant: 204 and inactive+removed; self 400; non-host 403; missing/inactive 404; unknown room 404', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const obs = await newUser(h);
    await join(h, obs, room);
    const kick = (by: TestUser, id: string, roomId = room.roomId) => h.request({ method: 'DELETE', url: `/rooms/${roomId}/participants/${id}`, token: by.token });
    expectError(await kick(candidate, obs.id), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await kick(host, host.id), 400, 'ROOM_PERMISSION_DENIED');
    expect((await kick(host, obs.id)).status).toBe(204);
    const row = (await get(host, `/rooms/${room.roomId}/participants`)).body.data.find((p: any) => p.userId === obs.id);
    expect(row.isActive).toBe(false);
    expectError(await kick(host, obs.id), 404, 'PARTICIPANT_NOT_FOUND');
    expectError(await kick(host, randomUUID()), 404, 'PARTICIPANT_NOT_FOUND');
    expectError(await kick(host, obs.id, randomUUID()), 404, 'ROOM_NOT_FOUND');
    expectError(await kick(host, 'nope'), 400, 'VALIDATION_FAILED');
  });

  it('ownership transfer: ids and timestamp; role swap of the host seat; errors', async () => {
    const { host, candidate, room } = await peerRoom(h);
    const url = `/rooms/${room.roomId}/ownership/transfer`;
    expectError(await post(h, candidate, url, { targetUserId: host.id }), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await post(h, host, url, { targetUserId: host.id }), 400, 'PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP');
    expectError(await post(h, host, url, { targetUserId: randomUUID() }), 404, 'PARTICIPANT_NOT_FOUND');
    const res = await post(h, host, url, { targetUserId: candidate.id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roomId: room.roomId, previousHostId: host.id, currentHostId: candidate.id, transferredAt: isoString, transferredBy: host.id });
    const detail = (await get(candidate, `/rooms/${room.roomId}`)).body;
    expect(detail.hostId).toBe(candidate.id);
    expect(Object.fromEntries(detail.participants.map((p: any) => [p.userId, p.role]))).toEqual({ [host.id]: 'candidate', [candidate.id]: 'interviewer' });
    const obs = await newUser(h);
    await join(h, obs, room);
    await post(h, obs, `/rooms/${room.roomId}/leave`);
    expectError(await post(h, candidate, url, { targetUserId: obs.id }), 400, 'PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP');
    const warm = await peerRoom(h, 'warmup');
    expectError(await post(h, warm.host, `/rooms/${warm.room.roomId}/ownership/transfer`, { targetUserId: warm.candidate.id }), 400, 'ROOM_ROLES_LOCKED');
    const done = await peerRoom(h);
    await transition(h, done.host, done.room.roomId, 'finished');
    expectError(await post(h, done.host, `/rooms/${done.room.roomId}/ownership/transfer`, { targetUserId: done.candidate.id }), 409, 'ROOM_FINISHED');
  });
});

describe('ready and language', () => {
  it('ready toggles in waiting; 409 ROOM_INVALID_TRANSITION outside; 404 for non-participants', async () => {
    const { candidate, room } = await peerRoom(h);
    const on = await post(h, candidate, `/rooms/${room.roomId}/ready`);
    expect(on.status).toBe(200);
    expect(on.body.participants.find((p: any) => p.userId === candidate.id).isReady).toBe(true);
    const off = await post(h, candidate, `/rooms/${room.roomId}/ready`);
    expect(off.body.participants.find((p: any) => p.userId === candidate.id).isReady).toBe(false);
    expectError(await post(h, await newUser(h), `/rooms/${room.roomId}/ready`), 404, 'PARTICIPANT_NOT_FOUND');
    expectError(await post(h, candidate, `/rooms/${randomUUID()}/ready`), 404, 'ROOM_NOT_FOUND');
    const coding = await peerRoom(h, 'coding');
    expectError(await post(h, coding.candidate, `/rooms/${coding.room.roomId}/ready`), 409, 'ROOM_INVALID_TRANSITION');
  });

  it('language: candidate and interviewer change it (the session follows); observer 403; stranger 403; finished 400; bad value 400; 401', async () => {
    const { host, candidate, room } = await peerRoom(h, 'warmup');
    const obs = await newUser(h);
    await join(h, obs, room);
    const patch = (u: TestUser | null, language: string, roomId = room.roomId) =>
      h.request({ method: 'PATCH', url: `/rooms/${roomId}/language`, ...(u ? { token: u.token } : {}), body: { language } });
    const res = await patch(candidate, 'go');
    expect(res.status).toBe(200);
    expect(res.body.language).toBe('go');
    expect((await patch(host, 'go')).status).toBe(200); // same language: no-op
    expect((await patch(host, 'rust')).body.language).toBe('rust');
    expectError(await patch(obs, 'java'), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await patch(await newUser(h), 'java'), 403, 'ROOM_ACCESS_DENIED');
    expectError(await patch(host, 'cobol'), 400, 'VALIDATION_FAILED');
    expectError(await patch(null, 'java'), 401, 'UNAUTHORIZED');
    expectError(await patch(host, 'java', randomUUID()), 404, 'ROOM_NOT_FOUND');
    const { rows } = await h.ctx.pool.query('SELECT language FROM sessions WHERE room_id = $1', [room.roomId]);
    expect(rows[0].language).toBe('rust');
    const done = await peerRoom(h);
    await transition(h, done.host, done.room.roomId, 'finished');
    expectError(await patch(done.host, 'go', done.room.roomId), 400, 'ROOM_INVALID_STATE');
  });

  it('a host who is an observer may change the language (host override)', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { config: { maxParticipants: 3 } });
    const bob = await newUser(h);
    await join(h, bob, room, { requestedRole: 'observer' });
    // the host hands the room over by leaving, comes back as an observer, and gets the room back when bob leaves
    await post(h, host, `/rooms/${room.roomId}/leave`); // bob becomes host
    await join(h, host, room, { requestedRole: 'observer' });
    await post(h, bob, `/rooms/${room.roomId}/leave`); // host gets the room back, as an observer
    const again = (await get(host, `/rooms/${room.roomId}`)).body;
    expect([again.hostId, again.myRole]).toEqual([host.id, 'observer']);
    expect(again.myCapabilities).toContain('code:change-language');
    expect((await h.request({ method: 'PATCH', url: `/rooms/${room.roomId}/language`, token: host.token, body: { language: 'java' } })).status).toBe(200);
  });
});

describe('DELETE /rooms/:id', () => {
  it('host destroys: cleanup flags; the room and its session are gone; the code is free; errors', async () => {
    const { host, candidate, room } = await peerRoom(h, 'warmup');
    const sessionId = (await get(host, `/rooms/${room.roomId}`)).body.sessionId;
    expectError(await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}`, token: candidate.token }), 403, 'ROOM_PERMISSION_DENIED');
    const res = await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}`, token: host.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ roomId: room.roomId, collabDeleted: false, mediaDeleted: false });
    expectError(await get(host, `/rooms/${room.roomId}`), 404, 'ROOM_NOT_FOUND');
    expectError(await get(host, `/rooms/lookup?code=${room.roomCode}`), 404, 'ROOM_NOT_FOUND');
    const { rows } = await h.ctx.pool.query('SELECT count(*)::int AS n FROM sessions WHERE id = $1', [sessionId]);
    expect(rows[0].n).toBe(0);
    expectError(await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}`, token: host.token }), 404, 'ROOM_NOT_FOUND');
    const done = await peerRoom(h);
    await transition(h, done.host, done.room.roomId, 'finished');
    expectError(await h.request({ method: 'DELETE', url: `/rooms/${done.room.roomId}`, token: done.host.token }), 409, 'ROOM_FINISHED');
    // admins hold room:delete-any
    const other = await peerRoom(h);
    expect((await h.request({ method: 'DELETE', url: `/rooms/${other.room.roomId}`, token: admin.token })).status).toBe(200);
  });
});

describe('POST /rooms/:id/collab/ensure', () => {
  it('400 malformed id; 404 unknown; 403 strangers; 409 finished; 503 when the collab plane is down', async () => {
    const { host, candidate, room } = await peerRoom(h);
    expectError(await post(h, host, '/rooms/xyz/collab/ensure'), 400, 'VALIDATION_FAILED');
    expectError(await post(h, host, `/rooms/${randomUUID()}/collab/ensure`), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, await newUser(h), `/rooms/${room.roomId}/collab/ensure`), 403, 'ROOM_ACCESS_DENIED');
    await post(h, candidate, `/rooms/${room.roomId}/leave`);
    expectError(await post(h, candidate, `/rooms/${room.roomId}/collab/ensure`), 503, 'COLLAB_SERVICE_UNAVAILABLE'); // inactive members may ensure
    await transition(h, host, room.roomId, 'finished');
    expectError(await post(h, host, `/rooms/${room.roomId}/collab/ensure`), 409, 'ROOM_FINISHED');
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
