import { sql, type Kysely } from 'kysely';

/** Read model of sessions and their code snapshots (owned by the `sessions` projection). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE sessions (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      problem_id uuid,
      mode text NOT NULL,
      language text,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      duration_ms bigint,
      finished_by uuid,
      finish_reason text,
      revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX sessions_room_idx ON sessions (room_id)`.execute(db);
  await sql`CREATE INDEX sessions_finished_idx ON sessions (started_at DESC, id DESC) WHERE status = 'finished'`.execute(db);
  await sql`
    CREATE TABLE session_participants (
      session_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      joined_at timestamptz NOT NULL,
      left_at timestamptz,
      PRIMARY KEY (session_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX session_participants_user_idx ON session_participants (user_id, session_id)`.execute(db);
  await sql`
    CREATE TABLE session_deletions (
      session_id uuid NOT NULL,
      user_id uuid NOT NULL,
      deleted_at timestamptz NOT NULL,
      PRIMARY KEY (session_id, user_id)
    )`.execute(db);
  await sql`
    CREATE TABLE code_snapshots (
      id uuid PRIMARY KEY,
      session_id uuid NOT NULL,
      room_id uuid NOT NULL,
      code text NOT NULL,
      code_hash text NOT NULL,
      language text NOT NULL,
      trigger text NOT NULL,
      phase text,
      lines_of_code integer NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX code_snapshots_session_idx ON code_snapshots (session_id, created_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE code_snapshots, session_deletions, session_participants, sessions`.execute(db);
}
