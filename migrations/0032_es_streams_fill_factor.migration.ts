/**
 * Owner: the event store. Every append rewrites its stream's es_streams row (the revision). No index covers a
 * column an append changes, so that update can be a HOT update (no new index entry) - but only when the row's page
 * has room for the new version. A fill factor of 80 keeps a fifth of each page free for them once the table is
 * large enough that its pages fill up (new pages only; existing ones gain room as they are rewritten).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE es_streams SET (fillfactor = 80)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE es_streams RESET (fillfactor)`.execute(db);
}
