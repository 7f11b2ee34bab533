/**
 * Sessions over HTTP (SPEC §4.11 session parts, §9, checklists §11.22–11.23): history, detail, per-user soft delete,
 * snapshots, timeline access, and the artefact endpoints other modules fill later. Sessions are finished through the
 * real collab plane (finishing needs its final snapshot).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyProjection } from '../../src/projections/verify.js';
import { createProblem } from '../problems/support.js';
import {
  createRoom,
  expectError,
  isoString,
  join,
  newAdmin,
  newUser,
  post,
  roomHarness,
  transition,
  type RoomHarness,
  type TestUser,
} from '../rooms/support.js';

let h: RoomHarness;
let admin: TestUser;
let host: TestUser;
let cand: TestUser;
let stranger: TestUser;
let problem: any;

const get = (user: TestUser, url: string) => h.request({ method: 'GET', url, token: user.token });

/** A session run to the end: peer (host interviewer, candidate) or ai (host candidate). */
async function finishedSession(o: { mode?: 'peer' | 'ai'; problemId?: string; observer?: TestUser; keepOpen?: boolean } = {}): Promise<{ sessionId: string; roomId: string }> {
  const mode = o.mode ?? 'peer';
  const room = await createRoom(h, host, { mode, config: { maxParticipants: 3 }, ...(o.problemId ? { problemId: o.problemId } : {}) });
  if (mode === 'peer') {
    await join(h, cand, room);
    await post(h, cand, `/rooms/${room.roomId}/ready`);
  }
  if (o.observer) await join(h, o.observer, room);
  await post(h, host, `/rooms/${room.roomId}/ready`);
  expect((await transition(h, host, room.roomId, 'warmup')).status).toBe(200);
  const { sessionId } = (await get(host, `/rooms/${room.roomId}`)).body;
  if (!o.keepOpen) {
    expect((await transition(h, host, room.roomId, 'coding')).status).toBe(200);
    const fin = await transition(h, host, room.roomId, 'finished');
    expect(fin.status).toBe(200);
  }
  return { sessionId, roomId: room.roomId };
}

let first: { sessionId: string; roomId: string };
let aiSession: { sessionId: string; roomId: string };
let ongoing: { sessionId: string; roomId: string };

beforeAll(async () => {
  h = await roomHarness({ collab: true });
  admin = await newAdmin(h);
  [host, cand, stranger] = [await newUser(h), await newUser(h), await newUser(h)];
  problem = await createProblem(h, admin, { difficulty: 'medium', starterCode: { python: 'print(1)\n' } });
  first = await finishedSession({ problemId: problem.id });
  aiSession = await finishedSession({ mode: 'ai' });
  ongoing = await finishedSession({ keepOpen: true });
}, 180_000);
afterAll(() => h.close(), 60_000);

