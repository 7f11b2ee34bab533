/**
 * static_analysis_results (owned by the `static-analysis` projection): one row per analysis job, created pending with
 * the run or submission that asked for it, completed by StaticAnalysisCompleted, removed by StaticAnalysisDropped.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE static_analysis_results (
      job_id uuid PRIMARY KEY,
      source text NOT NULL,
      run_id uuid,
      submission_id uuid,
      user_id uuid NOT NULL,
      room_id uuid NOT NULL,
      session_id uuid,
      language text NOT NULL,
      status text NOT NULL,
      diagnostic_count integer,
      error_count integer,
      warning_count integer,
      max_cyclomatic_complexity integer,
      high_complexity_count integer,
      duplication_count integer,
      tool_failure_count integer,
      report jsonb,
      error_message text,
      created_at timestamptz NOT NULL,
      completed_at timestamptz,
      last_revision bigint NOT NULL,
      CHECK ((run_id IS NULL) <> (submission_id IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX static_analysis_results_room ON static_analysis_results (room_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE static_analysis_results`.execute(db);
}
