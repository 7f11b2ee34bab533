/** `ai_code_analyses` (owned by the `ai-analyses` projection): one row per code-analysis request and its result. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ai_code_analyses (
      job_id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      user_id uuid NOT NULL,
      language text NOT NULL,
      code_hash text NOT NULL,
      status text NOT NULL,
      result jsonb,
      model text,
      error text,
      requested_at timestamptz NOT NULL,
      completed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX ai_code_analyses_user_day ON ai_code_analyses (user_id, requested_at)`.execute(db);
  await sql`CREATE INDEX ai_code_analyses_room_hash ON ai_code_analyses (room_id, user_id, code_hash)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE ai_code_analyses`.execute(db);
}
