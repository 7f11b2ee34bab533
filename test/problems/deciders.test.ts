/** Given events / when command / then events or error — the problem and bookmark deciders, no database. */
import { describe, expect, it } from '@jest/globals';
import { bookmarkDecider, type BookmarkEvent } from '../../src/domain/bookmarks/bookmarks.js';
import { normalizeTags, tagName, type ProblemContent } from '../../src/domain/problem/content.js';
import {
  etagMatches,
  problemDecider,
  problemEtag,
  type ProblemCommand,
  type ProblemEvent,
} from '../../src/domain/problem/problem.js';
import { fold } from '../../src/domain/shared/decider.js';
import { statusOf } from '../../src/http/error-status.js';
import { deciderSpec, rejection } from '../support/decider-spec.js';

const ID = '6f1c1f0e-8d3b-4c36-9a57-0f5b7d9a1e01';

const content = (over: Partial<ProblemContent> = {}): ProblemContent => ({
  title: 'Two Sum',
  description: 'Find two numbers that add up to a target.',
  difficulty: 'easy',
  company: null,
  constraints: null,
  examples: [{ input: '1 2', output: '3' }],
  starterCode: { python: 'print()' },
  timeLimitMs: 2000,
  memoryLimitMb: 256,
  tags: ['hash-map', 'arrays'],
  testCases: [
    { input: '1', expectedOutput: '1', description: null, isHidden: false, timeoutMs: null, memoryMb: null },
    { input: '2', expectedOutput: '2', description: 'secret', isHidden: true, timeoutMs: 500, memoryMb: 64 },
  ],
  ...over,
});

const created = (over: Partial<ProblemContent> = {}, isPublished = false): ProblemEvent => ({
  type: 'ProblemCreated',
  data: { problemId: ID, slug: null, isPublished, ...content({ ...over, tags: normalizeTags(over.tags ?? content().tags) }) },
});

const given = deciderSpec(problemDecider).when;
const rejects = rejection;

describe('problem decider', () => {
  it('creates a problem with its tags in display order', () => {
    const events = given([], { type: 'CreateProblem', problemId: ID, slug: 'two-sum', content: content(), isPublished: true });
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('ProblemCreated');
    expect(events[0]!.data).toMatchObject({ problemId: ID, slug: 'two-sum', isPublished: true, tags: ['arrays', 'hash-map'] });
  });

  it('refuses a second creation on the same stream', () => {
    const err = rejects(() => given([created()], { type: 'CreateProblem', problemId: ID, slug: null, content: content(), isPublished: false }));
    expect(statusOf(err)).toBe(409);
  });

  it('refuses invalid content whatever the path: no test cases, blank title, bad tag, limits out of range', () => {
    for (const bad of [
      content({ testCases: [] }),
      content({ title: '   ' }),
      content({ tags: ['Not A Slug'] }),
      content({ timeLimitMs: 0 }),
      content({ memoryLimitMb: 5000 }),
      content({ testCases: [{ input: ' ', expectedOutput: '1', description: null, isHidden: false, timeoutMs: null, memoryMb: null }] }),
    ]) {
      const err = rejects(() => given([], { type: 'CreateProblem', problemId: ID, slug: null, content: bad, isPublished: false }));
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(statusOf(err)).toBe(400);
    }
  });

  it('updates only the fields that really change, naming the previous title', () => {
    const events = given([created()], {
      type: 'UpdateProblem',
      problemId: ID,
      changes: { title: 'Two Sum II', difficulty: 'easy', tags: ['hash-map', 'arrays'], timeLimitMs: 3000 },
    });
    expect(events).toEqual([
      {
        type: 'ProblemUpdated',
        data: { problemId: ID, previousTitle: 'Two Sum', changedFields: ['title', 'timeLimitMs'], changes: { title: 'Two Sum II', timeLimitMs: 3000 } },
      },
    ]);
  });

  it('an update that changes nothing decides nothing (idempotent)', () => {
    expect(given([created()], { type: 'UpdateProblem', problemId: ID, changes: content() })).toEqual([]);
  });

  it('replaces the test cases as a whole set', () => {
    const testCases = [{ input: '9', expectedOutput: '9', description: null, isHidden: true, timeoutMs: null, memoryMb: null }];
    const events = given([created()], { type: 'UpdateProblem', problemId: ID, changes: { testCases } });
    const state = fold(problemDecider, [created(), ...events]);
    expect(state.content!.testCases).toEqual(testCases);
  });

  it('checks If-Match against the stream revision, ignoring a W/ prefix', () => {
    const history = [created(), ...given([created()], { type: 'UpdateProblem', problemId: ID, changes: { title: 'B' } })];
    expect(fold(problemDecider, history).revision).toBe(1);
    for (const ok of ['W/"1"', '"1"', '*', 'W/"0", W/"1"']) {
      expect(given(history, { type: 'UpdateProblem', problemId: ID, changes: { title: 'C' }, ifMatch: ok })).toHaveLength(1);
    }
    const err = rejects(() => given(history, { type: 'UpdateProblem', problemId: ID, changes: { title: 'C' }, ifMatch: 'W/"0"' }));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(statusOf(err)).toBe(412);
    expect(problemEtag(1)).toBe('W/"1"');
    expect(etagMatches('"1"', 1)).toBe(true);
  });

  it('publishes and unpublishes, and deciding the current state again is a no-op', () => {
    const published = given([created()], { type: 'SetPublished', problemId: ID, isPublished: true });
    expect(published).toEqual([{ type: 'ProblemPublished', data: { problemId: ID, title: 'Two Sum', previousIsPublished: false, isPublished: true } }]);
    expect(given([created(), ...published], { type: 'SetPublished', problemId: ID, isPublished: true })).toEqual([]);
    const unpublished = given([created(), ...published], { type: 'SetPublished', problemId: ID, isPublished: false });
    expect(unpublished[0]!.type).toBe('ProblemUnpublished');
  });

  it('soft-deletes, refusing while the problem is in use; a deleted problem is not found', () => {
    const inUse = rejects(() => given([created()], { type: 'DeleteProblem', problemId: ID, inUse: true }));
    expect(inUse.code).toBe('PROBLEM_IN_USE');
    expect(statusOf(inUse)).toBe(409);
    const deleted = given([created({}, true)], { type: 'DeleteProblem', problemId: ID, inUse: false });
    expect(deleted).toEqual([{ type: 'ProblemDeleted', data: { problemId: ID, title: 'Two Sum', difficulty: 'easy', wasPublished: true } }]);
    for (const command of [
      { type: 'UpdateProblem', problemId: ID, changes: { title: 'X' } },
      { type: 'SetPublished', problemId: ID, isPublished: false },
      { type: 'DeleteProblem', problemId: ID, inUse: false },
    ] as ProblemCommand[]) {
      expect(rejects(() => given([created(), ...deleted], command)).code).toBe('PROBLEM_NOT_FOUND');
      expect(statusOf(rejects(() => given([], command)))).toBe(404);
    }
  });

  it('answers not found before a failed precondition', () => {
    const err = rejects(() => given([], { type: 'UpdateProblem', problemId: ID, changes: {}, ifMatch: 'W/"7"' }));
    expect(err.code).toBe('PROBLEM_NOT_FOUND');
  });
});

