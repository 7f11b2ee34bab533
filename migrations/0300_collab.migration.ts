/**
 * Tables owned by the collab plane (nobody else reads or writes them).
 *
 * collab_documents: the authoritative Yjs state of each room plus the room attributes the collab enforces (phase,
 *   editor lock, active language), so a restarted node serves the same document and the same rules. `version` is
 *   bumped by every save and each save is `UPDATE … WHERE version = $expected`: a node holding a stale copy cannot
 *   overwrite a newer state; it merges the stored state into its doc (CRDT merge loses nothing) and saves again.
 *
 * collab_chat_messages / collab_chat_reads: room chat. Chat is kept as rows of the collab's own tables, not as
 *   events of the room stream: messages, reaction toggles and read markers are high-frequency, per-keystroke-ish
 *   chatter that no command decides on and no other aggregate depends on; putting them on `room-<id>` would
 *   interleave thousands of chat events with the room's lifecycle events and contend on its expected revision.
 *   Rows give a cheap durable write before the broadcast (so a message anyone saw survives a restart), in-place
 *   reaction and read-marker updates, and a simple "last N" read for hints and reports (internal chat endpoint).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('collab_documents')
    .addColumn('room_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'bytea', (c) => c.notNull())
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('language', 'text')
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo('waiting'))
    .addColumn('editor_locked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_snapshot_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('collab_chat_messages')
    .addColumn('message_id', 'uuid', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('reply_to_message_id', 'uuid')
    .addColumn('mentions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('attachments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('reactions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('collab_chat_messages_room_seq').on('collab_chat_messages').columns(['room_id', 'seq']).execute();

  await db.schema
    .createTable('collab_chat_reads')
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('last_read_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('collab_chat_reads_pk', ['room_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('collab_chat_reads').ifExists().execute();
  await db.schema.dropTable('collab_chat_messages').ifExists().execute();
  await db.schema.dropTable('collab_documents').ifExists().execute();
}
