/**
 * Live room events on the collab event channel, fed by the event-store subscription (src/collab/room-events.ts):
 * stock y-websocket clients in a room hear joins, kicks, settings and problem changes, the timer, role swaps and
 * run / submission results — hidden test cases as verdicts only — without polling. A swap while coding also moves
 * the write rule: the new candidate's edits are refused while the editor is locked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRoomEventFeed, type RoomEventFeed } from '../../src/collab/room-events.js';
import { createProblem } from '../problems/support.js';
import { createRoom, join, newAdmin, newUser, post, roomHarness, transition, type RoomHarness, type TestUser } from '../rooms/support.js';
import { peer, sleep, synced, waitFor, type Peer } from './support.js';

let h: RoomHarness;
let feed: RoomEventFeed;
const peers: Peer[] = [];

beforeAll(async () => {
  h = await roomHarness({ collab: true });
  feed = startRoomEventFeed(h.ctx.store, h.collab!.collab.registry, h.ctx.logger);
  await feed.ready;
}, 120_000);
afterAll(async () => {
  for (const p of peers) p.destroy();
  await feed.stop();
  await h.close();
});

const get = (u: TestUser, url: string) => h.request({ method: 'GET', url, token: u.token });
async function connect(u: TestUser, roomId: string): Promise<Peer> {
  const detail = (await get(u, `/rooms/${roomId}`)).body;
  const p = peer(`ws://127.0.0.1:${h.collab!.port}/ws`, roomId, detail.collabToken);
  peers.push(p);
  await synced(p);
  return p;
}
const heard = (p: Peer, type: string, match: (d: any) => boolean = () => true) =>
  waitFor(() => p.events.some((e) => e.type === type && match(e.data)), `${type} event`);
const eventOf = (p: Peer, type: string) => p.events.filter((e) => e.type === type).at(-1)!.data;

describe('room events reach every socket of the room', () => {
  it('joins, settings, problem, timer, swaps, kicks; the swap moves the write rule', async () => {
    const admin = await newAdmin(h);
    const problem = await createProblem(h, admin);
    const host = await newUser(h);
    const cand = await newUser(h);
    const room = await createRoom(h, host, { config: { maxParticipants: 4 } });
    await join(h, cand, room);
    const [hp, cp] = [await connect(host, room.roomId), await connect(cand, room.roomId)];

    const third = await newUser(h);
    await join(h, third, room, { requestedRole: 'observer' });
    for (const p of [hp, cp]) await heard(p, 'participant-joined', (d) => d.userId === third.id && d.role === 'observer');
    expect((await h.request({ method: 'PATCH', url: `/rooms/${room.roomId}/settings`, token: host.token, body: { name: 'Renamed' } })).status).toBe(200);
    await heard(cp, 'settings-changed', (d) => d.name === 'Renamed' && d.changedBy === host.id);
    expect((await post(h, host, `/rooms/${room.roomId}/control/problem`, { problemId: problem.id })).status).toBe(200);
    await heard(cp, 'problem-changed', (d) => d.problemId === problem.id);
    expect((await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${third.id}`, token: host.token })).status).toBe(204);
    await heard(cp, 'participant-kicked', (d) => d.userId === third.id);

    for (const u of [host, cand]) expect((await post(h, u, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    for (const phase of ['warmup', 'coding']) expect((await transition(h, host, room.roomId, phase)).status).toBe(200);
    expect((await post(h, host, `/rooms/${room.roomId}/control/pause`)).status).toBe(200);
    await heard(cp, 'timer-paused', (d) => d.pausedBy === host.id && typeof d.elapsedMs === 'number');
    expect((await post(h, host, `/rooms/${room.roomId}/control/resume`)).status).toBe(200);
    await heard(cp, 'timer-resumed', (d) => d.resumedBy === host.id);

    // the halfway swap, announced to both
    const swap = await post(h, cand, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: host.id });
    expect(swap.status).toBe(201);
    await heard(hp, 'role-swap-requested', (d) => d.swapId === swap.body.swapId && d.requesterId === cand.id);
    expect((await post(h, host, `/rooms/${room.roomId}/control/role-swap/${swap.body.swapId}`, { accept: true })).status).toBe(200);
    for (const p of [hp, cp]) await heard(p, 'role-swapped', (d) => d.requesterRole === 'interviewer' && d.targetRole === 'candidate');

    // locked: the host is the candidate now (a host writes anyway), the former candidate writes as interviewer
    expect((await post(h, cand, `/rooms/${room.roomId}/control/lock-editor`)).status).toBe(200);
    await heard(cp, 'editor-lock', (d) => d.locked === true);
    cp.doc.getText('code:python').insert(0, 'interviewer-now ');
    await waitFor(() => hp.text().startsWith('interviewer-now '), 'the new interviewer writes while locked');
  });

  it('an interviewer swapped into the candidate seat is refused while locked, though their token says interviewer', async () => {
    const creator = await newUser(h);
    const x = await newUser(h);
    const y = await newUser(h);
    const room = await createRoom(h, creator, { config: { maxParticipants: 4 } });
    await join(h, x, room, { requestedRole: 'candidate' });
    await join(h, y, room, { requestedRole: 'observer' });
    // the creator leaves: x (candidate) becomes the host, and makes y the interviewer
    expect((await post(h, creator, `/rooms/${room.roomId}/leave`)).status).toBeLessThan(300);
    expect((await h.request({ method: 'PATCH', url: `/rooms/${room.roomId}/participants/${y.id}`, token: x.token, body: { role: 'interviewer' } })).status).toBe(200);
    for (const u of [x, y]) expect((await post(h, u, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    for (const phase of ['warmup', 'coding']) expect((await transition(h, x, room.roomId, phase)).status).toBe(200);
    const [xp, yp] = [await connect(x, room.roomId), await connect(y, room.roomId)];

    const swap = await post(h, y, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: x.id });
    expect((await post(h, x, `/rooms/${room.roomId}/control/role-swap/${swap.body.swapId}`, { accept: true })).status).toBe(200);
    await heard(yp, 'role-swapped');
    expect((await post(h, x, `/rooms/${room.roomId}/control/lock-editor`)).status).toBe(200);
    await heard(yp, 'editor-lock', (d) => d.locked === true);
    yp.doc.getText('code:python').insert(0, 'Y-WHILE-LOCKED ');
    await waitFor(() => yp.text() === '', "the new candidate's edit is reverted");
    xp.doc.getText('code:python').insert(0, 'x-writes ');
    await waitFor(() => yp.text() === 'x-writes ', 'the new interviewer writes');
    await sleep(100);
    expect(xp.text()).toBe('x-writes ');
  });
});

describe('run and submission results', () => {
  it('both participants see the output; hidden cases carry their verdict only', async () => {
    const host = await newUser(h);
    const cand = await newUser(h);
    const room = await createRoom(h, host);
    await join(h, cand, room);
    const [hp, cp] = [await connect(host, room.roomId), await connect(cand, room.roomId)];
    const meta = { actorId: cand.id, traceId: 't', correlationId: 't', causationId: null, occurredAt: new Date().toISOString() };
    const runId = randomUUID();
    await h.ctx.store.appendToStream(`run-${runId}`, [{
      id: randomUUID(), type: 'RunCompleted', metadata: meta,
      data: { runId, roomId: room.roomId, userId: cand.id, status: 'completed', verdict: 'OK', stdout: 'hello from the run\n', stderr: '', exitCode: 0, signal: null, durationMs: 12, cpuTimeMs: 5, memoryUsageMb: 3, timedOut: false, outputTruncated: false, compileDurationMs: 0, error: null, completedAt: meta.occurredAt },
    }], { expectedRevision: 'any' });
    for (const p of [hp, cp]) await heard(p, 'run-completed', (d) => d.runId === runId && d.stdout === 'hello from the run\n' && d.userId === cand.id);

    const submissionId = randomUUID();
    const test = (i: number, hidden: boolean) => ({
      testCaseIndex: i, verdict: 'WA', stdout: `OUT-${i}`, stderr: '', exitCode: 0, signal: null, durationMs: 3, cpuTimeMs: 1, memoryUsageMb: 1,
      timedOut: false, outputTruncated: false, expectedOutput: `EXPECTED-${i}`, errorMessage: null, isHidden: hidden, passed: false, actualOutput: `OUT-${i}`,
    });
    await h.ctx.store.appendToStream(`submission-${submissionId}`, [
      { id: randomUUID(), type: 'SubmissionTestsJudged', metadata: meta, data: { submissionId, roomId: room.roomId, results: [test(0, false), test(1, true)] } },
      {
        id: randomUUID(), type: 'SubmissionCompleted', metadata: meta,
        data: { submissionId, problemId: randomUUID(), userId: cand.id, roomId: room.roomId, sessionId: null, passed: 0, failed: 2, errors: 0, total: 2, accepted: false, totalDurationMs: 6, status: 'completed', verdict: 'WA', compileDurationMs: null, compileError: null, error: null, completedAt: meta.occurredAt },
      },
    ], { expectedRevision: 'any' });
    await heard(hp, 'submission-completed', (d) => d.submissionId === submissionId && d.failed === 2 && d.verdict === 'WA');
    const judged = eventOf(hp, 'submission-tests-judged');
    expect(judged.results[0]).toMatchObject({ testCaseIndex: 0, isHidden: false, expectedOutput: 'EXPECTED-0', actualOutput: 'OUT-0', stdout: 'OUT-0' });
    expect(judged.results[1]).toEqual({ testCaseIndex: 1, verdict: 'WA', passed: false, durationMs: 3, timedOut: false, isHidden: true });
    expect(JSON.stringify(hp.events)).not.toContain('EXPECTED-1');
    expect(JSON.stringify(cp.events)).not.toContain('OUT-1');
  });
});
