/**
 * Peer feedback over HTTP (SPEC §4.11 as settled by DESIGN §10), with the real collab plane so sessions really
 * finish: submit with ratings, one per pair, skip / skip-all / progress, the visibility rule with three review
 * participants and a skip, AI sessions, observers, and `peerFeedback` / `hasFeedback` in history and detail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyProjection } from '../../src/projections/verify.js';
import { createRoom, expectError, join, newAdmin, newUser, peerRoom, post, roomHarness, transition, type RoomHarness, type TestUser } from '../rooms/support.js';

let h: RoomHarness;
let admin: TestUser;

beforeAll(async () => {
  h = await roomHarness({ collab: true });
  admin = await newAdmin(h);
}, 120_000);
afterAll(async () => {
  await h.close();
});

const ratings = { problemSolving: 4, communication: 5, codeQuality: 3, wouldPairAgain: 5 };
const get = (u: TestUser, url: string) => h.request({ method: 'GET', url, token: u.token });
const submit = (u: TestUser, sessionId: string, candidateId: string, body: Record<string, unknown> = {}) =>
  post(h, u, `/sessions/${sessionId}/feedback`, { candidateId, ratings, feedbackText: `from ${u.username}`, ...body });
const skip = (u: TestUser, sessionId: string, candidateId: string) => post(h, u, `/sessions/${sessionId}/feedback/skip`, { candidateId });
const progress = async (u: TestUser, sessionId: string) => (await get(u, `/sessions/${sessionId}/feedback/progress`)).body;
const visible = async (u: TestUser, sessionId: string) => {
  const res = await get(u, `/sessions/${sessionId}/feedback`);
  expect(res.status).toBe(200);
  return { allSubmitted: res.body.allSubmitted as boolean, pairs: (res.body.data as any[]).map((e) => `${e.reviewerId}>${e.candidateId}`).sort() };
};
const pair = (a: TestUser, b: TestUser) => `${a.id}>${b.id}`;

async function finish(host: TestUser, roomId: string): Promise<string> {
  const res = await transition(h, host, roomId, 'finished');
  expect(res.status).toBe(200);
  return (await get(host, `/rooms/${roomId}`)).body.sessionId;
}

/**
 * A peer session with three review participants: Ann interviews Ben, Ben leaves during coding and Cat joins as the
 * candidate; Obi observes throughout.
 */
async function threePeople() {
  const { host: ann, candidate: ben, room } = await peerRoom(h, 'coding');
  const obi = await newUser(h);
  await join(h, obi, room, { requestedRole: 'observer' });
  expect((await post(h, ben, `/rooms/${room.roomId}/leave`)).status).toBeLessThan(300);
  const cat = await newUser(h);
  await join(h, cat, room, { requestedRole: 'candidate' });
  const sessionId = (await get(ann, `/rooms/${room.roomId}`)).body.sessionId as string;
  return { ann, ben, cat, obi, room, sessionId };
}

describe('before wrap-up', () => {
  it('submitting is 409 FEEDBACK_ROOM_NOT_FINISHED, reading is 404 SESSION_NOT_FOUND; wrap-up opens it', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    const sessionId = (await get(host, `/rooms/${room.roomId}`)).body.sessionId;
    expectError(await submit(host, sessionId, candidate.id), 409, 'FEEDBACK_ROOM_NOT_FINISHED');
    expectError(await skip(host, sessionId, candidate.id), 409, 'FEEDBACK_ROOM_NOT_FINISHED');
    expectError(await get(host, `/sessions/${sessionId}/feedback`), 404, 'SESSION_NOT_FOUND');
    expect((await transition(h, host, room.roomId, 'wrapup')).status).toBe(200);
    const res = await submit(candidate, sessionId, host.id);
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual([
      expect.objectContaining({ reviewerId: candidate.id, candidateId: host.id, status: 'submitted', ratings, feedbackText: `from ${candidate.username}` }),
    ]);
    expectError(await get(host, `/sessions/${randomish()}/feedback`), 404, 'SESSION_NOT_FOUND');
  });
});

function randomish(): string {
  return '0f0e0d0c-0b0a-4909-8807-060504030201';
}

