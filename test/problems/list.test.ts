/** GET /problems (filters, sorts, drafts, per-caller status) and GET /problems/tags. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Harness } from '../support/harness.js';
import { encodeCursor } from '../../src/http/pagination.js';
import { createProblem, newAdmin, newUser, problemHarness, submit, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;
let user: TestUser;
const P: Record<string, any> = {};

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
  user = await newUser(h);
  const other = await newUser(h);
  P.A = await createProblem(h, admin, { title: 'Alpha Array', difficulty: 'easy', tags: ['arrays'], company: 'Google' });
  P.B = await createProblem(h, admin, { title: 'Beta Graph', difficulty: 'medium', tags: ['graphs', 'bfs'], company: 'Meta' });
  P.C = await createProblem(h, admin, { title: 'Gamma DP', difficulty: 'hard', tags: ['dynamic-programming'], company: 'Google', description: 'The classic 0/1 Knapsack.' });
  P.D = await createProblem(h, admin, { title: 'Delta Strings', difficulty: 'easy', tags: ['strings', 'two-pointers', 'arrays'] });
  P.E = await createProblem(h, admin, { title: 'Epsilon Draft', difficulty: 'medium', tags: ['arrays', 'trie'], isPublished: false });
  P.F = await createProblem(h, admin, { title: 'Zeta Deleted', difficulty: 'hard', tags: ['graphs'] });
  expect((await h.request({ method: 'DELETE', url: `/problems/${P.F.id}`, token: admin.token })).status).toBe(204);
  await submit(h, user.id, P.A.id, 'accepted');
  await submit(h, other.id, P.A.id, 'rejected');
  await submit(h, user.id, P.B.id, 'rejected');
  await submit(h, other.id, P.C.id, 'accepted');
  await submit(h, other.id, P.C.id, 'accepted');
  await submit(h, user.id, P.D.id, 'pending');
});
afterAll(() => h.close());

const list = async (query: string, who: TestUser = user) => {
  const res = await h.request({ method: 'GET', url: `/problems${query ? `?${query}` : ''}`, token: who.token });
  expect(res.status).toBe(200);
  return res.body as { data: any[]; pagination: { nextCursor: string | null; hasMore: boolean } };
};
const titles = async (query: string, who: TestUser = user) => (await list(query, who)).data.map((p) => p.title);
const set = async (query: string, who: TestUser = user) => (await titles(query, who)).sort();

describe('GET /problems', () => {
  it('lists every live published problem, newest first by default, as summaries', async () => {
    const page = await list('');
    expect(page.data.map((p) => p.title)).toEqual(['Delta Strings', 'Gamma DP', 'Beta Graph', 'Alpha Array']);
    expect(page.pagination).toEqual({ nextCursor: null, hasMore: false });
    const a = page.data.find((p) => p.title === 'Alpha Array');
    expect(a).toEqual({
      id: P.A.id,
      title: 'Alpha Array',
      difficulty: 'easy',
      isPublished: true,
      tags: ['arrays'],
      company: 'Google',
      acceptanceRate: 50,
      isBookmarked: false,
      attemptStatus: 'solved',
      totalSubmissions: 2,
      updatedAt: expect.any(String),
    });
    expect(page.data.find((p) => p.title === 'Delta Strings').tags).toEqual(['arrays', 'strings', 'two-pointers']);
  });

  it('shows drafts only to admins asking for them, with test-case counts; users asking are silently ignored', async () => {
    expect(await set('includeDrafts=true')).not.toContain('Epsilon Draft');
    expect(await set('', admin)).not.toContain('Epsilon Draft');
    const withDrafts = await list('includeDrafts=true', admin);
    expect(withDrafts.data.map((p) => p.title)).toContain('Epsilon Draft');
    expect(withDrafts.data.map((p) => p.title)).not.toContain('Zeta Deleted');
    const draft = withDrafts.data.find((p) => p.title === 'Epsilon Draft');
    expect(draft).toMatchObject({ isPublished: false, testCaseCount: 2, hiddenTestCaseCount: 1 });
    expect((await list('', admin)).data[0].testCaseCount).toBeUndefined();
    expect((await list('includeDrafts=false', admin)).data.map((p) => p.title)).not.toContain('Epsilon Draft');
  });

  it('filters by difficulty: one value, a comma list, repeated parameters; unknown values are 400', async () => {
    expect(await set('difficulty=easy')).toEqual(['Alpha Array', 'Delta Strings']);
    expect(await set('difficulty=easy,hard')).toEqual(['Alpha Array', 'Delta Strings', 'Gamma DP']);
    expect(await set('difficulty=easy&difficulty=hard')).toEqual(['Alpha Array', 'Delta Strings', 'Gamma DP']);
    const bad = await h.request({ method: 'GET', url: '/problems?difficulty=easy,legendary', token: user.token });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('filters by tags (comma slugs, any match); an empty value is ignored', async () => {
    expect(await set('tags=graphs')).toEqual(['Beta Graph']);
    expect(await set('tags=strings,dynamic-programming')).toEqual(['Delta Strings', 'Gamma DP']);
    expect(await set('tags=arrays')).toEqual(['Alpha Array', 'Delta Strings']);
    expect(await set('tags=')).toHaveLength(4);
    expect(await set('tags=nothing-here')).toEqual([]);
  });

  it('filters by company (exact) and by search (case-insensitive, title or description, wildcards literal)', async () => {
    expect(await set('company=Google')).toEqual(['Alpha Array', 'Gamma DP']);
    expect(await set('company=google')).toEqual([]);
    expect(await set('search=knapsack')).toEqual(['Gamma DP']);
    expect(await set('search=DELTA')).toEqual(['Delta Strings']);
    expect(await set('search=%25')).toEqual([]);
    expect(await set('search=a_')).toEqual([]);
  });

  it("filters by the caller's attempt status: solved, attempted, todo, and their union", async () => {
    expect(await set('status=solved')).toEqual(['Alpha Array']);
    expect(await set('status=attempted')).toEqual(['Beta Graph', 'Delta Strings']);
    expect(await set('status=todo')).toEqual(['Gamma DP']);
    expect(await set('status=solved,todo')).toEqual(['Alpha Array', 'Gamma DP']);
    expect(await set('status=solved&status=attempted')).toEqual(['Alpha Array', 'Beta Graph', 'Delta Strings']);
    expect(await set('status=todo', admin)).toHaveLength(4);
    expect((await h.request({ method: 'GET', url: '/problems?status=done', token: user.token })).status).toBe(400);
  });

  it('combines filters', async () => {
    expect(await set('difficulty=easy&tags=arrays&status=attempted')).toEqual(['Delta Strings']);
    expect(await set('company=Google&status=todo&search=gamma')).toEqual(['Gamma DP']);
  });

  it('sorts by title, difficulty (enum order), createdAt, totalSubmissions, popularity and acceptance', async () => {
    expect(await titles('sortBy=title&sortOrder=asc')).toEqual(['Alpha Array', 'Beta Graph', 'Delta Strings', 'Gamma DP']);
    expect(await titles('sortBy=title')).toEqual(['Gamma DP', 'Delta Strings', 'Beta Graph', 'Alpha Array']);
    const byDifficulty = await list('sortBy=difficulty&sortOrder=asc');
    expect(byDifficulty.data.map((p) => p.difficulty)).toEqual(['easy', 'easy', 'medium', 'hard']);
    expect((await list('sortBy=difficulty&sortOrder=desc')).data.map((p) => p.difficulty)).toEqual(['hard', 'medium', 'easy', 'easy']);
    expect(await titles('sortBy=createdAt&sortOrder=asc')).toEqual(['Alpha Array', 'Beta Graph', 'Gamma DP', 'Delta Strings']);
    const byTotal = await list('sortBy=totalSubmissions&sortOrder=desc');
    expect(byTotal.data.map((p) => p.totalSubmissions)).toEqual([2, 2, 1, 0]);
    expect(byTotal.data[3].title).toBe('Delta Strings');
    const popular = await list('sortBy=popularity&sortOrder=desc');
    expect(popular.data.map((p) => p.title).slice(0, 2)).toEqual(['Gamma DP', 'Alpha Array']);
    // B and D tie at 0: the id breaks the tie, in the sort direction
    expect(popular.data.slice(2).map((p) => p.id)).toEqual([P.B.id, P.D.id].sort().reverse());
    const popularityAsc = await list('sortBy=popularity&sortOrder=asc');
    expect(popularityAsc.data.map((p) => p.acceptanceRate ?? 0)).toEqual([0, 0, 50, 100]);
    // acceptance: problems without submissions come last in both directions
    expect(await titles('sortBy=acceptance&sortOrder=desc')).toEqual(['Gamma DP', 'Alpha Array', 'Beta Graph', 'Delta Strings']);
    expect(await titles('sortBy=acceptance&sortOrder=asc')).toEqual(['Beta Graph', 'Alpha Array', 'Gamma DP', 'Delta Strings']);
  });

  it('pages with limit and an opaque cursor; a title-sorted second page continues correctly', async () => {
    const first = await list('sortBy=title&sortOrder=asc&limit=3');
    expect(first.data.map((p) => p.title)).toEqual(['Alpha Array', 'Beta Graph', 'Delta Strings']);
    expect(first.pagination.hasMore).toBe(true);
    const second = await list(`sortBy=title&sortOrder=asc&limit=3&cursor=${first.pagination.nextCursor}`);
    expect(second.data.map((p) => p.title)).toEqual(['Gamma DP']);
    expect(second.pagination).toEqual({ nextCursor: null, hasMore: false });
  });

  it.each([
    ['an unknown sortBy', 'sortBy=rating'],
    ['an unknown sortOrder', 'sortOrder=up'],
    ['limit 0', 'limit=0'],
    ['limit 101', 'limit=101'],
    ['a garbage cursor', 'cursor=!!!'],
    ['a cursor that is not base64 JSON', 'cursor=abc'],
    ['a cursor of the wrong arity', `cursor=${encodeCursor(['x'])}`],
    ['a cursor of another sort', `sortBy=difficulty&cursor=${encodeCursor(['Alpha', '6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e01'])}`],
    ['a cursor with a bad id', `sortBy=title&cursor=${encodeCursor(['Alpha', 'nope'])}`],
    ['a cursor with a bad date', `cursor=${encodeCursor(['yesterday', '6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e01'])}`],
    ['includeDrafts that is not a boolean', 'includeDrafts=yes'],
  ])('answers 400 VALIDATION_FAILED for %s', async (_label, query) => {
    const res = await h.request({ method: 'GET', url: `/problems?${query}`, token: user.token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  it('requires authentication', async () => {
    expect((await h.request({ method: 'GET', url: '/problems' })).status).toBe(401);
  });
});

describe('GET /problems/tags', () => {
  it('counts tags of live published problems: count desc, then name asc; tags only on drafts or deleted problems are omitted', async () => {
    const res = await h.request({ method: 'GET', url: '/problems/tags', token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { slug: 'arrays', name: 'Arrays', count: 2 },
      { slug: 'bfs', name: 'Breadth-First Search', count: 1 },
      { slug: 'dynamic-programming', name: 'Dynamic Programming', count: 1 },
      { slug: 'graphs', name: 'Graphs', count: 1 },
      { slug: 'strings', name: 'Strings', count: 1 },
      { slug: 'two-pointers', name: 'Two Pointers', count: 1 },
    ]);
  });
});
