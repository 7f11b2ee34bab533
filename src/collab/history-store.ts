/**
 * Postgres writes of the edit history (tables in 0310_collab_edit_history.migration.ts). One flush is one
 * transaction: the batch's update rows in the order they were accepted, then the checkpoints taken after them.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { sql, type Kysely } from 'kysely';

/** Checkpoints are stored zlib-deflated (a Yjs state of code text shrinks ~2.5×); compressed on the thread pool. */
const deflateAsync = promisify(deflate);

export interface UpdateRow {
  kind: 'update';
  roomId: string;
  at: number;
  author: string | null;
  update: Uint8Array;
}

export interface CheckpointRow {
  kind: 'checkpoint';
  roomId: string;
  at: number;
  state: Uint8Array;
}

export type HistoryRow = UpdateRow | CheckpointRow;

const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** Identity values as text, in numeric order (same length first: no BigInt per comparison). */
const byNumericText = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The update payloads of a batch as ONE binary parameter plus offsets and lengths: the driver sends a Buffer as is,
 * while an array of byte strings would be hex-encoded here and parsed back by Postgres (most of a flush's CPU).
 */
function packUpdates(updates: readonly UpdateRow[]): { blob: Buffer; offsets: number[]; lengths: number[] } {
  const offsets = new Array<number>(updates.length);
  const lengths = new Array<number>(updates.length);
  let total = 0;
  for (let i = 0; i < updates.length; i++) {
    offsets[i] = total;
    lengths[i] = updates[i]!.update.length;
    total += lengths[i]!;
  }
  const blob = Buffer.allocUnsafe(total);
  for (let i = 0; i < updates.length; i++) blob.set(updates[i]!.update, offsets[i]!);
  return { blob, offsets, lengths };
}

export class EditHistoryStore {
  constructor(private readonly db: Kysely<any>) {}

  /**
   * Append rows in order. A checkpoint covers every update row of its room written before it — in this batch or an
   * earlier one (`lastIds` carries the last update id per room across batches and is updated here).
   */
  async append(rows: readonly HistoryRow[], lastIds: Map<string, string>): Promise<void> {
    const updates: UpdateRow[] = [];
    const checkpointRooms = new Set<string>();
    for (const r of rows) {
      if (r.kind === 'update') updates.push(r);
      else checkpointRooms.add(r.roomId);
    }
    const known = new Map<string, string>();
    await this.db.transaction().execute(async (trx) => {
      // history is written every few hundred ms and a crash loses that window anyway: do not wait for the WAL flush
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      await this.lookUpLastIds(trx, [...checkpointRooms].filter((r) => !lastIds.has(r)), known);
      const ids = await this.insertUpdates(trx, updates);
      let next = 0;
      const checkpoints: Array<{ roomId: string; at: number; through: string; state: Uint8Array }> = [];
      for (const row of rows) {
        if (row.kind === 'update') known.set(row.roomId, ids[next++]!);
        else checkpoints.push({ roomId: row.roomId, at: row.at, through: known.get(row.roomId) ?? lastIds.get(row.roomId) ?? '0', state: row.state });
      }
      if (checkpoints.length > 0) {
        const states = await Promise.all(checkpoints.map((c) => deflateAsync(toBuffer(c.state))));
        await sql`
          INSERT INTO collab_edit_checkpoints (room_id, taken_at, through_id, state)
          SELECT * FROM unnest(${checkpoints.map((c) => c.roomId)}::text[], ${checkpoints.map((c) => String(c.at))}::bigint[],
                               ${checkpoints.map((c) => c.through)}::bigint[], ${states}::bytea[])`.execute(trx);
      }
    });
    for (const [roomId, id] of known) lastIds.set(roomId, id);
  }

  /** The last update id of rooms this process has not written yet (a checkpoint must cover their earlier rows). */
  private async lookUpLastIds(trx: Kysely<any>, rooms: string[], into: Map<string, string>): Promise<void> {
    if (rooms.length === 0) return;
    const { rows: found } = await sql<{ room_id: string; max: string | null }>`
      SELECT room_id, max(id)::text AS max FROM collab_edit_updates WHERE room_id = ANY(${rooms}::text[]) GROUP BY room_id`.execute(trx);
    for (const f of found) if (f.max !== null) into.set(f.room_id, f.max);
  }

  /** Insert the update rows in order; their ids in the same order. */
  private async insertUpdates(trx: Kysely<any>, updates: readonly UpdateRow[]): Promise<string[]> {
    if (updates.length === 0) return [];
    const { blob, offsets, lengths } = packUpdates(updates);
    // identity values are drawn in ORDER BY order, so sorted ids line up with the rows as given
    const { rows: inserted } = await sql<{ id: string }>`
      INSERT INTO collab_edit_updates (room_id, accepted_at, author, update)
      SELECT t.room_id, t.accepted_at, t.author, substring(${blob}::bytea FROM t.off + 1 FOR t.len)
      FROM unnest(${updates.map((u) => u.roomId)}::text[], ${updates.map((u) => String(u.at))}::bigint[],
                  ${updates.map((u) => u.author)}::text[], ${offsets}::int[], ${lengths}::int[])
           WITH ORDINALITY AS t(room_id, accepted_at, author, off, len, ord)
      ORDER BY t.ord
      RETURNING id::text AS id`.execute(trx);
    return inserted.map((r) => r.id).sort(byNumericText);
  }

  /** A destroyed room: its history goes with it. */
  async deleteRoom(roomId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`DELETE FROM collab_edit_updates WHERE room_id = ${roomId}`.execute(trx);
      await sql`DELETE FROM collab_edit_checkpoints WHERE room_id = ${roomId}`.execute(trx);
    });
  }
}
