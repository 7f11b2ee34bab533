import { sql, type Kysely } from 'kysely';

/** Read model of whiteboard exports (owned by the `whiteboard-exports` projection): the newest capture per session. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE session_whiteboard_exports (
      session_id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      svg_key text NOT NULL,
      json_key text NOT NULL,
      shape_count integer NOT NULL,
      trigger text NOT NULL,
      captured_at timestamptz NOT NULL,
      last_position bigint NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE session_whiteboard_exports`.execute(db);
}
