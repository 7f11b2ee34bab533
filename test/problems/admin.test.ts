/** Admin writes over HTTP: create, update (If-Match), publish-status, soft delete, title uniqueness, validation. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Harness } from '../support/harness.js';
import { createProblem, newAdmin, newUser, problemBody, problemHarness, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
  user = await newUser(h);
});
afterAll(() => h.close());

const fullBody = () =>
  problemBody({
    description: '  Given an array, return the **sum**.  ',
    difficulty: 'medium',
    company: '  Acme  ',
    constraints: '1 <= n <= 10',
    examples: [{ input: '3\n1 2 3\n', output: '6\n', explanation: '1 + 2 + 3' }],
    starterCode: { python: 'print(0)\n', go: 'package main\n' },
    timeLimit: 1500,
    memoryLimit: 128,
    tags: ['two-pointers', 'arrays'],
    testCases: [
      { input: '3\n1 2 3\n', expectedOutput: '6\n', description: 'example' },
      { input: '1\n5\n', expectedOutput: '5\n', isHidden: true, timeoutMs: 500, memoryMb: 32 },
      { input: '0\n\n', expectedOutput: '0\n', isHidden: true },
    ],
  });

describe('POST /problems', () => {
  it('creates a draft with every field; the response carries hidden tests and an ETag', async () => {
    const body = fullBody();
    const res = await h.request({ method: 'POST', url: '/problems', token: admin.token, body });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('W/"0"');
    const p = res.body;
    expect(p).toMatchObject({
      title: body.title,
      description: 'Given an array, return the **sum**.',
      difficulty: 'medium',
      isPublished: false,
      company: 'Acme',
      constraints: '1 <= n <= 10',
      examples: [{ input: '3\n1 2 3\n', output: '6\n', explanation: '1 + 2 + 3' }],
      starterCode: { python: 'print(0)\n', go: 'package main\n' },
      timeLimit: 1500,
      memoryLimit: 128,
      tags: ['arrays', 'two-pointers'],
      acceptanceRate: null,
      isBookmarked: false,
      attemptStatus: null,
      totalSubmissions: 0,
      userAttempts: 0,
      testCaseCount: 3,
      hiddenTestCaseCount: 2,
    });
    expect(p.testCases).toEqual([
      { input: '3\n1 2 3\n', expectedOutput: '6\n', description: 'example', isHidden: false, timeoutMs: null, memoryMb: null },
      { input: '1\n5\n', expectedOutput: '5\n', description: null, isHidden: true, timeoutMs: 500, memoryMb: 32 },
      { input: '0\n\n', expectedOutput: '0\n', description: null, isHidden: true, timeoutMs: null, memoryMb: null },
    ]);
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(p.createdAt).toISOString()).toBe(p.createdAt);

    // persisted: problem row and ordered test cases
    const rows = await sql<{ idx: number; is_hidden: boolean }>`SELECT idx, is_hidden FROM problem_test_cases WHERE problem_id = ${p.id} ORDER BY idx`.execute(h.ctx.db);
    expect(rows.rows).toEqual([{ idx: 0, is_hidden: false }, { idx: 1, is_hidden: true }, { idx: 2, is_hidden: true }]);
  });

  it('defaults: draft, no optional fields (null), empty examples and tags', async () => {
    const res = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ isPublished: false, company: null, constraints: null, examples: [], starterCode: null, timeLimit: null, memoryLimit: null, tags: [] });
  });

  it('is admin-only: 403 FORBIDDEN for a user, 401 without a token', async () => {
    const res = await h.request({ method: 'POST', url: '/problems', token: user.token, body: problemBody() });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    const anon = await h.request({ method: 'POST', url: '/problems', body: problemBody() });
    expect(anon.status).toBe(401);
  });

  it.each([
    ['an unknown key', { extra: 1 }],
    ['an invalid difficulty', { difficulty: 'legendary' }],
    ['a blank title', { title: '   ' }],
    ['a title over 200 characters', { title: 'x'.repeat(201) }],
    ['no test cases', { testCases: [] }],
    ['101 test cases', { testCases: Array.from({ length: 101 }, () => ({ input: '1', expectedOutput: '1' })) }],
    ['an unknown key in a test case', { testCases: [{ input: '1', expectedOutput: '1', weight: 2 }] }],
    ['a blank test input', { testCases: [{ input: '  ', expectedOutput: '1' }] }],
    ['a timeout out of range', { testCases: [{ input: '1', expectedOutput: '1', timeoutMs: 60001 }] }],
    ['a time limit of 0', { timeLimit: 0 }],
    ['a memory limit over 4096', { memoryLimit: 4097 }],
    ['an unsupported starter-code language', { starterCode: { cobol: 'x' } }],
    ['a tag that is not a slug', { tags: ['Dynamic Programming'] }],
    ['a company of 101 characters', { company: 'c'.repeat(101) }],
  ])('rejects %s with 400 VALIDATION_FAILED', async (_label, over) => {
    const res = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody(over) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(Array.isArray(res.body.details.fields)).toBe(true);
  });

  it('refuses a duplicate title with 409 PROBLEM_DUPLICATE_TITLE', async () => {
    const first = await createProblem(h, admin);
    const res = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody({ title: first.title }) });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PROBLEM_DUPLICATE_TITLE');
  });

  it('lets exactly one of 10 concurrent creates with the same title win', async () => {
    const title = `Race ${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody({ title }) })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'PROBLEM_DUPLICATE_TITLE')).toBe(true);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE title = ${title}`.execute(h.ctx.db);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('PATCH /problems/:id', () => {
  it('replaces the editable fields and the whole test-case set; the response includes hidden tests', async () => {
    const p = await createProblem(h, admin, fullBody());
    const title = `Renamed ${randomUUID()}`;
    const res = await h.request({
      method: 'PATCH',
      url: `/problems/${p.id}`,
      token: admin.token,
      body: {
        title,
        difficulty: 'hard',
        company: null,
        tags: ['graphs'],
        starterCode: { rust: 'fn main() {}' },
        timeLimit: null,
        testCases: [{ input: 'x', expectedOutput: 'y', isHidden: true }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"1"'); // created (published), updated
    expect(res.body).toMatchObject({
      title,
      difficulty: 'hard',
      company: null,
      tags: ['graphs'],
      starterCode: { rust: 'fn main() {}' },
      timeLimit: null,
      memoryLimit: 128,
      testCaseCount: 1,
      hiddenTestCaseCount: 1,
      testCases: [{ input: 'x', expectedOutput: 'y', isHidden: true, description: null, timeoutMs: null, memoryMb: null }],
    });
    const cases = await sql<{ n: number }>`SELECT count(*)::int AS n FROM problem_test_cases WHERE problem_id = ${p.id}`.execute(h.ctx.db);
    expect(cases.rows[0]!.n).toBe(1);
  });

  it('frees the old title on rename and takes the new one', async () => {
    const a = await createProblem(h, admin);
    const newTitle = `Fresh ${randomUUID()}`;
    expect((await h.request({ method: 'PATCH', url: `/problems/${a.id}`, token: admin.token, body: { title: newTitle } })).status).toBe(200);
    const reuse = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody({ title: a.title }) });
    expect(reuse.status).toBe(201);
    const clash = await h.request({ method: 'PATCH', url: `/problems/${reuse.body.id}`, token: admin.token, body: { title: newTitle } });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('PROBLEM_DUPLICATE_TITLE');
  });

  it('honours If-Match: the ETag it got succeeds (with or without W/), a stale one is 412 PRECONDITION_FAILED', async () => {
    const p = await createProblem(h, admin);
    const get = await h.request({ method: 'GET', url: `/problems/${p.id}`, token: admin.token });
    const etag = get.headers.etag as string;
    expect(etag).toBe('W/"0"');
    const ok = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, headers: { 'if-match': etag }, body: { description: 'v2' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('W/"1"');
    const stale = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, headers: { 'if-match': etag }, body: { description: 'v3' } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    const strong = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, headers: { 'if-match': '"1"' }, body: { description: 'v3' } });
    expect(strong.status).toBe(200);
    const after = await h.request({ method: 'GET', url: `/problems/${p.id}`, token: user.token });
    expect(after.body.description).toBe('v3');
  });

  it('without If-Match the update is unconditional; an empty body changes nothing', async () => {
    const p = await createProblem(h, admin);
    const res = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"0"');
    const changed = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: { difficulty: 'hard' } });
    expect(changed.headers.etag).toBe('W/"1"');
  });

  it('rejects isPublished and unknown keys with 400; 403 for users; 404 for unknown or deleted; 400 for a malformed id', async () => {
    const p = await createProblem(h, admin);
    const withPublished = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: { isPublished: false } });
    expect(withPublished.status).toBe(400);
    expect(withPublished.body.code).toBe('VALIDATION_FAILED');
    expect((await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: { nope: 1 } })).status).toBe(400);
    const forbidden = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: user.token, body: { description: 'x' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const missing = await h.request({ method: 'PATCH', url: `/problems/${randomUUID()}`, token: admin.token, body: { description: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('PROBLEM_NOT_FOUND');
    expect((await h.request({ method: 'PATCH', url: '/problems/not-a-uuid', token: admin.token, body: {} })).status).toBe(400);
    expect((await h.request({ method: 'DELETE', url: `/problems/${p.id}`, token: admin.token })).status).toBe(204);
    const gone = await h.request({ method: 'PATCH', url: `/problems/${p.id}`, token: admin.token, body: { description: 'x' } });
    expect(gone.status).toBe(404);
  });
});

describe('PATCH /problems/:id/publish-status', () => {
  it('publishing a draft makes it visible to users; unpublishing hides it again', async () => {
    const res = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody() });
    const id = res.body.id;
    expect((await h.request({ method: 'GET', url: `/problems/${id}`, token: user.token })).status).toBe(404);
    const pub = await h.request({ method: 'PATCH', url: `/problems/${id}/publish-status`, token: admin.token, body: { isPublished: true } });
    expect(pub.status).toBe(200);
    expect(pub.body.isPublished).toBe(true);
    expect(pub.body.testCases.some((t: { isHidden: boolean }) => t.isHidden)).toBe(true);
    expect((await h.request({ method: 'GET', url: `/problems/${id}`, token: user.token })).status).toBe(200);
    const again = await h.request({ method: 'PATCH', url: `/problems/${id}/publish-status`, token: admin.token, body: { isPublished: true } });
    expect(again.status).toBe(200);
    const unpub = await h.request({ method: 'PATCH', url: `/problems/${id}/publish-status`, token: admin.token, body: { isPublished: false } });
    expect(unpub.body.isPublished).toBe(false);
    expect((await h.request({ method: 'GET', url: `/problems/${id}`, token: user.token })).status).toBe(404);
  });

  it('honours If-Match too', async () => {
    const p = await createProblem(h, admin);
    const stale = await h.request({ method: 'PATCH', url: `/problems/${p.id}/publish-status`, token: admin.token, headers: { 'if-match': 'W/"5"' }, body: { isPublished: false } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    const fresh = await h.request({ method: 'PATCH', url: `/problems/${p.id}/publish-status`, token: admin.token, headers: { 'if-match': 'W/"0"' }, body: { isPublished: false } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('W/"1"');
  });

  it('is strict and admin-only', async () => {
    const p = await createProblem(h, admin);
    expect((await h.request({ method: 'PATCH', url: `/problems/${p.id}/publish-status`, token: admin.token, body: {} })).status).toBe(400);
    expect((await h.request({ method: 'PATCH', url: `/problems/${p.id}/publish-status`, token: admin.token, body: { isPublished: true, x: 1 } })).status).toBe(400);
    const forbidden = await h.request({ method: 'PATCH', url: `/problems/${p.id}/publish-status`, token: user.token, body: { isPublished: false } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const missing = await h.request({ method: 'PATCH', url: `/problems/${randomUUID()}/publish-status`, token: admin.token, body: { isPublished: true } });
    expect(missing.body.code).toBe('PROBLEM_NOT_FOUND');
  });
});

describe('DELETE /problems/:id', () => {
  it('soft-deletes: no longer fetchable or listed, the row keeps deleted_at, and the title becomes reusable', async () => {
    const p = await createProblem(h, admin);
    const del = await h.request({ method: 'DELETE', url: `/problems/${p.id}`, token: admin.token });
    expect(del.status).toBe(204);
    const get = await h.request({ method: 'GET', url: `/problems/${p.id}`, token: admin.token });
    expect(get.status).toBe(404);
    expect(get.body.code).toBe('PROBLEM_NOT_FOUND');
    const list = await h.request({ method: 'GET', url: `/problems?search=${encodeURIComponent(p.title)}&includeDrafts=true`, token: admin.token });
    expect(list.body.data).toEqual([]);
    const row = await sql<{ deleted_at: Date | null }>`SELECT deleted_at FROM problems WHERE id = ${p.id}`.execute(h.ctx.db);
    expect(row.rows[0]!.deleted_at).toBeInstanceOf(Date);
    const again = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody({ title: p.title }) });
    expect(again.status).toBe(201);
    expect((await h.request({ method: 'DELETE', url: `/problems/${p.id}`, token: admin.token })).status).toBe(404);
  });

  it('is admin-only and validates the id', async () => {
    const p = await createProblem(h, admin);
    const res = await h.request({ method: 'DELETE', url: `/problems/${p.id}`, token: user.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await h.request({ method: 'DELETE', url: '/problems/123', token: admin.token })).status).toBe(400);
  });
});
