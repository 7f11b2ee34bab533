/** Seeding the problem bank: everything published with its tags, idempotent, matched by slug or by title. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Harness } from '../support/harness.js';
import { seedBank } from '../../src/commands/problems/seed-bank.js';
import { problemIdForSlug, seedProblems } from '../../src/commands/problems/seed.js';
import { loadProblemBank } from '../../src/infra/problem-bank/load.js';
import { newAdmin, newUser, problemHarness, settled, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;
let user: TestUser;
/** A problem an admin created by hand under a bank title before the first seed. */
let adminMade: string;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
  user = await newUser(h);
});
afterAll(() => h.close());

const count = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM problems WHERE deleted_at IS NULL`.execute(h.ctx.db)).rows[0]!.n;

describe('seeding the problem bank', () => {
  it('the bank has at least 30 problems across all difficulties, each with ≥ 6 tests of which ≥ 3 hidden and starter code for 8 languages', async () => {
    const bank = await loadProblemBank();
    expect(bank.length).toBeGreaterThanOrEqual(30);
    expect(new Set(bank.map((p) => p.difficulty))).toEqual(new Set(['easy', 'medium', 'hard']));
    for (const p of bank) {
      expect(p.testCases.length).toBeGreaterThanOrEqual(6);
      expect(p.testCases.filter((t) => t.isHidden).length).toBeGreaterThanOrEqual(3);
      expect(Object.keys(p.starterCode ?? {}).sort()).toEqual(['c', 'cpp', 'go', 'java', 'javascript', 'python', 'rust', 'typescript']);
    }
  });

  it('a problem an admin already created under a bank title is taken over, not duplicated', async () => {
    const bank = await loadProblemBank();
    const entry = bank[bank.length - 1]!;
    const res = await h.request({
      method: 'POST',
      url: '/problems',
      token: admin.token,
      body: { title: entry.title, description: 'placeholder', difficulty: 'easy', testCases: [{ input: '1', expectedOutput: '1' }] },
    });
    expect(res.status).toBe(201);
    adminMade = res.body.id;
  });

  it('creates every bank problem published with its tags; a second run changes nothing and appends no event', async () => {
    const bank = await loadProblemBank();
    const first = await seedBank(h.ctx);
    expect(first.failed).toEqual([]);
    expect(first.created.length + first.updated.length).toBe(bank.length);
    expect(first.updated).toEqual([bank[bank.length - 1]!.slug]);
    await settled(h, first.position!.commit, ['problems']);
    const seeded = await count();
    expect(seeded).toBe(bank.length);

    const head = await h.ctx.store.headPosition();
    const second = await seedBank(h.ctx);
    expect(second).toMatchObject({ created: [], updated: [], skipped: [], failed: [], position: undefined });
    expect(second.unchanged).toHaveLength(bank.length);
    expect(await h.ctx.store.headPosition()).toEqual(head);
    expect(await count()).toBe(seeded);

    // what a user sees: published, tagged, hidden tests hidden
    const entry = bank[0]!;
    const detail = await h.request({ method: 'GET', url: `/problems/${problemIdForSlug(entry.slug)}`, token: user.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ title: entry.title, difficulty: entry.difficulty, isPublished: true });
    expect([...detail.body.tags].sort()).toEqual([...entry.tags].sort());
    expect(detail.body.testCases).toHaveLength(entry.testCases.filter((t) => !t.isHidden).length);
    const taken = await h.request({ method: 'GET', url: `/problems/${adminMade}`, token: user.token });
    expect(taken.body).toMatchObject({ isPublished: true, description: bank[bank.length - 1]!.description.trim() });
    const list = await h.request({ method: 'GET', url: '/problems?limit=100', token: user.token });
    expect(list.body.data).toHaveLength(bank.length);
    const tags = await h.request({ method: 'GET', url: '/problems/tags', token: user.token });
    expect(tags.body.data.length).toBeGreaterThanOrEqual(8);
  });

  it('brings an edited bank problem back, and leaves a problem deleted by an admin deleted', async () => {
    const bank = await loadProblemBank();
    const [edited, removed] = [bank[1]!, bank[2]!];
    const editedId = problemIdForSlug(edited.slug);
    const removedId = problemIdForSlug(removed.slug);
    expect((await h.request({ method: 'PATCH', url: `/problems/${editedId}`, token: admin.token, body: { description: 'vandalised' } })).status).toBe(200);
    expect((await h.request({ method: 'PATCH', url: `/problems/${editedId}/publish-status`, token: admin.token, body: { isPublished: false } })).status).toBe(200);
    expect((await h.request({ method: 'DELETE', url: `/problems/${removedId}`, token: admin.token })).status).toBe(204);
    const report = await seedProblems(h.ctx.store, bank);
    expect(report.updated).toEqual([edited.slug]);
    expect(report.skipped).toEqual([{ slug: removed.slug, reason: 'deleted by an administrator' }]);
    await settled(h, report.position!.commit, ['problems']);
    const back = await h.request({ method: 'GET', url: `/problems/${editedId}`, token: user.token });
    expect(back.body).toMatchObject({ isPublished: true, description: edited.description.trim() });
  });

  it('reports an invalid entry and goes on with the others', async () => {
    const good = { slug: `s-${randomUUID()}`, title: `Seeded ${randomUUID()}`, difficulty: 'easy', tags: [], description: 'd', testCases: [{ input: '1', expectedOutput: '1' }] };
    const bad = { ...good, slug: `s-${randomUUID()}`, title: `Bad ${randomUUID()}`, testCases: [] };
    const report = await seedProblems(h.ctx.store, [bad, good]);
    expect(report.failed).toEqual([{ slug: bad.slug, code: 'VALIDATION_FAILED', message: expect.any(String) }]);
    expect(report.created).toEqual([good.slug]);
  });
});
