/** Reads of `ai_reviews`. */
import { sql } from 'kysely';
import type { ReviewCategory } from '../../domain/ai/events.js';
import type { Db } from '../../infra/db/database.js';
import { UUID } from '../runs/queries.js';

export interface ReviewRow {
  jobId: string;
  roomId: string;
  userId: string;
  status: 'pending' | 'ready' | 'failed';
  overallScore: number | null;
  categories: ReviewCategory[] | null;
  summary: string | null;
  model: string | null;
}

export async function findReview(db: Db, jobId: string): Promise<ReviewRow | undefined> {
  if (!UUID.test(jobId)) return undefined;
  const { rows } = await sql<ReviewRow>`
    SELECT job_id AS "jobId", room_id AS "roomId", user_id AS "userId", status, overall_score AS "overallScore", categories, summary, model
    FROM ai_reviews WHERE job_id = ${jobId}`.execute(db);
  return rows[0];
}

export async function countReviewsSince(db: Db, userId: string, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ai_reviews WHERE user_id = ${userId} AND requested_at >= ${since}`.execute(db);
  return rows[0]?.n ?? 0;
}