describe('GET /sessions', () => {
  it('lists my finished sessions with problem, participants, duration in seconds and ISO timestamps', async () => {
    const res = await get(cand, '/sessions');
    expect(res.status).toBe(200);
    const entry = res.body.data.find((s: any) => s.sessionId === first.sessionId);
    expect(entry).toEqual({
      sessionId: first.sessionId,
      roomId: first.roomId,
      mode: 'peer',
      problemTitle: problem.title,
      difficulty: 'medium',
      language: 'python',
      duration: expect.any(Number),
      participants: [
        { userId: host.id, username: host.username, displayName: null, avatarUrl: null, role: 'interviewer' },
        { userId: cand.id, username: cand.username, displayName: null, avatarUrl: null, role: 'candidate' },
      ],
      overallScore: null,
      hasReport: false,
      hasFeedback: false,
      createdAt: isoString,
      finishedAt: isoString,
    });
    expect(res.body.data.map((s: any) => s.sessionId)).not.toContain(ongoing.sessionId);
    expect(res.body.data.map((s: any) => s.sessionId)).not.toContain(aiSession.sessionId); // cand was not in it
  });

  it('no sessions → empty data; the mode filter; admins see all finished sessions', async () => {
    expect((await get(stranger, '/sessions')).body).toEqual({ data: [], pagination: { nextCursor: null, hasMore: false } });
    expect((await get(host, '/sessions?mode=ai')).body.data.map((s: any) => s.sessionId)).toEqual([aiSession.sessionId]);
    const all = (await get(admin, '/sessions?limit=100')).body.data.map((s: any) => s.sessionId);
    expect(all).toEqual(expect.arrayContaining([first.sessionId, aiSession.sessionId]));
    expect(all).not.toContain(ongoing.sessionId);
  });

  it('pages through 5+ sessions by 2 without gaps or duplicates, for every sort', async () => {
    for (let i = 0; i < 3; i++) await finishedSession();
    const expected = (await get(host, '/sessions?limit=100')).body.data.map((s: any) => s.sessionId).sort();
    expect(expected.length).toBeGreaterThanOrEqual(5);
    for (const sortBy of ['createdAt', 'finishedAt', 'duration', 'overallScore']) {
      for (const sortOrder of ['desc', 'asc']) {
        const seen: any[] = [];
        let cursor: string | null = null;
        do {
          const res: any = await get(host, `/sessions?limit=2&sortBy=${sortBy}&sortOrder=${sortOrder}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          seen.push(...res.body.data);
          cursor = res.body.pagination.nextCursor;
        } while (cursor);
        expect(seen.map((s) => s.sessionId).sort()).toEqual(expected);
        if (sortBy === 'createdAt') {
          const times = seen.map((s) => Date.parse(s.createdAt));
          expect(times).toEqual([...times].sort((a, b) => (sortOrder === 'asc' ? a - b : b - a)));
        }
      }
    }
  });

  it('filters by start date (inclusive) and problem; a bad cursor is 400', async () => {
    const started = (await get(host, `/sessions/${first.sessionId}`)).body.createdAt;
    const from = (await get(host, `/sessions?fromDate=${encodeURIComponent(started)}&limit=100`)).body.data.map((s: any) => s.sessionId);
    expect(from).toContain(first.sessionId);
    const to = (await get(host, `/sessions?toDate=${encodeURIComponent(started)}&limit=100`)).body.data.map((s: any) => s.sessionId);
    expect(to).toContain(first.sessionId);
    const before = (await get(host, `/sessions?toDate=${encodeURIComponent(new Date(Date.parse(started) - 1).toISOString())}&limit=100`)).body.data.map((s: any) => s.sessionId);
    expect(before).not.toContain(first.sessionId);
    expect((await get(host, `/sessions?problemId=${problem.id}`)).body.data.map((s: any) => s.sessionId)).toEqual([first.sessionId]);
    expectError(await get(host, '/sessions?cursor=zzz'), 400, 'VALIDATION_FAILED');
    expectError(await get(host, '/sessions?sortBy=score'), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /sessions/:id', () => {
  it('a participant gets the detail with ISO timestamps, participants and the latest snapshot', async () => {
    const res = await get(cand, `/sessions/${first.sessionId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sessionId: first.sessionId,
      roomId: first.roomId,
      mode: 'peer',
      problem: { id: problem.id, title: problem.title, difficulty: 'medium' },
      language: 'python',
      duration: expect.any(Number),
      runs: [],
      submissions: [],
      report: null,
      peerFeedback: [],
      hasReport: false,
      hasFeedback: false,
      hasRecording: false,
      createdAt: isoString,
      finishedAt: isoString,
    });
    expect(res.body.participants).toEqual([
      expect.objectContaining({ userId: host.id, role: 'interviewer', joinedAt: isoString, leftAt: isoString }),
      expect.objectContaining({ userId: cand.id, role: 'candidate', joinedAt: isoString, leftAt: isoString }),
    ]);
    expect(res.body.latestCodeSnapshot).toMatchObject({ id: expect.any(String), code: 'print(1)\n', language: 'python', createdAt: isoString });
  });

  it('403 non-participant; 404 unknown, ongoing, or soft-deleted by the caller; 400 malformed; admins read any', async () => {
    expectError(await get(stranger, `/sessions/${first.sessionId}`), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await get(host, `/sessions/${randomUUID()}`), 404, 'SESSION_NOT_FOUND');
    expectError(await get(host, `/sessions/${ongoing.sessionId}`), 404, 'SESSION_NOT_FOUND');
    expectError(await get(host, '/sessions/nope'), 400, 'VALIDATION_FAILED');
    expect((await get(admin, `/sessions/${first.sessionId}`)).status).toBe(200);
  });
});

describe('runs and submissions in the detail (the execution module\'s events)', () => {
  it('lists the room\'s terminal runs and submissions, oldest first, and tells them in the timeline', async () => {
    const s = await finishedSession();
    const runId = randomUUID();
    const submissionId = randomUUID();
    const outcome = { status: 'completed', verdict: 'OK', stdout: '42\n', stderr: '', exitCode: 0, signal: null, durationMs: 12, cpuTimeMs: 10, memoryUsageMb: 5, timedOut: false, outputTruncated: false, compileDurationMs: 0, error: null };
    await h.ctx.store.appendToStream(`run-${runId}`, [
      { id: randomUUID(), type: 'RunRequested', data: { runId, roomId: s.roomId, sessionId: s.sessionId, userId: cand.id, language: 'python', code: 'print(42)', codeHash: 'h', stdin: null, timeoutMs: 1000, memoryMb: 64, staticAnalysisJobId: null, requestedAt: new Date().toISOString() }, metadata: { actorId: cand.id, occurredAt: new Date().toISOString() } },
      { id: randomUUID(), type: 'RunCompleted', data: { ...outcome, runId, roomId: s.roomId, userId: cand.id, completedAt: new Date().toISOString() }, metadata: { actorId: null, occurredAt: new Date().toISOString() } },
    ]);
    const submitted = await h.ctx.store.appendToStream(`submission-${submissionId}`, [
      { id: randomUUID(), type: 'SubmissionRequested', data: { submissionId, roomId: s.roomId, sessionId: s.sessionId, problemId: problem.id, userId: cand.id, language: 'python', code: 'x', codeHash: 'h', testCaseCount: 2, hiddenTestIndexes: [], staticAnalysisJobId: null, requestedAt: new Date().toISOString() }, metadata: { actorId: cand.id, occurredAt: new Date().toISOString() } },
      { id: randomUUID(), type: 'SubmissionCompleted', data: { submissionId, problemId: problem.id, userId: cand.id, roomId: s.roomId, sessionId: s.sessionId, passed: 1, failed: 1, errors: 0, total: 2, accepted: false, totalDurationMs: 30, status: 'completed', verdict: 'WA', compileDurationMs: null, compileError: null, error: null, completedAt: new Date().toISOString() }, metadata: { actorId: null, occurredAt: new Date().toISOString() } },
    ]);
    await h.ctx.progress.waitFor(submitted.position.commit, ['runs', 'submissions', 'session-timeline'], 10_000);
    const detail = (await get(cand, `/sessions/${s.sessionId}`)).body;
    expect(detail.runs).toEqual([{ jobId: runId, status: 'completed', createdAt: isoString }]);
    expect(detail.submissions).toEqual([{ submissionId, status: 'completed', passed: 1, total: 2, createdAt: isoString }]);
    const tail = (await get(cand, `/sessions/${s.sessionId}/timeline`)).body.data.slice(-4).map((e: any) => [e.eventType, e.userId]);
    expect(tail).toEqual([['code_run', cand.id], ['code_run_completed', cand.id], ['code_submitted', cand.id], ['submission_completed', cand.id]]);
  });
});

describe('DELETE /sessions/:id (per-user soft delete)', () => {
  it('hides the session for that user only; idempotent; 403 non-participant; 404 unknown; admins may hide any', async () => {
    const s = await finishedSession();
    expect((await h.request({ method: 'DELETE', url: `/sessions/${s.sessionId}`, token: cand.token })).status).toBe(204);
    expect((await h.request({ method: 'DELETE', url: `/sessions/${s.sessionId}`, token: cand.token })).status).toBe(204);
    expect((await get(cand, '/sessions?limit=100')).body.data.map((x: any) => x.sessionId)).not.toContain(s.sessionId);
    expectError(await get(cand, `/sessions/${s.sessionId}`), 404, 'SESSION_NOT_FOUND');
    expectError(await get(cand, `/sessions/${s.sessionId}/snapshots`), 404, 'SESSION_NOT_FOUND');
    expect((await get(host, '/sessions?limit=100')).body.data.map((x: any) => x.sessionId)).toContain(s.sessionId);
    expectError(await h.request({ method: 'DELETE', url: `/sessions/${s.sessionId}`, token: stranger.token }), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await h.request({ method: 'DELETE', url: `/sessions/${randomUUID()}`, token: host.token }), 404, 'SESSION_NOT_FOUND');
    expect((await h.request({ method: 'DELETE', url: `/sessions/${s.sessionId}`, token: admin.token })).status).toBe(204);
    const { rows } = await h.ctx.pool.query('SELECT user_id FROM session_deletions WHERE session_id = $1 ORDER BY deleted_at', [s.sessionId]);
    expect(rows.map((r: any) => r.user_id)).toEqual([cand.id, admin.id]);
  });
});

describe('GET /sessions/:id/snapshots and /timeline', () => {
  it('snapshots: chronological with stored triggers, paginated; works for ongoing sessions; 403; 404', async () => {
    const all = (await get(host, `/sessions/${first.sessionId}/snapshots`)).body.data;
    expect(all.length).toBeGreaterThanOrEqual(1);
    expect(all[0]).toEqual({ snapshotId: expect.any(String), timestamp: isoString, trigger: 'phase_change', language: 'python', code: 'print(1)\n', linesOfCode: 2, phase: expect.any(String) });
    const page = await get(host, `/sessions/${first.sessionId}/snapshots?limit=1`);
    expect(page.body.data).toHaveLength(1);
    expect((await get(host, `/sessions/${ongoing.sessionId}/snapshots`)).status).toBe(200);
    expectError(await get(stranger, `/sessions/${first.sessionId}/snapshots`), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await get(host, `/sessions/${randomUUID()}/snapshots`), 404, 'SESSION_NOT_FOUND');
    expectError(await get(host, `/sessions/${first.sessionId}/snapshots?cursor=x!`), 400, 'VALIDATION_FAILED');
  });

  it('snapshot pages follow each other without gaps', async () => {
    const room = await createRoom(h, host, { config: { maxParticipants: 3 } });
    await join(h, cand, room);
    await post(h, host, `/rooms/${room.roomId}/ready`);
    await post(h, cand, `/rooms/${room.roomId}/ready`);
    await transition(h, host, room.roomId, 'warmup');
    const { sessionId } = (await get(host, `/rooms/${room.roomId}`)).body;
    const t = Date.now();
    for (let i = 0; i < 5; i++) {
      const r = await h.request({
        method: 'POST',
        url: '/internal/collab/snapshot',
        headers: { 'x-internal-secret': h.config.INTERNAL_CALLBACK_SECRET },
        body: { roomId: room.roomId, snapshot: [], code: `v${i}`, language: 'python', timestamp: t + i * 1000, trigger: 'periodic', phase: 'warmup' },
      });
      expect(r.body).toEqual({ success: true });
    }
    await new Promise((r) => setTimeout(r, 300));
    const codes: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await get(cand, `/sessions/${sessionId}/snapshots?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      codes.push(...res.body.data.map((s: any) => s.code));
      cursor = res.body.pagination.nextCursor;
    } while (cursor);
    expect(codes.slice(-5)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('timeline: participants and admins; 403 strangers; 404 unknown; 400 bad at', async () => {
    expect((await get(cand, `/sessions/${first.sessionId}/timeline`)).body.data[0]).toMatchObject({ eventType: 'participant_joined', userId: host.id });
    expect((await get(admin, `/sessions/${first.sessionId}/timeline`)).status).toBe(200);
    expectError(await get(stranger, `/sessions/${first.sessionId}/timeline`), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await get(host, `/sessions/${randomUUID()}/timeline`), 404, 'SESSION_NOT_FOUND');
    expectError(await get(host, `/sessions/${first.sessionId}/timeline?at=yesterday`), 400, 'VALIDATION_FAILED');
  });
});

describe('artefacts other modules fill', () => {
  it('report: candidate 404 SESSION_REPORT_NOT_READY, interviewer 404 SESSION_REPORT_UNAVAILABLE, stranger 403, unknown 404', async () => {
    expectError(await get(cand, `/sessions/${first.sessionId}/report`), 404, 'SESSION_REPORT_NOT_READY');
    expectError(await get(host, `/sessions/${first.sessionId}/report`), 404, 'SESSION_REPORT_UNAVAILABLE');
    expectError(await get(stranger, `/sessions/${first.sessionId}/report`), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await get(host, `/sessions/${randomUUID()}/report`), 404, 'SESSION_NOT_FOUND');
  });

  it('ai-messages, recording, whiteboard: their *_NOT_FOUND codes for participants; 403 strangers', async () => {
    // an AI session has a conversation (empty here); a peer session has none
    const conversation = await get(host, `/sessions/${aiSession.sessionId}/ai-messages`);
    expect(conversation.status).toBe(200);
    expect(conversation.body.data).toEqual([]);
    expectError(await get(cand, `/sessions/${first.sessionId}/ai-messages`), 404, 'SESSION_AI_MESSAGES_NOT_FOUND');
    expectError(await get(cand, `/sessions/${first.sessionId}/recording`), 404, 'SESSION_RECORDING_NOT_FOUND');
    expectError(await get(cand, `/sessions/${first.sessionId}/whiteboard`), 404, 'SESSION_WHITEBOARD_NOT_FOUND');
    expectError(await get(stranger, `/sessions/${first.sessionId}/whiteboard`), 403, 'SESSION_NOT_PARTICIPANT');
  });
});

describe('late joiners (DESIGN §10)', () => {
  it('someone who joins during the session can read it afterwards', async () => {
    const late = await newUser(h);
    const s = await finishedSession({ keepOpen: true });
    const room = (await get(host, `/rooms/${s.roomId}`)).body;
    await join(h, late, { roomId: s.roomId, roomCode: room.roomCode });
    await transition(h, host, s.roomId, 'finished');
    const detail = await get(late, `/sessions/${s.sessionId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.participants.map((p: any) => p.userId)).toContain(late.id);
  });
});

describe('numbers in the users endpoints', () => {
  it('profile stats count finished sessions; quotas count open hosted rooms', async () => {
    const me = (await get(cand, '/users/me')).body;
    const listed = (await get(cand, '/sessions?limit=100')).body.data.length;
    expect(me.stats.totalSessions).toBe(listed);
    const quotas = (await get(host, '/users/me/quotas')).body;
    const { rows } = await h.ctx.pool.query("SELECT count(*)::int AS n FROM rooms WHERE host_id = $1 AND status <> 'finished'", [host.id]);
    expect(quotas.rooms.activeCount).toBe(rows[0].n);
    expect(rows[0].n).toBeGreaterThan(0);
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
