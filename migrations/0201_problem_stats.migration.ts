/**
 * Submission statistics (owned by the `problem-stats` projection), built from the execution module's
 * SubmissionRequested / SubmissionCompleted events.
 *
 * problem_stat_submissions: one row per submission seen, so each submission is counted once however often its
 *   events are delivered; ids are text so an odd id from another module cannot fault the projection.
 * problem_stats: per problem, completed submissions and the accepted ones among them.
 * problem_attempts: per user and problem, how many submissions they made and whether one was accepted.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE problem_stat_submissions (
      submission_id text PRIMARY KEY,
      problem_id uuid NOT NULL,
      user_id text NOT NULL,
      requested boolean NOT NULL,
      completed boolean NOT NULL,
      accepted boolean NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE problem_stats (
      problem_id uuid PRIMARY KEY,
      total_submissions integer NOT NULL,
      accepted_submissions integer NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE problem_attempts (
      user_id text NOT NULL,
      problem_id uuid NOT NULL,
      attempts integer NOT NULL,
      solved boolean NOT NULL,
      PRIMARY KEY (user_id, problem_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE problem_attempts, problem_stats, problem_stat_submissions`.execute(db);
}
