/**
 * Reads of the problems read model, joined with the statistics and bookmarks read models for the caller.
 *
 * Contract for other modules (rooms, execution): `findProblem` and `findTestCases`.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import {
  tagName,
  type Difficulty,
  type HintLadder,
  type ProblemExample,
  type StarterCode,
} from '../../domain/problem/content.js';
import { after, checkCursor, orderBy, type KeyValue, type SortKey } from '../keyset.js';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID = new RegExp(UUID_PATTERN);

// ------------------------------------------------------------------------------------------------ contract

export interface ProblemRef {
  id: string;
  title: string;
  difficulty: Difficulty;
  isPublished: boolean;
  starterCode: StarterCode | null;
  timeLimitMs: number | null;
  memoryLimitMb: number | null;
  /** Set when the problem was soft-deleted: such a problem is still returned (sessions keep naming it) and callers
   * that need a usable problem must treat it as not found. */
  deletedAt: Date | null;
}

/**
 * One problem by id, deleted ones included (see `deletedAt`); drafts only with `includeDrafts`. Undefined when
 * there is no such problem (or the id is not a uuid).
 */
export async function findProblem(db: Db, id: string, options: { includeDrafts: boolean }): Promise<ProblemRef | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<{
    id: string;
    title: string;
    difficulty: Difficulty;
    is_published: boolean;
    starter_code: StarterCode | null;
    time_limit_ms: number | null;
    memory_limit_mb: number | null;
    deleted_at: Date | null;
  }>`
    SELECT id, title, difficulty, is_published, starter_code, time_limit_ms, memory_limit_mb, deleted_at
    FROM problems WHERE id = ${id}`.execute(db);
  const row = rows[0];
  if (!row || (!row.is_published && !options.includeDrafts)) return undefined;
  return {
    id: row.id,
    title: row.title,
    difficulty: row.difficulty,
    isPublished: row.is_published,
    starterCode: row.starter_code,
    timeLimitMs: row.time_limit_ms,
    memoryLimitMb: row.memory_limit_mb,
    deletedAt: row.deleted_at,
  };
}

/** What the AI coach knows of a problem: its statement, visible examples and authored hint ladder (AI module). */
export interface CoachProblemRow {
  id: string;
  title: string;
  description: string;
  constraints: string | null;
  difficulty: Difficulty;
  tags: string[];
  examples: ProblemExample[];
  hints: HintLadder | null;
}

export async function findCoachProblem(db: Db, id: string): Promise<CoachProblemRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<CoachProblemRow>`
    SELECT id, title, description, constraints, difficulty, tags, examples, hints
    FROM problems WHERE id = ${id} AND deleted_at IS NULL AND is_published`.execute(db);
  return rows[0];
}

export interface TestCaseRef {
  index: number;
  input: string;
  expectedOutput: string;
  isHidden: boolean;
  timeoutMs: number | null;
  memoryMb: number | null;
}

/** Every test case of a problem, hidden ones included, in order. Never hand the hidden ones to a non-admin. */
export async function findTestCases(db: Db, problemId: string): Promise<TestCaseRef[]> {
  if (!UUID.test(problemId)) return [];
  const { rows } = await sql<{ idx: number; input: string; expected_output: string; is_hidden: boolean; timeout_ms: number | null; memory_mb: number | null }>`
    SELECT idx, input, expected_output, is_hidden, timeout_ms, memory_mb
    FROM problem_test_cases WHERE problem_id = ${problemId} ORDER BY idx`.execute(db);
  return rows.map((r) => ({
    index: r.idx,
    input: r.input,
    expectedOutput: r.expected_output,
    isHidden: r.is_hidden,
    timeoutMs: r.timeout_ms,
    memoryMb: r.memory_mb,
  }));
}

// ------------------------------------------------------------------------------------------------ summaries

export type AttemptStatus = 'solved' | 'attempted';

