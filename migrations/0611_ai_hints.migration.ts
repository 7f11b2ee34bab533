/** `ai_hints` (owned by the `ai-hints` projection): one row per hint request, initial or follow-up. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ai_hints (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      user_id uuid NOT NULL,
      problem_id uuid,
      phase text NOT NULL,
      follow_up_of uuid,
      requested_level text NOT NULL,
      hint_level text NOT NULL,
      iteration integer NOT NULL,
      reflection text,
      status text NOT NULL,
      hint text NOT NULL DEFAULT '',
      suggested_approach text,
      reflection_prompt text,
      model text,
      error text,
      requested_at timestamptz NOT NULL,
      completed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX ai_hints_room_user ON ai_hints (room_id, user_id, requested_at)`.execute(db);
  await sql`CREATE INDEX ai_hints_user_day ON ai_hints (user_id, requested_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE ai_hints`.execute(db);
}
