/** Recordings read model (owned by the `recordings` projection): consents per room participant and each recording. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE recording_consents (
      room_id uuid NOT NULL,
      user_id uuid NOT NULL,
      consent boolean NOT NULL,
      updated_at timestamptz NOT NULL,
      last_revision bigint NOT NULL,
      PRIMARY KEY (room_id, user_id)
    )`.execute(db);
  await sql`
    CREATE TABLE session_recordings (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      egress_id text NOT NULL,
      storage_key text NOT NULL,
      format text NOT NULL,
      status text NOT NULL,
      duration_ms bigint,
      size_bytes bigint,
      started_at timestamptz NOT NULL,
      stopped_at timestamptz,
      last_revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX session_recordings_session_idx ON session_recordings (session_id, started_at)`.execute(db);
  await sql`CREATE INDEX session_recordings_room_idx ON session_recordings (room_id, started_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE session_recordings`.execute(db);
  await sql`DROP TABLE recording_consents`.execute(db);
}
