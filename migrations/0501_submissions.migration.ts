/**
 * submissions and submission_test_results (owned by the `submissions` projection): one row per `submission-<id>`
 * stream and one per judged test. Counts are re-aggregated as judged tests arrive. Output payloads
 * (stdout, stderr, actual output) are emptied by SubmissionOutputExpired; verdicts, expected outputs and timings stay.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE submissions (
      id uuid PRIMARY KEY,
      room_id uuid NOT NULL,
      session_id uuid,
      problem_id uuid NOT NULL,
      user_id uuid NOT NULL,
      language text NOT NULL,
      code text NOT NULL,
      code_hash text NOT NULL,
      status text NOT NULL,
      verdict text,
      attempts integer NOT NULL,
      total_test_cases integer NOT NULL,
      passed_test_cases integer NOT NULL,
      failed_test_cases integer NOT NULL,
      error_test_cases integer NOT NULL,
      total_duration_ms integer,
      compile_duration_ms integer,
      compile_error text,
      error text,
      output_expired_at timestamptz,
      static_analysis_job_id uuid,
      submitted_at timestamptz NOT NULL,
      started_at timestamptz,
      completed_at timestamptz,
      last_revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX submissions_room_submitted ON submissions (room_id, submitted_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX submissions_output_retention ON submissions (completed_at) WHERE output_expired_at IS NULL AND completed_at IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE submission_test_results (
      submission_id uuid NOT NULL,
      test_case_index integer NOT NULL,
      is_hidden boolean NOT NULL,
      verdict text NOT NULL,
      passed boolean,
      expected_output text,
      actual_output text,
      stdout text,
      stderr text,
      exit_code integer,
      signal text,
      duration_ms integer,
      cpu_time_ms integer,
      memory_usage_mb double precision,
      timed_out boolean NOT NULL,
      output_truncated boolean NOT NULL,
      error_message text,
      PRIMARY KEY (submission_id, test_case_index)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE submission_test_results, submissions`.execute(db);
}
