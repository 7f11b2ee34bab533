/**
 * Matchmaking over HTTP (SPEC §4.12, §8; DESIGN §10 proposal flow). Every test partitions the queue by a language
 * of its own, so entries of one test never pair with another's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expireProposals, runMatchingCycle } from '../../src/commands/matchmaking/matchmaking.js';
import { settle } from '../../src/http/command.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { createHarness, type Harness } from '../support/harness.js';
import { registerUser, type TestUser } from '../support/users.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false' } });
});

afterAll(async () => {
  await h?.close();
});

const enqueue = (u: TestUser, body: unknown = {}) => h.request({ method: 'POST', url: '/matchmaking/queue', token: u.accessToken, body });
const status = (u: TestUser) => h.request({ method: 'GET', url: '/matchmaking/queue', token: u.accessToken });
const leave = (u: TestUser) => h.request({ method: 'DELETE', url: '/matchmaking/queue', token: u.accessToken });
const accept = (u: TestUser, matchId: string) => h.request({ method: 'POST', url: `/matchmaking/matches/${matchId}/accept`, token: u.accessToken });
const decline = (u: TestUser, matchId: string) => h.request({ method: 'POST', url: `/matchmaking/matches/${matchId}/decline`, token: u.accessToken });

/** Wait until the read models reflect every event written so far (for writes made outside a request). */
async function caughtUp(): Promise<void> {
  const head = await h.ctx.store.headPosition();
  await settle(h.ctx, head, ['MatchExpired', 'MatchmakingLeft', 'MatchmakingRequeued', 'MatchmakingProposed']);
}

async function pair(language: string) {
  const candidate = await registerUser(h);
  const interviewer = await registerUser(h);
  const first = await enqueue(candidate, { languages: [language], roles: ['candidate'] });
  expect(first.status).toBe(200);
  expect(first.body.status).toBe('searching');
  const second = await enqueue(interviewer, { languages: [language], roles: ['interviewer'] });
  expect(second.status).toBe(200);
  expect(second.body).toMatchObject({ status: 'matched', roomId: null, accepted: false });
  return { candidate, interviewer, matchId: second.body.matchId as string };
}

