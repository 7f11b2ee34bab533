/**
 * Reads of the peer-feedback read model. Contract for other modules: `listSessionFeedback` (every pair of a session),
 * `sessionsWithFeedback` (history `hasFeedback`), `feedbackAbout` (what others submitted about one user — the
 * report's peer summary).
 */
import { sql } from 'kysely';
import type { PeerFeedbackRatings } from '../../domain/feedback/feedback.js';
import type { Db } from '../../infra/db/database.js';

export interface FeedbackRow {
  id: string;
  sessionId: string;
  roomId: string;
  reviewerId: string;
  targetId: string;
  status: 'submitted' | 'skipped';
  /** null for a skipped pair */
  ratings: PeerFeedbackRatings | null;
  comments: string | null;
  createdAt: Date;
}

interface RawRow extends Omit<FeedbackRow, 'ratings'> {
  problemSolving: number | null;
  communication: number | null;
  codeQuality: number | null;
  wouldPairAgain: number | null;
}

function toRow(r: RawRow): FeedbackRow {
  const { problemSolving, communication, codeQuality, wouldPairAgain, ...rest } = r;
  const ratings = problemSolving === null || communication === null || codeQuality === null || wouldPairAgain === null
    ? null
    : { problemSolving, communication, codeQuality, wouldPairAgain };
  return { ...rest, ratings };
}

const COLUMNS = sql`
  id, session_id AS "sessionId", room_id AS "roomId", reviewer_id AS "reviewerId", target_id AS "targetId", status,
  problem_solving AS "problemSolving", communication, code_quality AS "codeQuality", would_pair_again AS "wouldPairAgain",
  comments, created_at AS "createdAt"`;

/** Every resolved pair of a session (submitted and skipped), oldest first. */
export async function listSessionFeedback(db: Db, sessionId: string): Promise<FeedbackRow[]> {
  const { rows } = await sql<RawRow>`
    SELECT ${COLUMNS} FROM peer_feedback WHERE session_id = ${sessionId} ORDER BY created_at, id`.execute(db);
  return rows.map(toRow);
}

/** Submitted feedback about `userId` in a session, oldest first. */
export async function feedbackAbout(db: Db, sessionId: string, userId: string): Promise<FeedbackRow[]> {
  const { rows } = await sql<RawRow>`
    SELECT ${COLUMNS} FROM peer_feedback WHERE session_id = ${sessionId} AND target_id = ${userId} AND status = 'submitted'
    ORDER BY created_at, id`.execute(db);
  return rows.map(toRow);
}

/** The sessions among `sessionIds` with at least one submitted feedback (skips do not count). */
export async function sessionsWithFeedback(db: Db, sessionIds: readonly string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const { rows } = await sql<{ sessionId: string }>`
    SELECT DISTINCT session_id AS "sessionId" FROM peer_feedback
    WHERE session_id = ANY(${[...sessionIds]}::uuid[]) AND status = 'submitted'`.execute(db);
  return new Set(rows.map((r) => r.sessionId));
}
