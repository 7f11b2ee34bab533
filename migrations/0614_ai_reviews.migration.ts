/** `ai_reviews` (owned by the `ai-reviews` projection): rubric reviews, scores 0–100. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ai_reviews (
      job_id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      user_id uuid NOT NULL,
      language text NOT NULL,
      code_hash text NOT NULL,
      status text NOT NULL,
      overall_score integer CHECK (overall_score BETWEEN 0 AND 100),
      categories jsonb,
      summary text,
      model text,
      error text,
      requested_at timestamptz NOT NULL,
      completed_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX ai_reviews_user_day ON ai_reviews (user_id, requested_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE ai_reviews`.execute(db);
}
