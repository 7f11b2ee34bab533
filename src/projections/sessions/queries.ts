/** Reads of the sessions read model (sessions, participants, soft deletes, code snapshots). */
import { sql, type RawBuilder } from 'kysely';
import type { Language, RoomMode, RoomRole } from '../../domain/room/constants.js';
import type { Db } from '../../infra/db/database.js';
import { UUID } from '../rooms/queries.js';
import { viewerHasReportExpr, viewerScoreExpr } from '../reports/queries.js';

export interface SessionRow {
  id: string;
  roomId: string;
  problemId: string | null;
  mode: RoomMode;
  language: Language | null;
  status: 'ongoing' | 'finished';
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  problemTitle: string | null;
  problemDifficulty: string | null;
}

const SESSION_COLUMNS = sql`
  s.id, s.room_id AS "roomId", s.problem_id AS "problemId", s.mode, s.language, s.status, s.started_at AS "startedAt",
  s.finished_at AS "finishedAt", s.duration_ms::float8 AS "durationMs", pr.title AS "problemTitle", pr.difficulty::text AS "problemDifficulty"`;

export async function findSession(db: Db, sessionId: string): Promise<SessionRow | undefined> {
  if (!UUID.test(sessionId)) return undefined;
  const { rows } = await sql<SessionRow>`
    SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN problems pr ON pr.id = s.problem_id WHERE s.id = ${sessionId}`.execute(db);
  return rows[0];
}

export interface SessionViewer {
  isParticipant: boolean;
  hidden: boolean;
}

export async function sessionViewer(db: Db, sessionId: string, userId: string): Promise<SessionViewer> {
  const { rows } = await sql<{ participant: boolean; hidden: boolean }>`
    SELECT EXISTS (SELECT 1 FROM session_participants WHERE session_id = ${sessionId} AND user_id = ${userId}) AS participant,
           EXISTS (SELECT 1 FROM session_deletions WHERE session_id = ${sessionId} AND user_id = ${userId}) AS hidden`.execute(db);
  return { isParticipant: rows[0]?.participant === true, hidden: rows[0]?.hidden === true };
}

export interface SessionParticipantRow {
  sessionId: string;
  userId: string;
  role: RoomRole;
  joinedAt: Date;
  leftAt: Date | null;
}

export async function listSessionParticipants(db: Db, sessionIds: readonly string[]): Promise<SessionParticipantRow[]> {
  if (sessionIds.length === 0) return [];
  const { rows } = await sql<SessionParticipantRow>`
    SELECT session_id AS "sessionId", user_id AS "userId", role, joined_at AS "joinedAt", left_at AS "leftAt"
    FROM session_participants WHERE session_id = ANY(${[...sessionIds]}::uuid[]) ORDER BY joined_at, user_id`.execute(db);
  return rows;
}

export const SESSION_SORTS = ['createdAt', 'finishedAt', 'overallScore', 'duration'] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

export interface SessionListQuery {
  viewerId: string;
  isAdmin: boolean;
  limit: number;
  sortBy: SessionSort;
  sortOrder: 'asc' | 'desc';
  mode?: RoomMode;
  problemId?: string;
  fromDate?: string;
  toDate?: string;
  /** [sort value (null for a null key), id] */
  after?: [string | number | null, string];
}

export interface SessionListRow extends SessionRow {
  sortValue: string | number | null;
  /** the viewer's completed report score */
  overallScore: number | null;
  hasReport: boolean;
}

/**
 * The sort key of each sort. Scores are the viewer's completed report scores (the reports module; sessions without
 * one sort last); duration sorts by the raw milliseconds.
 */
function sortKey(sort: SessionSort, viewerId: string): { expr: RawBuilder<unknown>; type: 'timestamptz' | 'float8' } {
  switch (sort) {
    case 'createdAt':
      return { expr: sql`s.started_at`, type: 'timestamptz' };
    case 'finishedAt':
      return { expr: sql`s.finished_at`, type: 'timestamptz' };
    case 'duration':
      return { expr: sql`s.duration_ms::float8`, type: 'float8' };
    case 'overallScore':
      return { expr: sql`${viewerScoreExpr(viewerId)}::float8`, type: 'float8' };
  }
}