describe('tags', () => {
  it('have display names and are kept distinct, ordered by name', () => {
    expect(tagName('dynamic-programming')).toBe('Dynamic Programming');
    expect(tagName('divide-and-conquer')).toBe('Divide And Conquer');
    expect(normalizeTags(['two-pointers', 'arrays', 'bfs', 'arrays'])).toEqual(['arrays', 'bfs', 'two-pointers']);
  });
});

describe('bookmark decider', () => {
  const P = '0c5d2a8e-1111-4f7a-9c1e-3a2b1c0d9e8f';
  const U = 'user-1';
  const run = deciderSpec(bookmarkDecider).when;
  const bookmarked: BookmarkEvent = { type: 'ProblemBookmarked', data: { userId: U, problemId: P } };

  it('bookmarks once: a second bookmark decides nothing', () => {
    expect(run([], { type: 'Bookmark', userId: U, problemId: P, problemAvailable: true })).toEqual([bookmarked]);
    expect(run([bookmarked], { type: 'Bookmark', userId: U, problemId: P, problemAvailable: true })).toEqual([]);
  });

  it('refuses an unavailable problem (missing, deleted, draft) with PROBLEM_NOT_FOUND', () => {
    const err = rejects(() => run([], { type: 'Bookmark', userId: U, problemId: P, problemAvailable: false }));
    expect(err.code).toBe('PROBLEM_NOT_FOUND');
    expect(statusOf(err)).toBe(404);
  });

  it('removing is idempotent', () => {
    expect(run([bookmarked], { type: 'Unbookmark', userId: U, problemId: P })).toEqual([{ type: 'ProblemUnbookmarked', data: { userId: U, problemId: P } }]);
    expect(run([], { type: 'Unbookmark', userId: U, problemId: P })).toEqual([]);
    expect(run([bookmarked, { type: 'ProblemUnbookmarked', data: { userId: U, problemId: P } }], { type: 'Unbookmark', userId: U, problemId: P })).toEqual([]);
  });
});
