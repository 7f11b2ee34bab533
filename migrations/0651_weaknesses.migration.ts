/**
 * weakness_links (owned by the `weaknesses` projection): the weakness categories each report showed, one row per
 * (user, session, category). A newer report of the same session replaces its rows; GET /users/me/weaknesses
 * aggregates them per category over the sessions the user can still see.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE weakness_links (
      user_id uuid NOT NULL,
      session_id uuid NOT NULL,
      category text NOT NULL,
      description text NOT NULL,
      trend text NOT NULL,
      score double precision,
      reported_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, session_id, category)
    )`.execute(db);
  await sql`CREATE INDEX weakness_links_session_idx ON weakness_links (session_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE weakness_links`.execute(db);
}
