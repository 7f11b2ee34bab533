/** Reads of the interviewer read model: turns for polling, the conversation for history and for the next prompt. */
import { sql } from 'kysely';
import type { CodeAnnotation, CodeContextView } from '../../domain/ai/events.js';
import type { Db } from '../../infra/db/database.js';
import { UUID } from '../runs/queries.js';

export interface InterviewJobRow {
  jobId: string;
  roomId: string;
  userId: string;
  trigger: 'user_message' | 'proactive';
  status: 'pending' | 'ready' | 'failed';
  shouldRespond: boolean | null;
  message: string | null;
  followUpQuestion: string | null;
  codeAnnotations: CodeAnnotation[] | null;
  codeContext: CodeContextView | null;
  model: string | null;
}

export async function findInterviewJob(db: Db, jobId: string): Promise<InterviewJobRow | undefined> {
  if (!UUID.test(jobId)) return undefined;
  const { rows } = await sql<InterviewJobRow>`
    SELECT job_id AS "jobId", room_id AS "roomId", user_id AS "userId", trigger, status, should_respond AS "shouldRespond", message,
           follow_up_question AS "followUpQuestion", code_annotations AS "codeAnnotations", code_context AS "codeContext", model
    FROM ai_interview_jobs WHERE job_id = ${jobId}`.execute(db);
  return rows[0];
}

export interface AiMessageRow {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  audioKey: string | null;
  createdAt: Date;
  seq: string;
}

export const AI_MESSAGES_CURSOR_ARITY = 2;

/** Messages in conversation order (oldest first), after a [seq, id] keyset; `limit + 1` rows. */
export async function listAiMessages(
  db: Db,
  scope: { roomId: string; userId: string } | { sessionId: string },
  limit: number,
  after?: [string, string],
): Promise<AiMessageRow[]> {
  const where = 'sessionId' in scope ? sql`session_id = ${scope.sessionId}` : sql`room_id = ${scope.roomId} AND user_id = ${scope.userId}`;
  const { rows } = await sql<AiMessageRow>`
    SELECT m.id, m.role, m.content, m.audio_key AS "audioKey", m.created_at AS "createdAt", m.seq::text AS seq
    FROM ai_messages m WHERE ${where} ${after ? sql`AND (m.seq, m.id) > (${after[0]}::bigint, ${after[1]}::uuid)` : sql``}
    ORDER BY m.seq, m.id LIMIT ${limit + 1}`.execute(db);
  return rows;
}

/** The last `limit` messages of the user's conversation in the room, oldest first (prompt context). */
export async function recentConversation(db: Db, roomId: string, userId: string, limit = 20): Promise<Array<{ role: 'user' | 'assistant'; content: string }>> {
  const { rows } = await sql<{ role: 'user' | 'assistant'; content: string }>`
    SELECT role, content FROM (SELECT role, content, seq, id FROM ai_messages WHERE room_id = ${roomId} AND user_id = ${userId}
                               ORDER BY seq DESC, id DESC LIMIT ${limit}) m ORDER BY seq, id`.execute(db);
  return rows;
}

export async function countInterviewTurnsSince(db: Db, userId: string, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ai_interview_jobs WHERE user_id = ${userId} AND requested_at >= ${since}`.execute(db);
  return rows[0]?.n ?? 0;
}
