/** Matchmaking read models (owned by the `matchmaking` projection): each user's queue entry, and the proposals. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE matchmaking_tickets (
      user_id text PRIMARY KEY,
      request_id text NOT NULL,
      status text NOT NULL,
      preferences jsonb NOT NULL,
      enqueued_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      match_id text,
      opponent_id text,
      room_id text,
      accepted boolean NOT NULL DEFAULT false,
      proposal_expires_at timestamptz,
      last_revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX matchmaking_tickets_queue_idx ON matchmaking_tickets (status, enqueued_at, request_id)`.execute(db);
  await sql`
    CREATE TABLE matchmaking_matches (
      match_id text PRIMARY KEY,
      status text NOT NULL,
      user_ids jsonb NOT NULL,
      host_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      room_id text,
      accepted jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      last_revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX matchmaking_matches_open_idx ON matchmaking_matches (status, expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE matchmaking_matches`.execute(db);
  await sql`DROP TABLE matchmaking_tickets`.execute(db);
}
