/** Reads of `ai_code_analyses`. */
import { sql } from 'kysely';
import type { CodeAnalysisResult } from '../../domain/ai/events.js';
import type { Db } from '../../infra/db/database.js';
import { UUID } from '../runs/queries.js';

export interface AnalysisJobRow {
  jobId: string;
  roomId: string;
  userId: string;
  language: string;
  codeHash: string;
  status: 'pending' | 'ready' | 'failed';
  result: CodeAnalysisResult | null;
  model: string | null;
}

const COLUMNS = sql`job_id AS "jobId", room_id AS "roomId", user_id AS "userId", language, code_hash AS "codeHash", status, result, model`;

export async function findCodeAnalysis(db: Db, jobId: string): Promise<AnalysisJobRow | undefined> {
  if (!UUID.test(jobId)) return undefined;
  const { rows } = await sql<AnalysisJobRow>`SELECT ${COLUMNS} FROM ai_code_analyses WHERE job_id = ${jobId}`.execute(db);
  return rows[0];
}

export async function countAnalysesSince(db: Db, userId: string, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ai_code_analyses WHERE user_id = ${userId} AND requested_at >= ${since}`.execute(db);
  return rows[0]?.n ?? 0;
}
