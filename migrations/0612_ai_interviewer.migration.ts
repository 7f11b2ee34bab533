/**
 * The interviewer read model (owned by the `ai-interviewer` projection): `ai_messages`, the conversation as the
 * candidate sees it, and `ai_interview_jobs`, one row per interviewer turn with its answer for polling.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ai_messages (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      user_id uuid NOT NULL,
      role text NOT NULL,
      content text NOT NULL,
      job_id uuid NOT NULL,
      model text,
      audio_key text,
      created_at timestamptz NOT NULL,
      seq bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX ai_messages_room_user ON ai_messages (room_id, user_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX ai_messages_session ON ai_messages (session_id, created_at, id)`.execute(db);
  await sql`
    CREATE TABLE ai_interview_jobs (
      job_id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      user_id uuid NOT NULL,
      trigger text NOT NULL,
      status text NOT NULL,
      should_respond boolean,
      message text,
      follow_up_question text,
      code_annotations jsonb,
      code_context jsonb,
      model text,
      error text,
      requested_at timestamptz NOT NULL,
      completed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX ai_interview_jobs_user_day ON ai_interview_jobs (user_id, requested_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE ai_messages, ai_interview_jobs`.execute(db);
}
