import { sql, type Kysely } from 'kysely';

/** Read model of session timelines (owned by the `session-timeline` projection), one row per told event. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE session_timeline (
      id text PRIMARY KEY,
      room_id uuid NOT NULL,
      position bigint NOT NULL,
      seq integer NOT NULL,
      event_type text NOT NULL,
      user_id text,
      metadata jsonb,
      occurred_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX session_timeline_room_idx ON session_timeline (room_id, position, seq)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE session_timeline`.execute(db);
}
