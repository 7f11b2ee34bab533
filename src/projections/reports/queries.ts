/** Reads of the session-reports read model (used by the report endpoints, session history/detail and the grader). */
import { sql, type RawBuilder } from 'kysely';
import type { Dimension, HistoryEntry, SessionReport } from '../../domain/report/types.js';
import type { Db } from '../../infra/db/database.js';

export interface StoredReport {
  sessionId: string;
  userId: string;
  status: 'pending' | 'completed' | 'failed';
  overallScore: number | null;
  report: SessionReport | null;
  model: string | null;
  graderVersion: string | null;
  etag: string | null;
  errorMessage: string | null;
  requestedAt: Date;
  generatedAt: Date | null;
}

const COLUMNS = sql`
  session_id AS "sessionId", user_id AS "userId", status, overall_score AS "overallScore", report, model,
  grader_version AS "graderVersion", etag, error_message AS "errorMessage", requested_at AS "requestedAt", generated_at AS "generatedAt"`;

export async function findReport(db: Db, sessionId: string, userId: string): Promise<StoredReport | undefined> {
  const { rows } = await sql<StoredReport>`SELECT ${COLUMNS} FROM session_reports WHERE session_id = ${sessionId} AND user_id = ${userId}`.execute(db);
  return rows[0];
}

/** Whether the user was a candidate of the session at any time. */
export async function wasCandidate(db: Db, sessionId: string, userId: string): Promise<boolean> {
  const { rows } = await sql<{ yes: boolean }>`
    SELECT EXISTS (SELECT 1 FROM report_candidates WHERE session_id = ${sessionId} AND user_id = ${userId}) AS yes`.execute(db);
  return rows[0]?.yes === true;
}

export async function candidatesOfSession(db: Db, sessionId: string): Promise<string[]> {
  const { rows } = await sql<{ userId: string }>`SELECT user_id AS "userId" FROM report_candidates WHERE session_id = ${sessionId} ORDER BY user_id`.execute(db);
  return rows.map((r) => r.userId);
}

/** The viewer's completed report score of session `s` (a SQL expression for listings and sorting). */
export function viewerScoreExpr(viewerId: string): RawBuilder<number | null> {
  return sql<number | null>`(SELECT r.overall_score FROM session_reports r WHERE r.session_id = s.id AND r.user_id = ${viewerId} AND r.status = 'completed')`;
}

export function viewerHasReportExpr(viewerId: string): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM session_reports r WHERE r.session_id = s.id AND r.user_id = ${viewerId} AND r.status = 'completed')`;
}

/** The caller's completed report per session (for history and detail). */
export async function completedReports(db: Db, sessionIds: readonly string[], userId: string): Promise<Map<string, StoredReport>> {
  if (sessionIds.length === 0) return new Map();
  const { rows } = await sql<StoredReport>`
    SELECT ${COLUMNS} FROM session_reports
    WHERE session_id = ANY(${[...sessionIds]}::uuid[]) AND user_id = ${userId} AND status = 'completed'`.execute(db);
  return new Map(rows.map((r) => [r.sessionId, r]));
}

/** The body served by GET /sessions/:id/report: the stored report with `sessionId` and `generatedAt` filled in. */
export function reportBody(row: StoredReport): Record<string, unknown> {
  return { ...(row.report ?? {}), sessionId: row.sessionId, generatedAt: (row.generatedAt ?? row.requestedAt).toISOString() };
}

/**
 * The user's earlier reports: newest report of each session that finished before `before` (other than `exclude`),
 * newest session first, at most `limit`.
 */
export async function reportHistory(db: Db, userId: string, before: string, exclude: string, limit = 10): Promise<HistoryEntry[]> {
  const { rows } = await sql<{ sessionId: string; finishedAt: Date; overallScore: number | null; categoryScores: Record<Dimension, number | null> | null }>`
    SELECT r.session_id AS "sessionId", s.finished_at AS "finishedAt", r.overall_score AS "overallScore", r.report->'categoryScores' AS "categoryScores"
    FROM session_reports r JOIN sessions s ON s.id = r.session_id
    WHERE r.user_id = ${userId} AND r.status = 'completed' AND s.status = 'finished' AND s.finished_at < ${before}::timestamptz AND r.session_id <> ${exclude}::uuid
    ORDER BY s.finished_at DESC, r.session_id DESC
    LIMIT ${limit}`.execute(db);
  const empty = { correctness: null, efficiency: null, codeQuality: null, communication: null, problemSolving: null };
  return rows.map((r) => ({ sessionId: r.sessionId, finishedAt: r.finishedAt.toISOString(), overallScore: r.overallScore, categoryScores: { ...empty, ...(r.categoryScores ?? {}) } }));
}

/** Reports still pending since before `olderThan` (the sweeper re-enqueues them). */
export async function stalePendingReports(db: Db, olderThan: Date, limit = 100): Promise<Array<{ sessionId: string; userId: string; requestedAt: Date }>> {
  const { rows } = await sql<{ sessionId: string; userId: string; requestedAt: Date }>`
    SELECT session_id AS "sessionId", user_id AS "userId", requested_at AS "requestedAt" FROM session_reports
    WHERE status = 'pending' AND requested_at < ${olderThan} ORDER BY requested_at LIMIT ${limit}`.execute(db);
  return rows;
}

/** Every (session, candidate) of finished sessions, for a full re-grade. */
export async function allGradable(db: Db): Promise<Array<{ sessionId: string; userId: string }>> {
  const { rows } = await sql<{ sessionId: string; userId: string }>`
    SELECT c.session_id AS "sessionId", c.user_id AS "userId" FROM report_candidates c JOIN sessions s ON s.id = c.session_id
    WHERE s.status = 'finished' ORDER BY s.finished_at, c.session_id, c.user_id`.execute(db);
  return rows;
}

export interface RecentSession {
  sessionId: string;
  roomId: string;
  mode: string;
  problemTitle: string | null;
  role: string;
  overallScore: number | null;
  hasReport: boolean;
  startedAt: string;
  finishedAt: string | null;
}

/** A user's latest sessions (admin user detail). */
export async function recentSessionsOf(db: Db, userId: string, limit = 10): Promise<RecentSession[]> {
  const { rows } = await sql<Omit<RecentSession, 'startedAt' | 'finishedAt'> & { startedAt: Date; finishedAt: Date | null }>`
    SELECT s.id AS "sessionId", s.room_id AS "roomId", s.mode, pr.title AS "problemTitle", p.role,
           ${viewerScoreExpr(userId)} AS "overallScore", ${viewerHasReportExpr(userId)} AS "hasReport",
           s.started_at AS "startedAt", s.finished_at AS "finishedAt"
    FROM session_participants p JOIN sessions s ON s.id = p.session_id LEFT JOIN problems pr ON pr.id = s.problem_id
    WHERE p.user_id = ${userId}
    ORDER BY s.started_at DESC, s.id DESC LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null }));
}
