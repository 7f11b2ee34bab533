import { sql, type Kysely } from 'kysely';

/**
 * Read model of rooms (owned by the `rooms` projection). Contract for other modules: `rooms` and
 * `room_participants` columns named in src/projections/rooms/queries.ts; read them through `findRoomAccess`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rooms (
      id uuid PRIMARY KEY,
      code text NOT NULL,
      name text,
      status text NOT NULL,
      mode text NOT NULL,
      host_id uuid NOT NULL,
      language text,
      problem_id uuid,
      session_id uuid,
      editor_locked boolean NOT NULL DEFAULT false,
      is_private boolean NOT NULL DEFAULT true,
      max_participants integer NOT NULL,
      max_duration integer NOT NULL,
      timer_paused boolean NOT NULL DEFAULT false,
      phase_started_at timestamptz,
      elapsed_ms bigint NOT NULL DEFAULT 0,
      active_count integer NOT NULL DEFAULT 0,
      match_id uuid,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      ended_at timestamptz,
      revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX rooms_code_idx ON rooms (code)`.execute(db);
  await sql`CREATE INDEX rooms_created_idx ON rooms (created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX rooms_public_idx ON rooms (created_at DESC, id DESC) WHERE is_private = false AND status <> 'finished'`.execute(db);
  await sql`CREATE INDEX rooms_open_idx ON rooms (status) WHERE status <> 'finished'`.execute(db);
  await sql`
    CREATE TABLE room_participants (
      room_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      is_active boolean NOT NULL,
      is_ready boolean NOT NULL DEFAULT false,
      joined_at timestamptz NOT NULL,
      left_at timestamptz,
      removed_at timestamptz,
      PRIMARY KEY (room_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX room_participants_user_idx ON room_participants (user_id, room_id)`.execute(db);
  await sql`CREATE INDEX room_participants_active_idx ON room_participants (joined_at) WHERE is_active`.execute(db);
  await sql`
    CREATE TABLE room_role_swaps (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      requester_id uuid NOT NULL,
      target_user_id uuid NOT NULL,
      requester_role text NOT NULL,
      target_role text NOT NULL,
      status text NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      responded_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX room_role_swaps_pending_idx ON room_role_swaps (expires_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX room_role_swaps_room_idx ON room_role_swaps (room_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE room_role_swaps, room_participants, rooms`.execute(db);
}