export interface ProblemSummary {
  id: string;
  title: string;
  difficulty: Difficulty;
  isPublished: boolean;
  tags: string[];
  company: string | null;
  acceptanceRate: number | null;
  isBookmarked: boolean;
  attemptStatus: AttemptStatus | null;
  totalSubmissions: number;
  updatedAt: string;
  testCaseCount?: number;
  hiddenTestCaseCount?: number;
}

export interface SummaryRow {
  id: string;
  title: string;
  difficulty: Difficulty;
  is_published: boolean;
  tags: string[];
  company: string | null;
  total: number;
  accepted: number;
  is_bookmarked: boolean;
  attempts: number | null;
  solved: boolean | null;
  test_case_count: number;
  hidden_test_case_count: number;
  created_at: Date;
  updated_at: Date;
}

/** The columns of a summary, for `problems p` joined by `summaryJoins`. */
export const summaryColumns = sql`
  p.id, p.title, p.difficulty, p.is_published, p.tags, p.company,
  COALESCE(s.total_submissions, 0) AS total, COALESCE(s.accepted_submissions, 0) AS accepted,
  (b.problem_id IS NOT NULL) AS is_bookmarked, a.attempts, a.solved,
  p.test_case_count, p.hidden_test_case_count, p.created_at, p.updated_at`;

export const summaryJoins = (viewerId: string) => sql`
  LEFT JOIN problem_stats s ON s.problem_id = p.id
  LEFT JOIN problem_attempts a ON a.problem_id = p.id AND a.user_id = ${viewerId}
  LEFT JOIN bookmarks b ON b.problem_id = p.id AND b.user_id = ${viewerId}`;

/** accepted / total × 100 rounded to 2 decimals; null before the first completed submission. */
export function acceptanceRate(accepted: number, total: number): number | null {
  return total === 0 ? null : Math.round((accepted / total) * 10_000) / 100;
}

export function attemptStatusOf(attempts: number | null, solved: boolean | null): AttemptStatus | null {
  if (solved) return 'solved';
  return attempts && attempts > 0 ? 'attempted' : null;
}

export function toSummary(row: SummaryRow, withCounts: boolean): ProblemSummary {
  return {
    id: row.id,
    title: row.title,
    difficulty: row.difficulty,
    isPublished: row.is_published,
    tags: row.tags,
    company: row.company,
    acceptanceRate: acceptanceRate(row.accepted, row.total),
    isBookmarked: row.is_bookmarked,
    attemptStatus: attemptStatusOf(row.attempts, row.solved),
    totalSubmissions: row.total,
    updatedAt: row.updated_at.toISOString(),
    ...(withCounts ? { testCaseCount: row.test_case_count, hiddenTestCaseCount: row.hidden_test_case_count } : {}),
  };
}

// ------------------------------------------------------------------------------------------------ list

export const PROBLEM_SORTS = ['title', 'difficulty', 'createdAt', 'popularity', 'totalSubmissions', 'acceptance'] as const;
export type ProblemSort = (typeof PROBLEM_SORTS)[number];
export const ATTEMPT_FILTERS = ['solved', 'attempted', 'todo'] as const;
export type AttemptFilter = (typeof ATTEMPT_FILTERS)[number];

const ratio = sql`COALESCE(s.accepted_submissions::float8 / NULLIF(s.total_submissions, 0), 0)`;

/**
 * The keyset of each sort, the problem id breaking ties. `popularity` is accepted/total (0 without submissions);
 * `acceptance` is the same ratio but problems without any completed submission come last in both directions.
 */
