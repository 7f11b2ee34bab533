/** Bookmarks read model (owned by the `bookmarks` projection): one row per saved problem, newest first by user. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE bookmarks (
      user_id text NOT NULL,
      problem_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, problem_id)
    )`.execute(db);
  await sql`CREATE INDEX bookmarks_recent_idx ON bookmarks (user_id, created_at DESC, problem_id DESC)`.execute(db);
  await sql`CREATE INDEX bookmarks_problem_idx ON bookmarks (problem_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE bookmarks`.execute(db);
}