/** Finished sessions the viewer may list (participant and not soft-deleted; admins: all), keyset-paginated, nulls last. */
export async function listSessions(db: Db, q: SessionListQuery): Promise<SessionListRow[]> {
  const { expr, type } = sortKey(q.sortBy, q.viewerId);
  const dir = q.sortOrder === 'asc' ? sql`ASC` : sql`DESC`;
  const cmp = q.sortOrder === 'asc' ? sql`>` : sql`<`;
  let after = sql``;
  if (q.after) {
    const [value, id] = q.after;
    after =
      value === null
        ? sql`AND ${expr} IS NULL AND s.id ${cmp} ${id}::uuid`
        : sql`AND ((${expr} IS NOT NULL AND (${expr}, s.id) ${cmp} (${value}::${sql.raw(type)}, ${id}::uuid)) OR ${expr} IS NULL)`;
  }
  const visible = q.isAdmin
    ? sql``
    : sql`AND EXISTS (SELECT 1 FROM session_participants sp WHERE sp.session_id = s.id AND sp.user_id = ${q.viewerId})
          AND NOT EXISTS (SELECT 1 FROM session_deletions sd WHERE sd.session_id = s.id AND sd.user_id = ${q.viewerId})`;
  const sortValue = type === 'timestamptz' ? sql`to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : expr;
  const { rows } = await sql<SessionListRow>`
    SELECT ${SESSION_COLUMNS}, ${sortValue} AS "sortValue", ${viewerScoreExpr(q.viewerId)}::float8 AS "overallScore",
      ${viewerHasReportExpr(q.viewerId)} AS "hasReport"
    FROM sessions s LEFT JOIN problems pr ON pr.id = s.problem_id
    WHERE s.status = 'finished'
      ${visible}
      ${q.mode ? sql`AND s.mode = ${q.mode}` : sql``}
      ${q.problemId ? sql`AND s.problem_id = ${q.problemId}` : sql``}
      ${q.fromDate ? sql`AND s.started_at >= ${q.fromDate}::timestamptz` : sql``}
      ${q.toDate ? sql`AND s.started_at <= ${q.toDate}::timestamptz` : sql``}
      ${after}
    ORDER BY (${expr} IS NULL) ASC, ${expr} ${dir}, s.id ${dir}
    LIMIT ${q.limit + 1}`.execute(db);
  return rows;
}

export interface SnapshotRow {
  id: string;
  code: string;
  language: string;
  trigger: string;
  phase: string | null;
  linesOfCode: number;
  createdAt: Date;
}

const SNAPSHOT_COLUMNS = sql`id, code, language, trigger, phase, lines_of_code AS "linesOfCode", created_at AS "createdAt"`;

/** Snapshots in chronological order, keyset-paginated on (createdAt, id). */
export async function listSnapshots(db: Db, sessionId: string, limit: number, after?: [string, string]): Promise<SnapshotRow[]> {
  const { rows } = await sql<SnapshotRow>`
    SELECT ${SNAPSHOT_COLUMNS} FROM code_snapshots
    WHERE session_id = ${sessionId}
      ${after ? sql`AND (created_at, id) > (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
    ORDER BY created_at, id
    LIMIT ${limit + 1}`.execute(db);
  return rows;
}

export async function latestSnapshot(db: Db, sessionId: string): Promise<SnapshotRow | undefined> {
  const { rows } = await sql<SnapshotRow>`
    SELECT ${SNAPSHOT_COLUMNS} FROM code_snapshots WHERE session_id = ${sessionId} ORDER BY created_at DESC, id DESC LIMIT 1`.execute(db);
  return rows[0];
}

/** Terminal runs and submissions made in the session's room, oldest first (the execution module's read models). */
export async function sessionExecutions(db: Db, roomId: string): Promise<{
  runs: Array<{ jobId: string; status: string; createdAt: Date }>;
  submissions: Array<{ submissionId: string; status: string; passed: number; total: number; createdAt: Date }>;
}> {
  const [runs, submissions] = await Promise.all([
    sql<{ jobId: string; status: string; createdAt: Date }>`
      SELECT id AS "jobId", status, created_at AS "createdAt" FROM runs
      WHERE room_id = ${roomId} AND status IN ('completed', 'failed') ORDER BY created_at, id`.execute(db),
    sql<{ submissionId: string; status: string; passed: number; total: number; createdAt: Date }>`
      SELECT id AS "submissionId", status, passed_test_cases AS passed, total_test_cases AS total, submitted_at AS "createdAt" FROM submissions
      WHERE room_id = ${roomId} AND status IN ('completed', 'failed') ORDER BY submitted_at, id`.execute(db),
  ]);
  return { runs: runs.rows, submissions: submissions.rows };
}