export function problemSortKeys(sortBy: ProblemSort, dir: 'asc' | 'desc'): SortKey<SummaryRow>[] {
  const id: SortKey<SummaryRow> = { expr: sql`p.id`, dir, kind: 'uuid', of: (r) => r.id };
  const popularity: SortKey<SummaryRow> = { expr: ratio, dir, kind: 'number', of: (r) => (r.total === 0 ? 0 : r.accepted / r.total) };
  switch (sortBy) {
    case 'title':
      return [{ expr: sql`p.title`, dir, kind: 'text', of: (r) => r.title }, id];
    case 'difficulty':
      return [{ expr: sql`p.difficulty_rank`, dir, kind: 'int', of: (r) => DIFFICULTY_RANK[r.difficulty] }, id];
    case 'createdAt':
      return [{ expr: sql`p.created_at`, dir, kind: 'timestamp', of: (r) => r.created_at.toISOString() }, id];
    case 'popularity':
      return [popularity, id];
    case 'totalSubmissions':
      return [{ expr: sql`COALESCE(s.total_submissions, 0)`, dir, kind: 'int', of: (r) => r.total }, id];
    case 'acceptance':
      return [{ expr: sql`(COALESCE(s.total_submissions, 0) = 0)::int`, dir: 'asc', kind: 'int', of: (r) => (r.total === 0 ? 1 : 0) }, popularity, id];
  }
}

const DIFFICULTY_RANK: Record<Difficulty, number> = { easy: 1, medium: 2, hard: 3 };

export interface ListProblemsQuery {
  viewerId: string;
  /** Drafts listed too (the caller is an admin and asked for them). */
  drafts: boolean;
  difficulties?: readonly Difficulty[];
  statuses?: readonly AttemptFilter[];
  tags?: readonly string[];
  company?: string;
  search?: string;
  sortBy: ProblemSort;
  sortOrder: 'asc' | 'desc';
  /** Decoded cursor values (checked against the sort here). */
  cursor?: readonly unknown[];
  limit: number;
}

