/** SPEC §4.3 bookmarks over HTTP, and isBookmarked on the problem reads. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Harness } from '../support/harness.js';
import { createProblem, newAdmin, newUser, problemHarness, submit, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
});
afterAll(() => h.close());

const put = (who: TestUser, id: string) => h.request({ method: 'PUT', url: `/users/me/bookmarks/${id}`, token: who.token });
const del = (who: TestUser, id: string) => h.request({ method: 'DELETE', url: `/users/me/bookmarks/${id}`, token: who.token });
const listAll = async (who: TestUser, query = '') => {
  const res = await h.request({ method: 'GET', url: `/users/me/bookmarks${query}`, token: who.token });
  expect(res.status).toBe(200);
  return res.body as { data: any[]; pagination: { nextCursor: string | null; hasMore: boolean } };
};
const rows = async (userId: string) =>
  (await sql<{ problem_id: string }>`SELECT problem_id FROM bookmarks WHERE user_id = ${userId}`.execute(h.ctx.db)).rows.map((r) => r.problem_id);

describe('bookmarks', () => {
  it('no bookmarks → empty list', async () => {
    const user = await newUser(h);
    expect(await listAll(user)).toEqual({ data: [], pagination: { nextCursor: null, hasMore: false } });
  });

  it('PUT bookmarks (204, a row exists); twice does not duplicate; DELETE removes it (204); DELETE again is a no-op (204)', async () => {
    const user = await newUser(h);
    const p = await createProblem(h, admin);
    expect((await put(user, p.id)).status).toBe(204);
    expect((await put(user, p.id)).status).toBe(204);
    expect(await rows(user.id)).toEqual([p.id]);
    expect((await del(user, p.id)).status).toBe(204);
    expect(await rows(user.id)).toEqual([]);
    expect((await del(user, p.id)).status).toBe(204);
    expect((await del(user, randomUUID())).status).toBe(204);
  });

  it('PUT answers 404 PROBLEM_NOT_FOUND for a missing, deleted or draft problem and 400 for a malformed id', async () => {
    const user = await newUser(h);
    const deleted = await createProblem(h, admin);
    await h.request({ method: 'DELETE', url: `/problems/${deleted.id}`, token: admin.token });
    const draft = await createProblem(h, admin, { isPublished: false });
    for (const id of [randomUUID(), deleted.id, draft.id]) {
      const res = await put(user, id);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('PROBLEM_NOT_FOUND');
    }
    expect((await put(admin, draft.id)).status).toBe(404);
    for (const res of [await put(user, 'not-a-uuid'), await del(user, 'not-a-uuid')]) {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await rows(user.id)).toEqual([]);
  });

  it('lists summaries newest first with isBookmarked true, tags, attempt status and acceptance rate; only the caller’s', async () => {
    const user = await newUser(h);
    const other = await newUser(h);
    const first = await createProblem(h, admin, { tags: ['trees', 'dfs'] });
    const second = await createProblem(h, admin);
    const third = await createProblem(h, admin);
    await put(user, first.id);
    await put(user, second.id);
    await put(user, third.id);
    await put(other, first.id);
    await submit(h, user.id, first.id, 'accepted');
    await submit(h, other.id, first.id, 'rejected');
    await submit(h, user.id, second.id, 'pending');
    const page = await listAll(user);
    expect(page.data.map((p) => p.id)).toEqual([third.id, second.id, first.id]);
    expect(page.data.every((p) => p.isBookmarked === true)).toBe(true);
    expect(page.data[2]).toMatchObject({ tags: ['dfs', 'trees'], attemptStatus: 'solved', acceptanceRate: 50, totalSubmissions: 2 });
    expect(page.data[1]).toMatchObject({ attemptStatus: 'attempted', acceptanceRate: null });
    expect((await listAll(other)).data.map((p) => p.id)).toEqual([first.id]);

    // bookmarking again after a removal moves the problem to the top
    await del(user, first.id);
    await put(user, first.id);
    expect((await listAll(user)).data.map((p) => p.id)).toEqual([first.id, third.id, second.id]);
  });

  it('excludes soft-deleted problems, and drafts unless the caller is an admin', async () => {
    const user = await newUser(h);
    const stays = await createProblem(h, admin);
    const goes = await createProblem(h, admin);
    const hides = await createProblem(h, admin);
    for (const p of [stays, goes, hides]) {
      await put(user, p.id);
      await put(admin, p.id);
    }
    await h.request({ method: 'DELETE', url: `/problems/${goes.id}`, token: admin.token });
    await h.request({ method: 'PATCH', url: `/problems/${hides.id}/publish-status`, token: admin.token, body: { isPublished: false } });
    expect((await listAll(user)).data.map((p) => p.id)).toEqual([stays.id]);
    expect((await listAll(admin)).data.map((p) => p.id)).toEqual([hides.id, stays.id]);
  });

  it('honours limit and walks 5 bookmarks 2 at a time without gaps or duplicates; bad cursors are 400', async () => {
    const user = await newUser(h);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await createProblem(h, admin);
      ids.push(p.id);
      await put(user, p.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listAll(user, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((p) => p.id));
      cursor = page.pagination.nextCursor;
      expect(page.pagination.hasMore).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    for (const q of ['?cursor=%%%', '?cursor=Zm9v', '?limit=0', '?limit=101']) {
      const res = await h.request({ method: 'GET', url: `/users/me/bookmarks${q}`, token: user.token });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('shows isBookmarked on the problem list and detail for the caller only', async () => {
    const user = await newUser(h);
    const other = await newUser(h);
    const p = await createProblem(h, admin);
    await put(user, p.id);
    const mine = await h.request({ method: 'GET', url: `/problems/${p.id}`, token: user.token });
    expect(mine.body.isBookmarked).toBe(true);
    const theirs = await h.request({ method: 'GET', url: `/problems/${p.id}`, token: other.token });
    expect(theirs.body.isBookmarked).toBe(false);
    const list = await h.request({ method: 'GET', url: `/problems?search=${encodeURIComponent(p.title)}`, token: user.token });
    expect(list.body.data[0].isBookmarked).toBe(true);
  });

  it('requires authentication', async () => {
    expect((await h.request({ method: 'GET', url: '/users/me/bookmarks' })).status).toBe(401);
    expect((await h.request({ method: 'PUT', url: `/users/me/bookmarks/${randomUUID()}` })).status).toBe(401);
  });
});