describe('a finished peer session with three review participants', () => {
  it('submit once per pair, validation, observers and strangers, then visibility once every pair is resolved', async () => {
    const p = await threePeople();
    const { ann, ben, cat, obi, sessionId } = p;
    await finish(ann, p.room.roomId);

    // Ann rates Ben: 201 with her own view; a second time 409; herself 400; bad ratings 400
    const first = await submit(ann, sessionId, ben.id, { feedbackText: '  Talked through the edge cases.  ' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      allSubmitted: false,
      data: [
        expect.objectContaining({
          id: expect.any(String), sessionId, roomId: p.room.roomId, status: 'submitted', reviewerId: ann.id, candidateId: ben.id,
          reviewerName: ann.username, candidateName: ben.username, ratings, feedbackText: 'Talked through the edge cases.',
        }),
      ],
    });
    expectError(await submit(ann, sessionId, ben.id), 409, 'FEEDBACK_ALREADY_SUBMITTED');
    expectError(await submit(ann, sessionId, ann.id), 400, 'VALIDATION_FAILED');
    expectError(await submit(ann, sessionId, cat.id, { ratings: { ...ratings, codeQuality: 6 } }), 400, 'VALIDATION_FAILED');
    expectError(await submit(ann, sessionId, cat.id, { ratings: { problemSolving: 3 } }), 400, 'VALIDATION_FAILED');
    expectError(await submit(ann, sessionId, 'not-a-uuid'), 400, 'VALIDATION_FAILED');
    // observers neither give nor receive; strangers are not participants
    expectError(await submit(obi, sessionId, ann.id), 403, 'FORBIDDEN');
    expectError(await submit(ann, sessionId, obi.id), 403, 'FORBIDDEN');
    const stranger = await newUser(h);
    expectError(await get(stranger, `/sessions/${sessionId}/feedback`), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await get(stranger, `/sessions/${sessionId}/feedback/progress`), 403, 'SESSION_NOT_PARTICIPANT');
    expect(await progress(obi, sessionId)).toEqual({ allSubmitted: true, targets: [] });

    // progress: Ann → Ben submitted, Cat pending; a skip never replaces a submission
    expect((await skip(ann, sessionId, ben.id)).status).toBe(200);
    const annProgress = await progress(ann, sessionId);
    expect(annProgress.allSubmitted).toBe(false);
    expect(Object.fromEntries(annProgress.targets.map((t: any) => [t.candidateId, [t.state, t.role]]))).toEqual({
      [ben.id]: ['submitted', 'candidate'],
      [cat.id]: ['pending', 'candidate'],
    });

    // Ann skips Cat; Ben rates Ann and skips the rest; Cat rates both
    const skipped = await skip(ann, sessionId, cat.id);
    expect(skipped.body.allSubmitted).toBe(true);
    expect(skipped.body.targets.find((t: any) => t.candidateId === cat.id)).toMatchObject({ state: 'skipped', createdAt: expect.any(String) });
    expect((await submit(ben, sessionId, ann.id)).status).toBe(201);
    const benAll = await post(h, ben, `/sessions/${sessionId}/feedback/skip-all`);
    expect(benAll.status).toBe(200);
    expect(benAll.body.targets.map((t: any) => t.state).sort()).toEqual(['skipped', 'submitted']);
    expect((await submit(cat, sessionId, ann.id)).status).toBe(201);

    // one pair (Cat → Ben) unresolved: everybody but the admin reads only what they wrote
    expect(await visible(ben, sessionId)).toEqual({ allSubmitted: false, pairs: [pair(ben, ann)] });
    expect(await visible(ann, sessionId)).toEqual({ allSubmitted: false, pairs: [pair(ann, ben)] });
    expect(await visible(admin, sessionId)).toEqual({ allSubmitted: false, pairs: [pair(ann, ben), pair(ben, ann), pair(cat, ann)].sort() });
    const benDetail = (await get(ben, `/sessions/${sessionId}`)).body;
    expect(benDetail.hasFeedback).toBe(true);
    expect(benDetail.peerFeedback.map((e: any) => e.reviewerId)).toEqual([ben.id]);

    // the last pair resolves: Ben now reads what Ann wrote about him, and everything else submitted
    // the reference's clients send text only: accepted, with null ratings; neither ratings nor text is a 400
    expectError(await post(h, cat, `/sessions/${sessionId}/feedback`, { candidateId: ben.id, feedbackText: '  ' }), 400, 'VALIDATION_FAILED');
    expect((await post(h, cat, `/sessions/${sessionId}/feedback`, { candidateId: ben.id, feedbackText: 'Clear variable names.' })).status).toBe(201);
    const all = [pair(ann, ben), pair(ben, ann), pair(cat, ann), pair(cat, ben)].sort();
    expect(await visible(ben, sessionId)).toEqual({ allSubmitted: true, pairs: all });
    const about = (await get(ben, `/sessions/${sessionId}/feedback`)).body.data.find((e: any) => e.reviewerId === ann.id);
    expect(about).toMatchObject({ feedbackText: 'Talked through the edge cases.', ratings });
    const textOnly = (await get(ben, `/sessions/${sessionId}/feedback`)).body.data.find((e: any) => e.reviewerId === cat.id && e.candidateId === ben.id);
    expect(textOnly).toMatchObject({ feedbackText: 'Clear variable names.', ratings: null });
    const detail = (await get(ben, `/sessions/${sessionId}`)).body;
    expect(detail.peerFeedback.map((e: any) => `${e.reviewerId}>${e.candidateId}`).sort()).toEqual(all);
    expect(detail.peerFeedback[0]).toEqual(expect.objectContaining({ reviewerName: expect.any(String), candidateAvatarUrl: null, createdAt: expect.any(String) }));
    const history = (await get(cat, '/sessions')).body.data.find((s: any) => s.sessionId === sessionId);
    expect(history.hasFeedback).toBe(true);
  });
});

