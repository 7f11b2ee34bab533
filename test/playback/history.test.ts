/**
 * Edit history with the real collab plane and real y-websocket clients: two people typing in turns, the code at
 * instants between their edits (no snapshot in between), edits dropped during a lock, a collab restart mid-session,
 * the playback stream, access rules, and a destroyed room taking its history with it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { replayCli } from '../../src/commands/sessions/replay.js';
import { createProblem } from '../problems/support.js';
import { expectError, newAdmin, newUser, peerRoom, post, transition, type TestUser } from '../rooms/support.js';
import { synced } from '../collab/support.js';
import { applyDelta } from '../../src/projections/playback/frames.js';
import {
  codeAt,
  codingRoom as codingRoomOf,
  converged,
  eventuallyCodeAt,
  playbackHarness,
  sessionIdOf,
  sleep,
  typeText,
  type PlaybackHarness,
} from './support.js';

let h: PlaybackHarness;
let admin: TestUser;
let problemId: string;

beforeAll(async () => {
  // a long flush interval: what the restart test finds must come from the flush on close, not the periodic one
  h = await playbackHarness({ history: { flushIntervalMs: 2_000, checkpointEveryUpdates: 10 } });
  admin = await newAdmin(h);
  problemId = (await createProblem(h, admin, { starterCode: { python: 'def solve():\n', javascript: '' } })).id;
}, 120_000);
afterAll(async () => {
  await h.close();
});

const codingRoom = () => codingRoomOf(h, problemId);

const mark = async () => {
  await sleep(60);
  const at = new Date();
  await sleep(60);
  return at;
};

describe('code at any instant', () => {
  it('two people typing in turns: the code between their edits is exactly what each had typed by then', async () => {
    const { host, candidate, room, sessionId, hostPeer, candPeer } = await codingRoom();
    const peers = [hostPeer, candPeer];
    await converged(peers, 'def solve():\n');
    const t0 = await mark();

    await typeText(candPeer, '    n = int(input())\n');
    await converged(peers, 'def solve():\n    n = int(input())\n');
    const t1 = await mark();

    await typeText(hostPeer, '    # edge: n == 0\n');
    await converged(peers, 'def solve():\n    n = int(input())\n    # edge: n == 0\n');
    const t2 = await mark();

    await typeText(candPeer, '    return n * 2\n');
    const final = 'def solve():\n    n = int(input())\n    # edge: n == 0\n    return n * 2\n';
    await converged(peers, final);
    const t3 = await mark();

    // no periodic snapshot was taken while they typed: the answers can only come from the edit history
    const snaps = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/snapshots`, token: host.token })).body.data;
    expect(snaps.every((s: any) => Date.parse(s.timestamp) < t0.getTime())).toBe(true);

    await eventuallyCodeAt(h, candidate, sessionId, t3, final);
    const expected: Array<[Date, string]> = [
      [t0, 'def solve():\n'],
      [t1, 'def solve():\n    n = int(input())\n'],
      [t2, 'def solve():\n    n = int(input())\n    # edge: n == 0\n'],
      [t3, final],
    ];
    for (const [at, code] of expected) {
      const res = await codeAt(h, host, sessionId, at);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ code, language: 'python', at: at.toISOString(), buffers: { python: code }, source: 'history' });
    }

    // the middle of a word: millisecond resolution, not just the pauses
    const { rows } = await h.ctx.pool.query<{ accepted_at: string; author: string }>(
      `SELECT accepted_at::text, author FROM collab_edit_updates u JOIN sessions s ON s.room_id::text = u.room_id WHERE s.id = $1 ORDER BY u.id`,
      [sessionId],
    );
    expect(new Set(rows.map((r) => r.author))).toEqual(new Set([host.id, candidate.id]));
    const candRows = rows.filter((r) => r.author === candidate.id);
    const mid = new Date(Number(candRows[4]!.accepted_at));
    const midCode = (await codeAt(h, host, sessionId, mid)).body.code as string;
    expect(midCode.startsWith('def solve():\n    ')).toBe(true);
    expect('def solve():\n    n = int(input())\n'.startsWith(midCode)).toBe(true);
    expect(midCode.length).toBeGreaterThan('def solve():\n'.length);
    expect(midCode.length).toBeLessThan('def solve():\n    n = int(input())\n'.length);

    // checkpoints exist, so an instant never replays the whole session
    const { rows: cps } = await h.ctx.pool.query(`SELECT 1 FROM collab_edit_checkpoints c JOIN sessions s ON s.room_id::text = c.room_id WHERE s.id = $1`, [sessionId]);
    expect(cps.length).toBeGreaterThanOrEqual(2);

    // the playback stream: applying the frames in order gives the code; one frame per 100 ms per author at most
    const pb = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: candidate.token })).body;
    expect(pb.language).toBe('python');
    let text = '';
    for (const f of pb.frames) text = applyDelta(text, f.delta);
    expect(text).toBe(final);
    for (const author of [host.id, candidate.id]) {
      const ts = pb.frames.filter((f: any) => f.userId === author).map((f: any) => f.t);
      expect(ts.length).toBeGreaterThan(1);
      for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(100);
    }
    const upToT1 = pb.frames.filter((f: any) => f.t <= t1.getTime() - Date.parse(pb.startedAt));
    expect(upToT1.reduce((acc: string, f: any) => applyDelta(acc, f.delta), '')).toBe('def solve():\n    n = int(input())\n');
    expect(pb.events.map((e: any) => e.eventType)).toContain('phase_changed');
    const times = pb.events.map((e: any) => e.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // a range: from t1 to t2 starts with the code at t1 and ends with the code at t2
    const range = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback?from=${t1.toISOString()}&to=${t2.toISOString()}`, token: host.token })).body;
    expect(range.frames.reduce((acc: string, f: any) => applyDelta(acc, f.delta), '')).toBe('def solve():\n    n = int(input())\n    # edge: n == 0\n');
    expect(range.frames.filter((f: any) => f.userId !== null).every((f: any) => f.userId === host.id)).toBe(true);

    // after the end: the final code
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);
    const later = await codeAt(h, candidate, sessionId, new Date(Date.now() + 3_600_000));
    expect(later.status).toBe(200);
    expect(later.body.code).toBe(final);

    // the CLI: --at answers the same millisecond from the edit history; --export writes the playback stream
    const dir = mkdtempSync(path.join(os.tmpdir(), 'playback-'));
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => printed.push(line);
    try {
      expect(await replayCli(h.ctx, [sessionId, '--at', mid.toISOString()])).toBe(0);
      expect(await replayCli(h.ctx, [sessionId, '--export', path.join(dir, 'playback.json')])).toBe(0);
      expect(printed[0]).toContain(`code at ${mid.toISOString()} (edit history): python`);
      expect(printed[0]).toContain(`${'-'.repeat(72)}\n${midCode}\n${'-'.repeat(72)}`);
      const exported = JSON.parse(readFileSync(path.join(dir, 'playback.json'), 'utf8'));
      const served = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: candidate.token })).body;
      expect(exported.frames).toEqual(served.frames);
      expect(exported.events).toEqual(served.events);
      expect(exported.frames.reduce((acc: string, f: any) => applyDelta(acc, f.delta), '')).toBe(final);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('access: participants and admins only; an instant before the session is 400 VALIDATION_FAILED', async () => {
    const { host, room } = await peerRoom(h, 'coding', { problemId });
    const sessionId = await sessionIdOf(h, host, room.roomId);
    const stranger = await newUser(h);
    expectError(await codeAt(h, stranger, sessionId, new Date()), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: stranger.token }), 403, 'SESSION_NOT_PARTICIPANT');
    expect((await codeAt(h, admin, sessionId, new Date())).status).toBe(200);
    expect((await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: admin.token })).status).toBe(200);
    expectError(await codeAt(h, host, sessionId, new Date(Date.now() - 3_600_000)), 400, 'VALIDATION_FAILED');
    expectError(await codeAt(h, host, sessionId, 'yesterday'), 400, 'VALIDATION_FAILED');
    expectError(await h.request({ method: 'GET', url: `/sessions/${sessionId}/code`, token: host.token }), 400, 'VALIDATION_FAILED');
    expectError(await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback?from=${new Date().toISOString()}&to=${new Date(Date.now() - 5000).toISOString()}`, token: host.token }), 400, 'VALIDATION_FAILED');
    expectError(await codeAt(h, host, crypto.randomUUID(), new Date()), 404, 'SESSION_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/sessions/${sessionId}/code?at=${new Date().toISOString()}` }), 401, 'UNAUTHORIZED');
  }, 60_000);
});

describe('what is not history', () => {
  it("a candidate's edits dropped during a lock never appear", async () => {
    const { host, candidate, room, sessionId, hostPeer, candPeer } = await codingRoom();
    await typeText(candPeer, 'x = 1\n');
    await converged([hostPeer, candPeer], 'def solve():\nx = 1\n');
    expect((await post(h, host, `/rooms/${room.roomId}/control/lock-editor`)).status).toBe(200);
    await sleep(150);
    await typeText(candPeer, 'LOCKED_OUT');
    await sleep(150);
    const during = new Date();
    expect(hostPeer.text()).toBe('def solve():\nx = 1\n');
    candPeer.destroy(); // leaves with its dropped edits
    await sleep(100);
    expect((await post(h, host, `/rooms/${room.roomId}/control/unlock-editor`)).status).toBe(200);
    await typeText(hostPeer, '# reviewed\n');
    const after = await mark();
    await eventuallyCodeAt(h, host, sessionId, after, 'def solve():\nx = 1\n# reviewed\n');
    expect((await codeAt(h, candidate, sessionId, during)).body.code).toBe('def solve():\nx = 1\n');
    const pb = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: host.token })).body;
    expect(JSON.stringify(pb.frames)).not.toContain('LOCKED');
  }, 60_000);

  it('a destroyed room takes its history with it', async () => {
    const { host, room, hostPeer } = await codingRoom();
    await typeText(hostPeer, '# hi\n');
    await h.collab.collab.history!.flush();
    const count = async () => (await h.ctx.pool.query('SELECT 1 FROM collab_edit_updates WHERE room_id = $1', [room.roomId])).rowCount;
    expect(await count()).toBeGreaterThan(0);
    expect((await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}`, token: host.token })).status).toBe(200);
    expect(await count()).toBe(0);
    expect((await h.ctx.pool.query('SELECT 1 FROM collab_edit_checkpoints WHERE room_id = $1', [room.roomId])).rowCount).toBe(0);
  }, 60_000);
});

describe('a collab restart mid-session', () => {
  it('loses nothing accepted before it', async () => {
    const { host, sessionId, hostPeer, candPeer } = await codingRoom();
    await typeText(candPeer, 'a = 1\n');
    await converged([hostPeer, candPeer], 'def solve():\na = 1\n');
    const beforeRestart = new Date();
    // the periodic flush is 2 s away: only the flush on close can save these rows
    await h.restartCollab();
    const afterRestart = new Date();
    // at once, before any periodic flush could have run: written by the flush on close
    expect((await codeAt(h, host, sessionId, beforeRestart)).body.code).toBe('def solve():\na = 1\n');
    await synced(hostPeer, 10_000);
    await synced(candPeer, 10_000);
    await typeText(hostPeer, 'b = 2\n');
    await converged([hostPeer, candPeer], 'def solve():\na = 1\nb = 2\n');
    const end = await mark();
    await eventuallyCodeAt(h, host, sessionId, end, 'def solve():\na = 1\nb = 2\n');
    expect((await codeAt(h, host, sessionId, beforeRestart)).body.code).toBe('def solve():\na = 1\n');
    const { rows } = await h.ctx.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM collab_edit_updates u JOIN sessions s ON s.room_id::text = u.room_id WHERE s.id = $1 AND accepted_at <= $2`,
      [sessionId, afterRestart.getTime()],
    );
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual('a = 1\n'.length);
  }, 60_000);
});

describe('the history thread and a failing database', () => {
  it('a dropped connection or a refused write loses nothing: rows are kept and written by a later flush', async () => {
    const { host, sessionId, hostPeer, candPeer } = await codingRoom();
    const history = h.collab.collab.history!;
    await typeText(hostPeer, 'x = 1\n');
    await converged([hostPeer, candPeer], 'def solve():\nx = 1\n');
    await history.flush(); // the thread's connection is open now
    // its connection dies between two flushes (application_name names the schema: only this test's)
    const { rows: killed } = await h.ctx.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
      `syncode-edit-history ${h.ctx.schema}`.slice(0, 63),
    ]);
    expect(killed.length).toBe(1);
    await typeText(candPeer, 'y = 2\n');
    await converged([hostPeer, candPeer], 'def solve():\nx = 1\ny = 2\n');
    // and the database refuses the next write
    await h.ctx.pool.query('ALTER TABLE collab_edit_updates ADD CONSTRAINT refuse_history CHECK (accepted_at < 0) NOT VALID');
    await typeText(hostPeer, 'z = 3\n');
    await converged([hostPeer, candPeer], 'def solve():\nx = 1\ny = 2\nz = 3\n');
    const end = await mark();
    await expect(history.flush()).rejects.toThrow(/refuse_history/);
    expect(history.stats.flushFailures).toBeGreaterThan(0);
    await h.ctx.pool.query('ALTER TABLE collab_edit_updates DROP CONSTRAINT refuse_history');
    await history.flush();
    expect((await codeAt(h, host, sessionId, end)).body.code).toBe('def solve():\nx = 1\ny = 2\nz = 3\n');
    expect(history.stats.droppedRows).toBe(0);
  }, 60_000);

  it('runs at a lower scheduling priority than the relay, which keeps the process priority', async () => {
    const { hostPeer, candPeer } = await codingRoom();
    await typeText(hostPeer, 'n = 0\n');
    await converged([hostPeer, candPeer], 'def solve():\nn = 0\n');
    await h.collab.collab.history!.flush(); // the thread has started and done its work
    // field 19 of /proc/<pid>/task/<tid>/stat is the task's nice value (after the parenthesised name)
    const niceOf = (task: string) => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const tasks = readdirSync('/proc/self/task');
    expect(niceOf(String(process.pid))).toBe(os.getPriority());
    expect(tasks.filter((t) => niceOf(t) === 10).length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
