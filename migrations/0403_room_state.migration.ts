import { sql, type Kysely } from 'kysely';

/**
 * State the rooms module keeps outside the event store (see src/commands/rooms/room-store.ts for why each one is
 * not an event-sourced read model): the latest raw Yjs document per room, participant heartbeats, and the
 * idempotency keys of POST /rooms.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE room_doc_snapshots (
      room_id uuid PRIMARY KEY,
      state bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE room_participant_presence (
      room_id uuid NOT NULL,
      user_id uuid NOT NULL,
      last_heartbeat_at timestamptz NOT NULL,
      PRIMARY KEY (room_id, user_id)
    )`.execute(db);
  await sql`
    CREATE TABLE room_idempotency_keys (
      key text PRIMARY KEY,
      user_id uuid NOT NULL,
      status_code integer,
      response_body jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX room_idempotency_keys_expiry_idx ON room_idempotency_keys (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE room_idempotency_keys, room_participant_presence, room_doc_snapshots`.execute(db);
}
