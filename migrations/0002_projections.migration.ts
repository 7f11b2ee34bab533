import { sql, type Kysely } from 'kysely';

/** Checkpoints and dead letters of the projection runner (owned by src/projections/runner). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE projection_checkpoints (
      name text PRIMARY KEY,
      version integer NOT NULL,
      position bigint NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'rebuilding', 'faulted')),
      last_error text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE projection_dead_letters (
      projection text NOT NULL,
      event_id uuid NOT NULL,
      position bigint NOT NULL,
      stream_name text NOT NULL,
      event_type text NOT NULL,
      error text NOT NULL,
      attempts integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, event_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE projection_dead_letters, projection_checkpoints`.execute(db);
}
