/**
 * Paging through 95 problems 20 at a time returns each exactly once, in order, for every sort and direction —
 * with many ties (equal difficulty, equal creation time, equal counts and ratios) left to the id to break.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Harness } from '../support/harness.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { createProblem as createProblemCommand } from '../../src/commands/problems/problems.js';
import type { Difficulty, ProblemContent } from '../../src/domain/problem/content.js';
import { PROBLEM_SORTS } from '../../src/projections/problems/queries.js';
import { newAdmin, newUser, problemHarness, settled, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let user: TestUser;
let admin: TestUser;
const published: string[] = [];
const drafts: string[] = [];

const DIFFICULTY: Difficulty[] = ['easy', 'medium', 'hard'];

function content(i: number): ProblemContent {
  return {
    // some titles share a prefix and differ only in case or digits, to exercise the collation-based order
    title: `${i % 4 === 0 ? 'walk' : 'Walk'} ${String(i % 13).padStart(2, '0')} ${randomUUID().slice(0, 6)}`,
    description: `Problem number ${i}`,
    difficulty: DIFFICULTY[i % 3]!,
    company: null,
    constraints: null,
    examples: [],
    starterCode: null,
    timeLimitMs: null,
    memoryLimitMb: null,
    tags: i % 2 === 0 ? ['arrays'] : [],
    testCases: [{ input: `${i}`, expectedOutput: `${i}`, description: null, isHidden: false, timeoutMs: null, memoryMb: null }],
  };
}

beforeAll(async () => {
  h = await problemHarness();
  user = await newUser(h);
  admin = await newAdmin(h);
  let last = 0n;
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < 100; i++) {
    const id = randomUUID();
    // groups of five share one creation instant
    const now = new Date(base + Math.floor(i / 5) * 1000);
    const r = await createProblemCommand(h.ctx.store, systemMetadata(randomUUID(), now), { problemId: id, slug: null, content: content(i), isPublished: i < 95 });
    last = r.position!.commit;
    (i < 95 ? published : drafts).push(id);
  }
  // submissions: totals 0..3 and accepted counts that repeat ratios (0, 1/2, 1/3, 2/3, 1) across problems
  for (let i = 0; i < 60; i++) {
    const problemId = published[i]!;
    const total = i % 4;
    for (let k = 0; k < total; k++) {
      const submissionId = randomUUID();
      const accepted = k < (i % 3);
      const r = await h.ctx.store.appendToStream(`submission-${submissionId}`, [
        { id: randomUUID(), type: 'SubmissionRequested', data: { submissionId, roomId: randomUUID(), sessionId: null, problemId, userId: user.id, language: 'python', testCaseCount: 1 } },
        { id: randomUUID(), type: 'SubmissionCompleted', data: { submissionId, problemId, userId: user.id, roomId: randomUUID(), passed: accepted ? 1 : 0, failed: accepted ? 0 : 1, errors: 0, total: 1, accepted, totalDurationMs: 5 } },
      ]);
      last = r.position.commit;
    }
  }
  await settled(h, last, ['problems', 'problem-stats']);
}, 120_000);
afterAll(() => h.close());

async function walk(query: string, who: TestUser): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res = await h.request({ method: 'GET', url: `/problems?limit=20&${query}${cursor ? `&cursor=${cursor}` : ''}`, token: who.token });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(20);
    items.push(...res.body.data);
    cursor = res.body.pagination.nextCursor;
    expect(res.body.pagination.hasMore).toBe(cursor !== null);
    if (!cursor) return items;
  }
  throw new Error('walk did not end');
}

const rate = (p: any) => (p.totalSubmissions === 0 ? 0 : p.acceptanceRate);
const RANK: Record<string, number> = { easy: 1, medium: 2, hard: 3 };

/** Checks that consecutive items respect the sort (the id breaks ties in the sort direction). */
function assertOrdered(items: any[], sortBy: string, order: 'asc' | 'desc') {
  const sign = order === 'asc' ? 1 : -1;
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1];
    const b = items[i];
    let cmp: number;
    switch (sortBy) {
      case 'difficulty':
        cmp = sign * (RANK[a.difficulty]! - RANK[b.difficulty]!);
        break;
      case 'totalSubmissions':
        cmp = sign * (a.totalSubmissions - b.totalSubmissions);
        break;
      case 'popularity':
        cmp = sign * (rate(a) - rate(b));
        break;
      case 'acceptance':
        cmp = (a.totalSubmissions === 0 ? 1 : 0) - (b.totalSubmissions === 0 ? 1 : 0) || sign * (rate(a) - rate(b));
        break;
      default:
        cmp = 0; // title and createdAt: checked against the database's own order below
    }
    if (cmp === 0 && ['difficulty', 'totalSubmissions', 'popularity', 'acceptance'].includes(sortBy)) {
      expect(sign * (a.id < b.id ? -1 : 1)).toBe(-1);
    } else {
      expect(cmp).toBeLessThanOrEqual(0);
    }
  }
}

describe('cursor walk over 95 problems, 20 per page', () => {
  for (const sortBy of PROBLEM_SORTS) {
    for (const order of ['asc', 'desc'] as const) {
      it(`sortBy=${sortBy} sortOrder=${order} returns each problem exactly once, in order`, async () => {
        const items = await walk(`sortBy=${sortBy}&sortOrder=${order}`, user);
        const ids = items.map((p) => p.id);
        expect(ids).toHaveLength(95);
        expect(new Set(ids).size).toBe(95);
        expect([...ids].sort()).toEqual([...published].sort());
        assertOrdered(items, sortBy, order);
        // the walk equals one big page of the same sort
        const whole = await h.request({ method: 'GET', url: `/problems?limit=100&sortBy=${sortBy}&sortOrder=${order}`, token: user.token });
        expect(whole.body.data.map((p: any) => p.id)).toEqual(ids);
      });
    }
  }

  it('with filters (tags=arrays, status=attempted) and drafts for an admin', async () => {
    const arrays = await walk('sortBy=title&sortOrder=asc&tags=arrays', user);
    expect(arrays.every((p) => p.tags.includes('arrays'))).toBe(true);
    expect(new Set(arrays.map((p) => p.id)).size).toBe(arrays.length);
    expect(arrays).toHaveLength(published.filter((_, i) => i % 2 === 0).length);
    const attempted = await walk('sortBy=popularity&sortOrder=desc&status=attempted', user);
    expect(attempted.every((p) => p.attemptStatus === 'attempted')).toBe(true);
    const all = await walk('sortBy=createdAt&sortOrder=desc&includeDrafts=true', admin);
    expect(new Set(all.map((p) => p.id))).toEqual(new Set([...published, ...drafts]));
    expect(all).toHaveLength(100);
  });
});
