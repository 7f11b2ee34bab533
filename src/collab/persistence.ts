/**
 * Postgres storage of the collab plane: document state (versioned, see the migration) and chat.
 */
import { sql, type Kysely } from 'kysely';
import type { RoomPhase } from './control-plane-port.js';
import type { ChatAttachment, ChatMention, ChatMessage, ChatReaction, ChatReadState } from './chat.js';

export interface StoredDocument {
  roomId: string;
  state: Uint8Array;
  version: string;
  language: string | null;
  phase: RoomPhase;
  editorLocked: boolean;
  lastSnapshotHash: string | null;
  createdAt: number;
  closedAt: number | null;
}

export interface DocumentWrite {
  state: Uint8Array;
  language: string | null;
  phase: RoomPhase;
  editorLocked: boolean;
  lastSnapshotHash: string | null;
  closed: boolean;
}

const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : new Date(String(v)).getTime());
const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function rowToDocument(row: Record<string, any>): StoredDocument {
  const state = row.state as Buffer;
  return {
    roomId: row.room_id,
    state: new Uint8Array(state.buffer, state.byteOffset, state.byteLength),
    version: String(row.version),
    language: row.language ?? null,
    phase: row.phase as RoomPhase,
    editorLocked: row.editor_locked === true,
    lastSnapshotHash: row.last_snapshot_hash ?? null,
    createdAt: toMs(row.created_at),
    closedAt: row.closed_at ? toMs(row.closed_at) : null,
  };
}

function rowToMessage(row: Record<string, any>): ChatMessage {
  return {
    messageId: row.message_id,
    roomId: row.room_id,
    userId: row.user_id,
    text: row.text,
    replyToMessageId: row.reply_to_message_id ?? null,
    mentions: row.mentions as ChatMention[],
    attachments: row.attachments as ChatAttachment[],
    reactions: row.reactions as ChatReaction[],
    createdAt: toMs(row.created_at),
    updatedAt: toMs(row.updated_at),
  };
}

export class CollabStore {
  constructor(private readonly db: Kysely<any>) {}

  async loadDocument(roomId: string): Promise<StoredDocument | null> {
    const row = await this.db.selectFrom('collab_documents').selectAll().where('room_id', '=', roomId).executeTakeFirst();
    return row ? rowToDocument(row) : null;
  }

  /** Insert a new document; false if one exists already (another request or node created it first). */
  async insertDocument(roomId: string, write: DocumentWrite, createdAt: number): Promise<boolean> {
    const res = await this.db
      .insertInto('collab_documents')
      .values({
        room_id: roomId,
        state: toBuffer(write.state),
        version: 0,
        language: write.language,
        phase: write.phase,
        editor_locked: write.editorLocked,
        last_snapshot_hash: write.lastSnapshotHash,
        created_at: new Date(createdAt),
        updated_at: new Date(createdAt),
        closed_at: write.closed ? new Date() : null,
      })
      .onConflict((oc) => oc.column('room_id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Compare-and-set save: succeeds only if the stored version is still `expectedVersion`. Returns the new version,
   * or null when somebody else saved in between (the caller merges the stored state and retries).
   */
  async saveDocument(roomId: string, expectedVersion: string, write: DocumentWrite): Promise<string | null> {
    const row = await this.db
      .updateTable('collab_documents')
      .set({
        state: toBuffer(write.state),
        version: sql`version + 1`,
        language: write.language,
        phase: write.phase,
        editor_locked: write.editorLocked,
        last_snapshot_hash: write.lastSnapshotHash,
        updated_at: sql`now()`,
        closed_at: write.closed ? sql`coalesce(closed_at, now())` : null,
      })
      .where('room_id', '=', roomId)
      .where('version', '=', expectedVersion)
      .returning('version')
      .executeTakeFirst();
    return row ? String(row.version) : null;
  }

  async insertChatMessage(m: ChatMessage): Promise<void> {
    await this.db
      .insertInto('collab_chat_messages')
      .values({
        message_id: m.messageId,
        room_id: m.roomId,
        user_id: m.userId,
        text: m.text,
        reply_to_message_id: m.replyToMessageId,
        mentions: JSON.stringify(m.mentions),
        attachments: JSON.stringify(m.attachments),
        reactions: JSON.stringify(m.reactions),
        created_at: new Date(m.createdAt),
        updated_at: new Date(m.updatedAt),
      })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
  }

  async updateChatReactions(messageId: string, reactions: ChatReaction[], updatedAt: number): Promise<void> {
    await this.db
      .updateTable('collab_chat_messages')
      .set({ reactions: JSON.stringify(reactions), updated_at: new Date(updatedAt) })
      .where('message_id', '=', messageId)
      .execute();
  }

  /** Markers only move forward, also against a concurrent writer. */
  async saveReadMarker(roomId: string, userId: string, lastReadAt: number): Promise<void> {
    await this.db
      .insertInto('collab_chat_reads')
      .values({ room_id: roomId, user_id: userId, last_read_at: new Date(lastReadAt) })
      .onConflict((oc) =>
        oc.columns(['room_id', 'user_id']).doUpdateSet({
          last_read_at: sql`greatest(collab_chat_reads.last_read_at, excluded.last_read_at)`,
        }),
      )
      .execute();
  }

  /** The last `limit` messages of a room, oldest first. */
  async loadChat(roomId: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.db
      .selectFrom('collab_chat_messages')
      .selectAll()
      .where('room_id', '=', roomId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(rowToMessage);
  }

  async loadReadMarkers(roomId: string): Promise<ChatReadState[]> {
    const rows = await this.db.selectFrom('collab_chat_reads').selectAll().where('room_id', '=', roomId).execute();
    return rows.map((r) => ({ userId: r.user_id as string, lastReadAt: toMs(r.last_read_at) }));
  }
}