describe('sessions without submitted feedback, AI sessions', () => {
  it('skipped-only feedback leaves hasFeedback false in history and detail', async () => {
    const { host, candidate, room } = await peerRoom(h, 'wrapup');
    const sessionId = await finish(host, room.roomId);
    expect((await post(h, host, `/sessions/${sessionId}/feedback/skip-all`)).body).toMatchObject({ allSubmitted: true });
    expect((await skip(candidate, sessionId, host.id)).status).toBe(200);
    expect(await visible(candidate, sessionId)).toEqual({ allSubmitted: true, pairs: [] });
    expect((await get(host, `/sessions/${sessionId}`)).body).toMatchObject({ hasFeedback: false, peerFeedback: [] });
    expect((await get(host, '/sessions')).body.data.find((s: any) => s.sessionId === sessionId).hasFeedback).toBe(false);
  });

  it('AI session: writing is 409 ROOM_NOT_PEER_MODE; reading is empty and resolved', async () => {
    const me = await newUser(h);
    const room = await createRoom(h, me, { mode: 'ai' });
    expect((await post(h, me, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    for (const phase of ['warmup', 'coding', 'wrapup']) expect((await transition(h, me, room.roomId, phase)).status).toBe(200);
    const sessionId = await finish(me, room.roomId);
    const other = await newUser(h);
    expectError(await submit(me, sessionId, other.id), 409, 'ROOM_NOT_PEER_MODE');
    expectError(await post(h, me, `/sessions/${sessionId}/feedback/skip-all`), 409, 'ROOM_NOT_PEER_MODE');
    expect((await get(me, `/sessions/${sessionId}/feedback`)).body).toEqual({ allSubmitted: true, data: [] });
    expect(await progress(me, sessionId)).toEqual({ allSubmitted: true, targets: [] });
  });
});

describe('OpenAPI', () => {
  it('publishes PeerFeedbackRatings and PeerFeedbackEntry as named schemas', async () => {
    const res = await h.request({ method: 'GET', url: '/docs/json' });
    expect(res.status).toBe(200);
    const schemas = JSON.parse(res.raw.body).components.schemas;
    expect(Object.keys(schemas.PeerFeedbackRatings.properties).sort()).toEqual(['codeQuality', 'communication', 'problemSolving', 'wouldPairAgain']);
    expect(schemas.PeerFeedbackRatings.properties.communication).toMatchObject({ minimum: 1, maximum: 5 });
    expect(schemas.PeerFeedbackEntry.properties).toHaveProperty('ratings');
  });
});

describe('read models', () => {
  it('equal a rebuild from the events (peer-feedback)', async () => {
    await h.projections.stop();
    for (const p of h.ctx.projections.filter((x) => ['peer-feedback'].includes(x.name))) {
      const r = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, p);
      expect({ projection: r.projection, equal: r.equal, differences: r.differences }).toEqual({ projection: p.name, equal: true, differences: [] });
      expect(r.events).toBeGreaterThan(0);
    }
  });
});
