import { sql, type Kysely } from 'kysely';

/** The audit log read model (owned by src/projections/audit-log). `id` is the id of the event it records. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE audit_logs (
      id uuid PRIMARY KEY,
      actor_id uuid,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text NOT NULL,
      metadata jsonb,
      ip_address text,
      trace_id text,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX audit_logs_target_idx ON audit_logs (target_id, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE audit_logs`.execute(db);
}
