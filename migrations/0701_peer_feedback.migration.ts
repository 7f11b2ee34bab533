import { sql, type Kysely } from 'kysely';

/** Read model of peer feedback (owned by the `peer-feedback` projection): one row per reviewer → target pair. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE peer_feedback (
      id uuid NOT NULL,
      session_id uuid NOT NULL,
      room_id uuid NOT NULL,
      reviewer_id uuid NOT NULL,
      target_id uuid NOT NULL,
      status text NOT NULL,
      problem_solving smallint,
      communication smallint,
      code_quality smallint,
      would_pair_again smallint,
      comments text,
      created_at timestamptz NOT NULL,
      last_position bigint NOT NULL,
      PRIMARY KEY (session_id, reviewer_id, target_id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX peer_feedback_id_idx ON peer_feedback (id)`.execute(db);
  await sql`CREATE INDEX peer_feedback_submitted_idx ON peer_feedback (session_id) WHERE status = 'submitted'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE peer_feedback`.execute(db);
}
