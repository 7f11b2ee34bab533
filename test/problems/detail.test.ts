/** GET /problems/:id: visibility, hidden tests, per-caller fields, conditional requests. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Harness } from '../support/harness.js';
import { createProblem, newAdmin, newUser, problemHarness, submit, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;
let user: TestUser;
let problem: any;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
  user = await newUser(h);
  problem = await createProblem(h, admin, {
    tags: ['strings'],
    testCases: [
      { input: 'a', expectedOutput: 'A', description: 'first visible' },
      { input: 'secret-1', expectedOutput: 'S1', isHidden: true },
      { input: 'b', expectedOutput: 'B' },
      { input: 'secret-2', expectedOutput: 'S2', isHidden: true, timeoutMs: 100 },
    ],
  });
});
afterAll(() => h.close());

const get = (url: string, who: TestUser, headers?: Record<string, string>) => h.request({ method: 'GET', url, token: who.token, ...(headers ? { headers } : {}) });

describe('GET /problems/:id', () => {
  it('returns every field, with only the visible test cases in order, for a user', async () => {
    const res = await get(`/problems/${problem.id}`, user);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(Object.keys(d).sort()).toEqual(
      [
        'id', 'title', 'difficulty', 'isPublished', 'tags', 'company', 'acceptanceRate', 'isBookmarked', 'attemptStatus',
        'totalSubmissions', 'updatedAt', 'description', 'constraints', 'examples', 'testCases', 'starterCode', 'timeLimit',
        'memoryLimit', 'userAttempts', 'createdAt',
      ].sort(),
    );
    expect(d.testCases.map((t: { input: string }) => t.input)).toEqual(['a', 'b']);
    expect(d.testCases.every((t: { isHidden: boolean }) => !t.isHidden)).toBe(true);
    expect(JSON.stringify(d)).not.toContain('secret');
    expect(d).toMatchObject({ company: null, constraints: null, starterCode: null, timeLimit: null, memoryLimit: null, acceptanceRate: null, attemptStatus: null, userAttempts: 0 });
  });

  it('an admin without includeHidden sees the visible tests only; with includeHidden=true all of them', async () => {
    const plain = await get(`/problems/${problem.id}`, admin);
    expect(plain.body.testCases).toHaveLength(2);
    const all = await get(`/problems/${problem.id}?includeHidden=true`, admin);
    expect(all.body.testCases.map((t: { input: string }) => t.input)).toEqual(['a', 'secret-1', 'b', 'secret-2']);
    expect(all.body.testCases[3]).toEqual({ input: 'secret-2', expectedOutput: 'S2', description: null, isHidden: true, timeoutMs: 100, memoryMb: null });
    expect(all.body).toMatchObject({ testCaseCount: 4, hiddenTestCaseCount: 2 });
  });

  it('includeHidden=true from a user is 403 FORBIDDEN, checked before the lookup', async () => {
    for (const id of [problem.id, randomUUID()]) {
      const res = await get(`/problems/${id}?includeHidden=true`, user);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await get(`/problems/${problem.id}?includeHidden=false`, user)).status).toBe(200);
    expect((await get(`/problems/${problem.id}?includeHidden=maybe`, user)).status).toBe(400);
  });

  it('404 PROBLEM_NOT_FOUND for an unknown id and for a draft seen by a user (an admin reads the draft); 400 for a malformed id', async () => {
    const unknown = await get(`/problems/${randomUUID()}`, user);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('PROBLEM_NOT_FOUND');
    const draft = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: { title: `Draft ${randomUUID()}`, description: 'd', difficulty: 'hard', testCases: [{ input: '1', expectedOutput: '1' }] } });
    expect((await get(`/problems/${draft.body.id}`, user)).status).toBe(404);
    expect((await get(`/problems/${draft.body.id}`, admin)).status).toBe(200);
    const bad = await get('/problems/not-a-uuid', user);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it("reports the caller's attempts, attempt status and the acceptance rate", async () => {
    const p = await createProblem(h, admin);
    const other = await newUser(h);
    await submit(h, user.id, p.id, 'rejected');
    await submit(h, user.id, p.id, 'pending');
    let d = (await get(`/problems/${p.id}`, user)).body;
    expect(d).toMatchObject({ attemptStatus: 'attempted', userAttempts: 2, totalSubmissions: 1, acceptanceRate: 0 });
    await submit(h, user.id, p.id, 'accepted');
    await submit(h, other.id, p.id, 'rejected');
    d = (await get(`/problems/${p.id}`, user)).body;
    expect(d).toMatchObject({ attemptStatus: 'solved', userAttempts: 3, totalSubmissions: 3, acceptanceRate: 33.33 });
    const theirs = (await get(`/problems/${p.id}`, other)).body;
    expect(theirs).toMatchObject({ attemptStatus: 'attempted', userAttempts: 1 });
    const fresh = (await get(`/problems/${p.id}`, await newUser(h))).body;
    expect(fresh).toMatchObject({ attemptStatus: null, userAttempts: 0, acceptanceRate: 33.33 });
  });

  it('carries a weak ETag from the stream revision: If-None-Match answers 304, a changed problem 200 with the new tag', async () => {
    const p = await createProblem(h, admin);
    const first = await get(`/problems/${p.id}`, user);
    expect(first.headers.etag).toBe('W/"0"');
    const cached = await get(`/problems/${p.id}`, user, { 'if-none-match': 'W/"0"' });
    expect(cached.status).toBe(304);
    expect(cached.raw.body).toBe('');
    expect(cached.headers.etag).toBe('W/"0"');
    expect((await get(`/problems/${p.id}`, user, { 'if-none-match': '"0"' })).status).toBe(304);
    expect((await get(`/problems/${p.id}`, user, { 'if-none-match': 'W/"9", W/"0"' })).status).toBe(304);
    expect((await get(`/problems/${p.id}`, user, { 'if-none-match': '*' })).status).toBe(304);
    await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: { description: 'changed' } });
    const changed = await get(`/problems/${p.id}`, user, { 'if-none-match': 'W/"0"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe('W/"1"');
    expect(changed.body.description).toBe('changed');
  });

  it('a deleted problem is 404 even with If-None-Match', async () => {
    const p = await createProblem(h, admin);
    await h.request({ method: 'DELETE', url: `/problems/${p.id}`, token: admin.token });
    expect((await get(`/problems/${p.id}`, user, { 'if-none-match': '*' })).status).toBe(404);
  });
});
