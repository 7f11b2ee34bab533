/**
 * The problem-stats projector from the execution module's submission events, appended directly to
 * `submission-<id>`: counts, attempt status, idempotency, rebuild/verify.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Harness } from '../support/harness.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { problemStatsProjection } from '../../src/projections/problem-stats/projection.js';
import { problemsProjection } from '../../src/projections/problems/projection.js';
import { bookmarksProjection } from '../../src/projections/bookmarks/projection.js';
import { createProblem, newAdmin, newUser, problemHarness, settled, submit, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
});
afterAll(() => h.close());

const stats = async (problemId: string) =>
  (await sql<{ total_submissions: number; accepted_submissions: number }>`
    SELECT total_submissions, accepted_submissions FROM problem_stats WHERE problem_id = ${problemId}`.execute(h.ctx.db)).rows[0];
const attempt = async (userId: string, problemId: string) =>
  (await sql<{ attempts: number; solved: boolean }>`
    SELECT attempts, solved FROM problem_attempts WHERE user_id = ${userId} AND problem_id = ${problemId}`.execute(h.ctx.db)).rows[0];

describe('problem statistics', () => {
  it('no problems → the tag list is empty', async () => {
    const fresh = await problemHarness();
    try {
      const user = await newUser(fresh);
      const res = await fresh.request({ method: 'GET', url: '/problems/tags', token: user.token });
      expect(res.body).toEqual({ data: [] });
    } finally {
      await fresh.close();
    }
  });

  it('counts completed submissions per problem and accepted ones; requests count as the user’s attempts', async () => {
    const p = await createProblem(h, admin);
    const u = await newUser(h);
    await submit(h, u.id, p.id, 'pending');
    expect(await stats(p.id)).toBeUndefined();
    expect(await attempt(u.id, p.id)).toEqual({ attempts: 1, solved: false });
    await submit(h, u.id, p.id, 'rejected');
    await submit(h, u.id, p.id, 'accepted');
    await submit(h, u.id, p.id, 'rejected');
    expect(await stats(p.id)).toEqual({ total_submissions: 3, accepted_submissions: 1 });
    expect(await attempt(u.id, p.id)).toEqual({ attempts: 4, solved: true });
    const res = await h.request({ method: 'GET', url: `/problems/${p.id}`, token: u.token });
    expect(res.body).toMatchObject({ totalSubmissions: 3, acceptanceRate: 33.33, attemptStatus: 'solved', userAttempts: 4 });
  });

  it('counts a submission once however often its events arrive, and a completion seen without its request', async () => {
    const p = await createProblem(h, admin);
    const u = await newUser(h);
    const submissionId = randomUUID();
    const completed = {
      id: randomUUID(),
      type: 'SubmissionCompleted',
      data: { submissionId, problemId: p.id, userId: u.id, roomId: randomUUID(), passed: 3, failed: 0, errors: 0, total: 3, accepted: true, totalDurationMs: 12 },
    };
    // the same completion appended twice (a retried worker), plus a stray request afterwards
    await h.ctx.store.appendToStream(`submission-${submissionId}`, [completed]);
    await h.ctx.store.appendToStream(`submission-${submissionId}`, [{ ...completed, id: randomUUID() }]);
    const last = await h.ctx.store.appendToStream(`submission-${submissionId}`, [
      { id: randomUUID(), type: 'SubmissionRequested', data: { submissionId, roomId: randomUUID(), sessionId: null, problemId: p.id, userId: u.id, language: 'go', testCaseCount: 3 } },
    ]);
    await settled(h, last.position.commit, ['problem-stats']);
    expect(await stats(p.id)).toEqual({ total_submissions: 1, accepted_submissions: 1 });
    expect(await attempt(u.id, p.id)).toEqual({ attempts: 1, solved: true });
  });

  it('ignores submissions without a problem (malformed ids never fault the projection)', async () => {
    const submissionId = randomUUID();
    const res = await h.ctx.store.appendToStream(`submission-${submissionId}`, [
      { id: randomUUID(), type: 'SubmissionRequested', data: { submissionId, roomId: randomUUID(), sessionId: null, problemId: 'nope', userId: 'x', language: 'c', testCaseCount: 0 } },
    ]);
    await settled(h, res.position.commit, ['problem-stats']);
    const p = await createProblem(h, admin);
    const u = await newUser(h);
    await submit(h, u.id, p.id, 'accepted');
    expect(await stats(p.id)).toEqual({ total_submissions: 1, accepted_submissions: 1 });
  });

  it('rebuilding each problem read model from the events yields the same rows (verify)', async () => {
    const u = await newUser(h);
    const p = await createProblem(h, admin, { tags: ['math'] });
    await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: { testCases: [{ input: '1', expectedOutput: '2', isHidden: true }] } });
    await h.request({ method: 'PUT', url: `/users/me/bookmarks/${p.id}`, token: u.token });
    await submit(h, u.id, p.id, 'accepted');
    for (const projection of [problemsProjection, problemStatsProjection, bookmarksProjection]) {
      const result = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, projection);
      expect({ projection: projection.name, equal: result.equal, differences: result.differences }).toEqual({ projection: projection.name, equal: true, differences: [] });
    }
  });
});
