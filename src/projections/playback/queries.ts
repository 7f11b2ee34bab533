/**
 * Reads of the collab plane's edit history (tables of migrations/0310_collab_edit_history.migration.ts; only the
 * collab plane writes them). The document at an instant is the latest checkpoint taken at or before it plus the
 * updates accepted after that checkpoint up to the instant — a bounded replay whatever the session's length.
 */
import { inflateSync } from 'node:zlib';
import { sql } from 'kysely';
import * as Y from 'yjs';
import type { Db } from '../../infra/db/database.js';
import type { TimelineRow } from '../timeline/queries.js';

export interface HistoryUpdate {
  id: string;
  at: number;
  author: string | null;
  update: Uint8Array;
}

const bytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The room's document as it stood at `atMs` (epoch ms), or null when the room has no edit history. Before the first
 * checkpoint the answer is that checkpoint's state (what the document held when recording began).
 *
 * The updates to apply lie between the checkpoint and the next one: a checkpoint taken after the instant contains
 * every row recorded before it was taken, so its `through_id` bounds the id range read from the index.
 */
export async function documentAt(db: Db, roomId: string, atMs: number): Promise<Y.Doc | null> {
  const { rows } = await sql<{ through: string; state: Buffer; until: string | null }>`
    SELECT c.through, c.state,
           (SELECT n.through_id::text FROM collab_edit_checkpoints n
             WHERE n.room_id = ${roomId} AND n.taken_at > ${atMs} ORDER BY n.taken_at, n.id LIMIT 1) AS until
    FROM ((SELECT through_id::text AS through, state, 0 AS pick FROM collab_edit_checkpoints
            WHERE room_id = ${roomId} AND taken_at <= ${atMs} ORDER BY taken_at DESC, id DESC LIMIT 1)
          UNION ALL
          (SELECT through_id::text AS through, state, 1 AS pick FROM collab_edit_checkpoints
            WHERE room_id = ${roomId} ORDER BY taken_at, id LIMIT 1)) c
    ORDER BY c.pick LIMIT 1`.execute(db);
  const checkpoint = rows[0];
  if (!checkpoint) return null;
  const { rows: updates } = await sql<{ update: Buffer }>`
    SELECT update FROM collab_edit_updates
    WHERE room_id = ${roomId} AND id > ${checkpoint.through}::bigint
      ${checkpoint.until !== null ? sql`AND id <= ${checkpoint.until}::bigint` : sql``}
      AND accepted_at <= ${atMs}
    ORDER BY id`.execute(db);
  const doc = new Y.Doc();
  doc.transact(() => {
    Y.applyUpdate(doc, bytes(inflateSync(checkpoint.state)));
    for (const u of updates) Y.applyUpdate(doc, bytes(u.update));
  });
  return doc;
}

/** Updates accepted in (fromMs, toMs], in the order they were accepted. */
export async function updatesBetween(db: Db, roomId: string, fromMs: number, toMs: number): Promise<HistoryUpdate[]> {
  const { rows } = await sql<{ id: string; at: string; author: string | null; update: Buffer }>`
    SELECT u.id::text AS id, u.accepted_at::text AS at, u.author, u.update FROM collab_edit_updates u
    WHERE u.room_id = ${roomId} AND u.accepted_at > ${fromMs} AND u.accepted_at <= ${toMs}
    ORDER BY u.id`.execute(db);
  return rows.map((r) => ({ id: r.id, at: Number(r.at), author: r.author, update: bytes(r.update) }));
}

/** The room's language switches from the session timeline read model, in order. */
export async function languageChanges(db: Db, roomId: string): Promise<TimelineRow[]> {
  const { rows } = await sql<TimelineRow>`
    SELECT id, event_type AS "eventType", user_id AS "userId", metadata, occurred_at AS "timestamp"
    FROM session_timeline
    WHERE room_id = ${roomId} AND event_type = 'language_changed'
    ORDER BY position, seq`.execute(db);
  return rows;
}

/** Every language buffer of a document (`code:<language>` texts). */
export function buffersOf(doc: Y.Doc): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...doc.share.keys()].sort()) {
    if (key.startsWith('code:')) out[key.slice('code:'.length)] = doc.getText(key).toString();
  }
  return out;
}
