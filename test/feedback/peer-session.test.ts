/**
 * A scripted peer practice session, end to end over HTTP with the real collab plane, sandbox and report worker:
 * A interviews B, they swap roles while coding, B interviews A, both rate each other in wrap-up. Both see the
 * feedback in the session detail; each gets a report graded on their own submission, with the other's feedback in
 * it; the timeline shows the swap, in order, with timestamps that never go backwards. Also: a 400 from a validation
 * error carries the rate-limit headers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Peer } from '../collab/support.js';
import { createHarness } from '../support/harness.js';
import { registerUser } from '../support/users.js';
import { get, playSession, REVERSE_OK, REVERSE_WRONG, reportHarness, reportOf, type ReportHarness } from '../reports/support.js';
import { post, transition } from '../rooms/support.js';

let h: ReportHarness;
const peers: Peer[] = [];

beforeAll(async () => {
  h = await reportHarness();
}, 180_000);
afterAll(async () => {
  for (const p of peers) p.destroy();
  await h.close();
});

describe('A interviews B, they swap while coding, B interviews A', () => {
  it('both give feedback; both see it; each report covers their own segment and carries the other one’s feedback', async () => {
    // A = host (interviewer first), B = candidate first; B submits the right answer, they swap, A submits a wrong one
    const s = await playSession(h, { code: REVERSE_OK, swapTo: REVERSE_WRONG, finish: false }, peers);
    const [a, b] = [s.host, s.candidate];
    // after the swap B is the interviewer: B moves the room on
    expect((await transition(h, b, s.roomId, 'wrapup')).status).toBe(200);
    const fromA = await post(h, a, `/sessions/${s.sessionId}/feedback`, {
      candidateId: b.id,
      ratings: { problemSolving: 5, communication: 4, codeQuality: 5, wouldPairAgain: 5 },
      feedbackText: 'Clear reasoning about the reversal; tested edge cases first.',
    });
    expect(fromA.status).toBe(201);
    expect(fromA.body.allSubmitted).toBe(false);
    const fromB = await post(h, b, `/sessions/${s.sessionId}/feedback`, {
      candidateId: a.id,
      ratings: { problemSolving: 2, communication: 4, codeQuality: 3, wouldPairAgain: 4 },
      feedbackText: 'Friendly, but printed the input unchanged.',
    });
    expect(fromB.status).toBe(201);
    expect(fromB.body.allSubmitted).toBe(true);
    expect((await transition(h, b, s.roomId, 'finished')).status).toBe(200);

    for (const me of [a, b]) {
      const detail = (await get(h, me, `/sessions/${s.sessionId}`)).body;
      expect(detail.hasFeedback).toBe(true);
      expect(detail.peerFeedback.map((e: any) => `${e.reviewerId}>${e.candidateId}`).sort()).toEqual([`${a.id}>${b.id}`, `${b.id}>${a.id}`].sort());
      expect(detail.submissions).toHaveLength(2);
    }

    // the timeline: the swap told as role changes, ordered, timestamps never decreasing
    const timeline = (await get(h, a, `/sessions/${s.sessionId}/timeline`)).body.data as any[];
    const swapped = timeline.filter((e) => e.eventType === 'role_changed' && e.metadata?.reason === 'role_swap');
    expect(swapped.map((e) => [e.userId, e.metadata.to]).sort()).toEqual([[a.id, 'candidate'], [b.id, 'interviewer']].sort());
    const times = timeline.map((e) => Date.parse(e.timestamp));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    const types = timeline.map((e) => e.eventType);
    expect(types.indexOf('role_swap_accepted')).toBeGreaterThan(types.indexOf('phase_changed'));
    expect(types.lastIndexOf('session_finished')).toBeGreaterThan(types.indexOf('role_swap_accepted'));

    // reports: B's right answer and A's wrong one, each with the other's ratings
    await new Promise((r) => setTimeout(r, 500)); // feedback after the finish re-grades
    const reportB = (await reportOf(h, b, s.sessionId)).body;
    const reportA = (await reportOf(h, a, s.sessionId)).body;
    expect(reportB.dimensions.correctness.score).toBe(100);
    expect(reportA.dimensions.correctness.score).toBe(0);
    const summaryOf = async (u: typeof a) => {
      for (let i = 0; i < 100; i++) {
        const r = (await reportOf(h, u, s.sessionId)).body;
        if (r.peerFeedbackSummary) return r.peerFeedbackSummary;
        await new Promise((res) => setTimeout(res, 100));
      }
      return null;
    };
    expect(await summaryOf(b)).toMatchObject({ reviewCount: 1, wouldPairAgain: 1 });
    expect(await summaryOf(a)).toMatchObject({ reviewCount: 1 });
  });
});

describe('rate-limit headers', () => {
  it('a 400 for an invalid body to an authenticated request carries X-RateLimit-*', async () => {
    const limited = await createHarness({ env: { RATE_LIMIT_ENABLED: 'true', COLLAB_PLANE_URL: 'http://127.0.0.1:9' } });
    try {
      const u = await registerUser(limited);
      const bad = await limited.request({ method: 'POST', url: '/rooms', token: u.accessToken, body: { mode: 'nope' } });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(Number(bad.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
      expect(Number(bad.headers['x-ratelimit-remaining'])).toBeGreaterThanOrEqual(0);
      expect(Number(bad.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
      const anonymous = await limited.request({ method: 'POST', url: '/rooms', body: { mode: 'nope' } });
      expect(anonymous.status).toBe(401);
      // a route the limit does not throttle still tells where the caller's limit stands, without consuming it
      const created = await limited.request({ method: 'POST', url: '/rooms', token: u.accessToken, body: { mode: 'peer' } });
      expect(created.status).toBe(201);
      const remaining = Number(created.headers['x-ratelimit-remaining']);
      const detail = await limited.request({ method: 'GET', url: `/rooms/${created.body.roomId}`, token: u.accessToken });
      expect(detail.status).toBe(200);
      expect(Number(detail.headers['x-ratelimit-remaining'])).toBe(remaining);
      expect(Number(detail.headers['x-ratelimit-limit'])).toBe(Number(created.headers['x-ratelimit-limit']));
    } finally {
      await limited.close();
    }
  });
});
