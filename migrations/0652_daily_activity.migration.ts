/**
 * daily_activity (owned by the `daily-activity` projection): per UTC day, how many executions, AI requests and
 * sessions started — what GET /admin/overview shows without scanning the big tables.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE daily_activity (
      day date NOT NULL,
      metric text NOT NULL,
      count bigint NOT NULL,
      PRIMARY KEY (day, metric)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE daily_activity`.execute(db);
}