export interface Keyed<T> {
  item: T;
  cursor: KeyValue[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One page of problems plus one extra row (`limit + 1`), each with its cursor values. */
export async function listProblems(db: Db, q: ListProblemsQuery): Promise<Keyed<ProblemSummary>[]> {
  const keys = problemSortKeys(q.sortBy, q.sortOrder);
  const cursor = checkCursor(keys, q.cursor);
  const where: RawBuilder<unknown>[] = [sql`p.deleted_at IS NULL`];
  if (!q.drafts) where.push(sql`p.is_published`);
  if (q.difficulties?.length) where.push(sql`p.difficulty = ANY(${[...q.difficulties]}::text[])`);
  if (q.tags?.length) where.push(sql`p.tags && ${[...q.tags]}::text[]`);
  if (q.company !== undefined) where.push(sql`p.company = ${q.company}`);
  if (q.search) {
    const pattern = `%${escapeLike(q.search)}%`;
    where.push(sql`(p.title ILIKE ${pattern} OR p.description ILIKE ${pattern})`);
  }
  if (q.statuses?.length) {
    const states = [...new Set(q.statuses)].map((s) =>
      s === 'solved'
        ? sql`COALESCE(a.solved, false)`
        : s === 'attempted'
          ? sql`(COALESCE(a.attempts, 0) > 0 AND NOT COALESCE(a.solved, false))`
          : sql`(COALESCE(a.attempts, 0) = 0 AND NOT COALESCE(a.solved, false))`,
    );
    where.push(sql`(${sql.join(states, sql` OR `)})`);
  }
  if (cursor) where.push(after(keys, cursor));
  const { rows } = await sql<SummaryRow>`
    SELECT ${summaryColumns}
    FROM problems p ${summaryJoins(q.viewerId)}
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY ${orderBy(keys)}
    LIMIT ${q.limit + 1}`.execute(db);
  return rows.map((row) => ({ item: toSummary(row, q.drafts), cursor: keys.map((k) => k.of(row)) }));
}

// ------------------------------------------------------------------------------------------------ tags

export interface TagCount {
  slug: string;
  name: string;
  count: number;
}

/** Tags of published, live problems with how many such problems carry each: count desc, then name asc. */
export async function listTags(db: Db): Promise<TagCount[]> {
  const { rows } = await sql<{ slug: string; count: number }>`
    SELECT t.slug, count(*)::int AS count
    FROM problems p CROSS JOIN LATERAL unnest(p.tags) AS t(slug)
    WHERE p.deleted_at IS NULL AND p.is_published
    GROUP BY t.slug`.execute(db);
  return rows
    .map((r) => ({ slug: r.slug, name: tagName(r.slug), count: r.count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.slug < b.slug ? -1 : 1));
}

// ------------------------------------------------------------------------------------------------ detail

export interface ProblemTestCaseView {
  input: string;
  expectedOutput: string;
  description: string | null;
  isHidden: boolean;
  timeoutMs: number | null;
  memoryMb: number | null;
}

export interface ProblemDetail extends ProblemSummary {
  description: string;
  constraints: string | null;
  examples: ProblemExample[];
  testCases: ProblemTestCaseView[];
  starterCode: StarterCode | null;
  timeLimit: number | null;
  memoryLimit: number | null;
  userAttempts: number;
  createdAt: string;
  /** The authored hint ladder; only in an admin's view. */
  hints?: HintLadder | null;
}

export interface ProblemDetailView {
  detail: ProblemDetail;
  /** Stream revision the row reflects (the ETag). */
  revision: string;
}

/**
 * A problem as its viewer may see it: undefined when missing, deleted, or a draft and the viewer is no admin.
 * Hidden test cases only with `includeHidden` (the route allows that to admins only).
 */
export async function getProblemDetail(
  db: Db,
  id: string,
  viewer: { userId: string; isAdmin: boolean; includeHidden: boolean },
): Promise<ProblemDetailView | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<
    SummaryRow & {
      description: string;
      constraints: string | null;
      examples: ProblemExample[];
      starter_code: StarterCode | null;
      time_limit_ms: number | null;
      memory_limit_mb: number | null;
      hints: HintLadder | null;
      deleted_at: Date | null;
      revision: string;
      test_cases: ProblemTestCaseView[];
    }
  >`
    SELECT ${summaryColumns}, p.description, p.constraints, p.examples, p.starter_code, p.time_limit_ms,
      p.memory_limit_mb, p.hints, p.deleted_at, p.revision,
      COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
          'input', t.input, 'expectedOutput', t.expected_output, 'description', t.description,
          'isHidden', t.is_hidden, 'timeoutMs', t.timeout_ms, 'memoryMb', t.memory_mb) ORDER BY t.idx)
        FROM problem_test_cases t
        WHERE t.problem_id = p.id ${viewer.includeHidden ? sql`` : sql`AND NOT t.is_hidden`}
      ), '[]'::jsonb) AS test_cases
    FROM problems p ${summaryJoins(viewer.userId)}
    WHERE p.id = ${id}`.execute(db);
  const row = rows[0];
  if (!row || row.deleted_at !== null || (!row.is_published && !viewer.isAdmin)) return undefined;
  return {
    revision: row.revision,
    detail: {
      ...toSummary(row, viewer.isAdmin),
      description: row.description,
      constraints: row.constraints,
      examples: row.examples,
      testCases: row.test_cases,
      starterCode: row.starter_code,
      timeLimit: row.time_limit_ms,
      memoryLimit: row.memory_limit_mb,
      userAttempts: row.attempts ?? 0,
      createdAt: row.created_at.toISOString(),
      ...(viewer.isAdmin ? { hints: row.hints ?? null } : {}),
    },
  };
}

/** Revision of a live problem visible to the viewer (cheap check for If-None-Match). */
export async function problemRevision(db: Db, id: string, isAdmin: boolean): Promise<string | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<{ revision: string; is_published: boolean; deleted_at: Date | null }>`
    SELECT revision, is_published, deleted_at FROM problems WHERE id = ${id}`.execute(db);
  const row = rows[0];
  if (!row || row.deleted_at !== null || (!row.is_published && !isAdmin)) return undefined;
  return row.revision;
}
