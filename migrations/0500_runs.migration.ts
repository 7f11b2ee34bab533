/**
 * runs (owned by the `runs` projection): one row per `run-<id>` stream — the request, the worker's progress and the
 * result. stdout/stderr are emptied when RunOutputExpired arrives (24 h after completion); verdict and timings stay.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE runs (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      user_id uuid NOT NULL,
      language text NOT NULL,
      code text NOT NULL,
      code_hash text NOT NULL,
      stdin text,
      timeout_ms integer NOT NULL,
      memory_mb integer NOT NULL,
      status text NOT NULL,
      attempts integer NOT NULL,
      result_status text,
      verdict text,
      stdout text,
      stderr text,
      exit_code integer,
      signal text,
      duration_ms integer,
      cpu_time_ms integer,
      memory_usage_mb double precision,
      timed_out boolean,
      output_truncated boolean,
      compile_duration_ms integer,
      error text,
      output_expired_at timestamptz,
      static_analysis_job_id uuid,
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      completed_at timestamptz,
      last_revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX runs_room_created ON runs (room_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX runs_output_retention ON runs (completed_at) WHERE output_expired_at IS NULL AND completed_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE runs`.execute(db);
}
