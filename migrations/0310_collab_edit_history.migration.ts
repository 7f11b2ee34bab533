/**
 * Edit history of the collab plane (docs/playback.md). Only the collab plane writes these tables; the API reads them
 * through `src/projections/playback/queries.ts`.
 *
 * collab_edit_updates: append-only, one row per relayed batch and author while a session runs — the Yjs update the
 *   room accepted, the server time it was accepted (epoch ms) and who wrote it (null: the server itself). `id` gives
 *   the order of acceptance. Yjs bytes stay out of the event store.
 *
 * collab_edit_checkpoints: the full document state every so often (`through_id` = the last update row it contains),
 *   so reconstructing an instant applies one checkpoint and the few updates after it, never the whole session.
 *   `state` is a Yjs V1 state, zlib-deflated.
 *
 * Keyed by room: a room has at most one session, and rows live as long as the room's session (a destroyed room
 * takes them with it).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('collab_edit_updates')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('update', 'bytea', (c) => c.notNull())
    .execute();
  // the one index every read uses (a range of ids of a room, bounded by two checkpoints); fewer indexes, cheaper appends
  await db.schema.createIndex('collab_edit_updates_room_id').on('collab_edit_updates').columns(['room_id', 'id']).execute();

  await db.schema
    .createTable('collab_edit_checkpoints')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    .addColumn('through_id', 'bigint', (c) => c.notNull())
    .addColumn('state', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('collab_edit_checkpoints_room_time')
    .on('collab_edit_checkpoints')
    .columns(['room_id', 'taken_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('collab_edit_checkpoints').ifExists().execute();
  await db.schema.dropTable('collab_edit_updates').ifExists().execute();
}