describe('queue entry', () => {
  it('enqueue → searching with normalised preferences; poll; 409 on a second enqueue; cancel → idle', async () => {
    const u = await registerUser(h);
    const res = await enqueue(u, { languages: ['rust', 'rust'], difficulties: ['hard', 'easy'], topics: [' graphs '], roles: ['candidate'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'searching',
      requestId: expect.any(String),
      queuePosition: expect.any(Number),
      expiresAt: expect.any(String),
      preferences: { languages: ['rust'], difficulties: ['easy', 'hard'], problemIds: [], topics: ['graphs'], roles: ['candidate'] },
    });
    expect(res.body.queuePosition).toBeGreaterThanOrEqual(1);
    const expiresIn = Date.parse(res.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(4 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);

    const again = await enqueue(u, { languages: ['rust'] });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MATCH_ALREADY_SEARCHING');

    const polled = await status(u);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ status: 'searching', requestId: res.body.requestId });

    expect((await leave(u)).body).toEqual({ status: 'idle' });
    expect((await status(u)).body).toEqual({ status: 'idle' });
    expect((await leave(u)).body).toEqual({ status: 'idle' });
  });

  it('idle before any enqueue; 401 without a token', async () => {
    const u = await registerUser(h);
    expect((await status(u)).body).toEqual({ status: 'idle' });
    const anon = await h.request({ method: 'GET', url: '/matchmaking/queue' });
    expect(anon.status).toBe(401);
  });

  it('bad input → 400 VALIDATION_FAILED envelope', async () => {
    const u = await registerUser(h);
    for (const body of [
      { extra: true },
      { languages: ['cobol'] },
      { difficulties: ['easy', 'medium', 'hard', 'easy'] },
      { problemIds: ['not-a-uuid'] },
      { topics: ['  '] },
      { roles: ['host'] },
    ]) {
      const res = await enqueue(u, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
    const bad = await accept(u, 'nope');
    expect(bad.status).toBe(400);
    const missing = await accept(u, '00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('MATCH_NOT_FOUND');
    expect((await status(u)).body).toEqual({ status: 'idle' });
  });
});

describe('proposal flow', () => {
  it('two compatible users → proposal visible to both → both accept → a peer room with both', async () => {
    const { candidate, interviewer, matchId } = await pair('go');
    const seen = await status(candidate);
    expect(seen.body).toEqual({
      status: 'matched',
      requestId: expect.any(String),
      matchId,
      roomId: null,
      opponent: { userId: interviewer.id, username: interviewer.username, displayName: null, avatarUrl: null },
      expiresAt: expect.any(String),
      preferences: expect.objectContaining({ languages: ['go'], roles: ['candidate'] }),
      accepted: false,
    });
    expect(Date.parse(seen.body.expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);

    const first = await accept(candidate, matchId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'matched', matchId, roomId: null, accepted: true });
    expect((await accept(candidate, matchId)).status).toBe(200);

    const outsider = await registerUser(h);
    expect((await accept(outsider, matchId)).status).toBe(404);

    const second = await accept(interviewer, matchId);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'matched', matchId, accepted: true, roomId: expect.any(String) });
    const roomId = second.body.roomId as string;
    expect((await status(candidate)).body).toMatchObject({ status: 'matched', roomId, accepted: true });

    for (const u of [interviewer, candidate]) {
      const room = await h.request({ method: 'GET', url: `/rooms/${roomId}`, token: u.accessToken });
      expect(room.status).toBe(200);
      expect(room.body.mode).toBe('peer');
      const roles = Object.fromEntries(room.body.participants.map((p: any) => [p.userId, p.role]));
      expect(roles).toEqual({ [interviewer.id]: 'interviewer', [candidate.id]: 'candidate' });
    }
    expect((await leave(candidate)).body).toEqual({ status: 'idle' });
    await leave(interviewer);
  });

  it('decline → the decliner is idle, the other player searches again', async () => {
    const { candidate, interviewer, matchId } = await pair('java');
    const res = await decline(interviewer, matchId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'idle' });
    expect((await status(candidate)).body).toMatchObject({ status: 'searching' });
    const late = await accept(candidate, matchId);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('MATCH_EXPIRED');
    await leave(candidate);
  });

  it('leaving while proposed declines the proposal for the other player', async () => {
    const { candidate, interviewer } = await pair('c');
    expect((await leave(candidate)).body).toEqual({ status: 'idle' });
    expect((await status(interviewer)).body).toMatchObject({ status: 'searching' });
    await leave(interviewer);
  });

  it('expiry after 30 s → MATCH_EXPIRED on accept; the player who accepted searches again', async () => {
    const { candidate, interviewer, matchId } = await pair('cpp');
    expect((await accept(candidate, matchId)).status).toBe(200);
    const result = await expireProposals(h.ctx, new Date(Date.now() + 31_000));
    expect(result.expired).toContain(matchId);
    await caughtUp();
    const late = await accept(interviewer, matchId);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('MATCH_EXPIRED');
    expect((await status(candidate)).body).toMatchObject({ status: 'searching' });
    expect((await status(interviewer)).body).toEqual({ status: 'idle' });
    await leave(candidate);
  });

  it('incompatible preferences never match, also not in the scheduled cycle', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    const c = await registerUser(h);
    await enqueue(a, { languages: ['typescript'], difficulties: ['easy'] });
    await enqueue(b, { languages: ['typescript'], difficulties: ['hard'] });
    await enqueue(c, { languages: ['typescript'], roles: ['observer'] });
    await runMatchingCycle(h.ctx);
    await caughtUp();
    for (const u of [a, b, c]) expect((await status(u)).body.status).toBe('searching');
    for (const u of [a, b, c]) await leave(u);
  });
});

describe('races', () => {
  it('10 concurrent compatible enqueues: every user in at most one match, opponents agree, no 5xx', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => registerUser(h)));
    const responses = await Promise.all(users.map((u) => enqueue(u, { languages: ['javascript'] })));
    for (const r of responses) expect(r.status).toBe(200);
    await runMatchingCycle(h.ctx);
    await caughtUp();
    const statuses = new Map<string, any>();
    for (const u of users) statuses.set(u.id, (await status(u)).body);
    const matches = new Map<string, string[]>();
    for (const [userId, s] of statuses) {
      if (s.status !== 'matched') continue;
      expect(statuses.get(s.opponent.userId)).toMatchObject({ status: 'matched', matchId: s.matchId });
      expect(statuses.get(s.opponent.userId).opponent.userId).toBe(userId);
      matches.set(s.matchId, [...(matches.get(s.matchId) ?? []), userId]);
    }
    for (const members of matches.values()) expect(members).toHaveLength(2);
    const searching = [...statuses.values()].filter((s) => s.status === 'searching');
    expect(searching.length).toBeLessThanOrEqual(1);
    expect(matches.size).toBe((10 - searching.length) / 2);
    for (const u of users) await leave(u);
  });
});

describe('read models', () => {
  it('equal a rebuild from the events', async () => {
    await caughtUp();
    await h.projections.stop();
    const p = h.ctx.projections.find((x) => x.name === 'matchmaking')!;
    const r = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, p);
    expect({ equal: r.equal, differences: r.differences }).toEqual({ equal: true, differences: [] });
  });
});
