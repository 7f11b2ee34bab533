/** Reads of `ai_hints`. */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { UUID } from '../runs/queries.js';

export interface HintRow {
  id: string;
  roomId: string;
  sessionId: string | null;
  userId: string;
  phase: 'initial' | 'follow_up';
  followUpOf: string | null;
  level: 'subtle' | 'moderate' | 'direct';
  status: 'pending' | 'ready' | 'failed';
  hint: string;
  suggestedApproach: string | null;
  reflectionPrompt: string | null;
  reflection: string | null;
  model: string | null;
  requestedAt: Date;
}

const COLUMNS = sql`id, room_id AS "roomId", session_id AS "sessionId", user_id AS "userId", phase, follow_up_of AS "followUpOf",
  hint_level AS level, status, hint, suggested_approach AS "suggestedApproach", reflection_prompt AS "reflectionPrompt", reflection,
  model, requested_at AS "requestedAt"`;

export async function findHint(db: Db, id: string): Promise<HintRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<HintRow>`SELECT ${COLUMNS} FROM ai_hints WHERE id = ${id}`.execute(db);
  return rows[0];
}

/** The user's answered hints in a room, oldest first (what the coach said before). */
export async function listGivenHints(db: Db, roomId: string, userId: string, limit = 8): Promise<HintRow[]> {
  const { rows } = await sql<HintRow>`
    SELECT * FROM (SELECT ${COLUMNS} FROM ai_hints WHERE room_id = ${roomId} AND user_id = ${userId} AND status = 'ready'
                   ORDER BY requested_at DESC LIMIT ${limit}) h ORDER BY "requestedAt"`.execute(db);
  return rows;
}

export async function countHintsSince(db: Db, userId: string, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ai_hints WHERE user_id = ${userId} AND requested_at >= ${since}`.execute(db);
  return rows[0]?.n ?? 0;
}
