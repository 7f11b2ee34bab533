/**
 * GET /users/me/weaknesses: the categories of the user's weakness links, over sessions that are finished, had the
 * user as a participant and were not removed from the user's history. frequency = such sessions; description,
 * trend and lastSeenAt from the most recent one; sorted by frequency, then lastSeenAt, newest sessions first.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';

export interface WeaknessView {
  id: string;
  category: string;
  description: string;
  frequency: number;
  trend: string;
  lastSeenAt: string;
  sessions: Array<{ sessionId: string; problemName: string | null; reportedAt: string; score: number | null }>;
}

/** A stable id per (user, category), shaped as a UUID. */
export function weaknessId(userId: string, category: string): string {
  const h = createHash('sha256').update(`weakness:${userId}:${category}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function listWeaknesses(db: Db, userId: string): Promise<WeaknessView[]> {
  const { rows } = await sql<{ category: string; description: string; trend: string; score: number | null; reportedAt: Date; sessionId: string; problemName: string | null }>`
    SELECT w.category, w.description, w.trend, w.score, w.reported_at AS "reportedAt", w.session_id AS "sessionId", pr.title AS "problemName"
    FROM weakness_links w
    JOIN sessions s ON s.id = w.session_id AND s.status = 'finished'
    JOIN session_participants p ON p.session_id = w.session_id AND p.user_id = w.user_id
    LEFT JOIN problems pr ON pr.id = s.problem_id
    WHERE w.user_id = ${userId}
      AND NOT EXISTS (SELECT 1 FROM session_deletions d WHERE d.session_id = w.session_id AND d.user_id = w.user_id)
    ORDER BY w.category, w.reported_at DESC, w.session_id DESC`.execute(db);
  const byCategory = new Map<string, WeaknessView>();
  for (const r of rows) {
    let view = byCategory.get(r.category);
    if (!view) {
      view = { id: weaknessId(userId, r.category), category: r.category, description: r.description, frequency: 0, trend: r.trend, lastSeenAt: r.reportedAt.toISOString(), sessions: [] };
      byCategory.set(r.category, view);
    }
    view.frequency++;
    view.sessions.push({ sessionId: r.sessionId, problemName: r.problemName, reportedAt: r.reportedAt.toISOString(), score: r.score === null ? null : Math.round(r.score) });
  }
  return [...byCategory.values()].sort((a, b) => b.frequency - a.frequency || b.lastSeenAt.localeCompare(a.lastSeenAt) || a.category.localeCompare(b.category));
}
