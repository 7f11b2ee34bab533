/** The authored hint ladder of a problem (`{subtle, moderate, direct}`), written by the `problems` projection. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE problems ADD COLUMN IF NOT EXISTS hints jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE problems DROP COLUMN IF EXISTS hints`.execute(db);
}
