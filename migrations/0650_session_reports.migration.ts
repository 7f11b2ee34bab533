/**
 * Read models of training reports (owned by the `session-reports` projection):
 * - report_candidates: everyone who was a candidate in a session at any time (late joiners and role swaps included);
 * - session_reports: one row per (session, candidate): pending from the finish until the first report, then the
 *   newest report (body, score, model, grader version, strong ETag), or failed;
 * - session_report_versions: every report ever generated, oldest first (the history a re-grade keeps).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE report_candidates (
      session_id uuid NOT NULL,
      user_id uuid NOT NULL,
      PRIMARY KEY (session_id, user_id)
    )`.execute(db);
  await sql`
    CREATE TABLE session_reports (
      session_id uuid NOT NULL,
      user_id uuid NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
      overall_score double precision CHECK (overall_score BETWEEN 0 AND 100),
      report jsonb,
      model text,
      grader_version text,
      etag text,
      error_message text,
      requested_at timestamptz NOT NULL,
      generated_at timestamptz,
      revision bigint,
      PRIMARY KEY (session_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX session_reports_user_idx ON session_reports (user_id, generated_at DESC) WHERE status = 'completed'`.execute(db);
  await sql`CREATE INDEX session_reports_pending_idx ON session_reports (requested_at) WHERE status = 'pending'`.execute(db);
  await sql`
    CREATE TABLE session_report_versions (
      session_id uuid NOT NULL,
      user_id uuid NOT NULL,
      revision bigint NOT NULL,
      grader_version text NOT NULL,
      model text NOT NULL,
      overall_score double precision,
      report jsonb NOT NULL,
      generated_at timestamptz NOT NULL,
      PRIMARY KEY (session_id, user_id, revision)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE session_report_versions, session_reports, report_candidates`.execute(db);
}
