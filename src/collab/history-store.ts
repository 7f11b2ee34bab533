/**
 * Postgres writes of the edit history (tables in migrations/0310_collab_edit_history.migration.ts). One flush is one
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

export class EditHistoryStore {
  constructor(private readonly db: Kysely<any>) {}

  /**
   * Append rows in order. A checkpoint covers every update row of its room written before it — in this batch or an
   * earlier one (`lastIds` carries the last update id per room across batches and is updated here).
   */
  async append(rows: readonly HistoryRow[], lastIds: Map<string, string>): Promise<void> {
    const updates = rows.filter((r): r is UpdateRow => r.kind === 'update');
    const checkpointRooms = [...new Set(rows.filter((r) => r.kind === 'checkpoint').map((r) => r.roomId))];
    const known = new Map(lastIds);
    await this.db.transaction().execute(async (trx) => {
      // history is written every few hundred ms and a crash loses that window anyway: do not wait for the WAL flush
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      const unknown = checkpointRooms.filter((r) => !known.has(r));
      if (unknown.length > 0) {
        const { rows: found } = await sql<{ room_id: string; max: string | null }>`
          SELECT room_id, max(id)::text AS max FROM collab_edit_updates WHERE room_id = ANY(${unknown}::text[]) GROUP BY room_id`.execute(trx);
        for (const f of found) if (f.max !== null) known.set(f.room_id, f.max);
      }
      let ids: string[] = [];
      if (updates.length > 0) {
        // identity values are drawn in ORDER BY order, so sorted ids line up with the rows as given
        const { rows: inserted } = await sql<{ id: string }>`
          INSERT INTO collab_edit_updates (room_id, accepted_at, author, update)
          SELECT t.room_id, t.accepted_at, t.author, t.update
          FROM unnest(${updates.map((u) => u.roomId)}::text[], ${updates.map((u) => String(u.at))}::bigint[],
                      ${updates.map((u) => u.author)}::text[], ${updates.map((u) => toBuffer(u.update))}::bytea[])
               WITH ORDINALITY AS t(room_id, accepted_at, author, update, ord)
          ORDER BY t.ord
          RETURNING id::text AS id`.execute(trx);
        ids = inserted.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
      }
      let next = 0;
      const checkpoints: Array<{ roomId: string; at: number; through: string; state: Uint8Array }> = [];
      for (const row of rows) {
        if (row.kind === 'update') known.set(row.roomId, ids[next++]!);
        else checkpoints.push({ roomId: row.roomId, at: row.at, through: known.get(row.roomId) ?? '0', state: row.state });
      }
      if (checkpoints.length > 0) {
        const states = await Promise.all(checkpoints.map((c) => deflateAsync(toBuffer(c.state))));
        await sql`
          INSERT INTO collab_edit_checkpoints (room_id, taken_at, through_id, state)
          SELECT * FROM unnest(${checkpoints.map((c) => c.roomId)}::text[], ${checkpoints.map((c) => String(c.at))}::bigint[],
                               ${checkpoints.map((c) => c.through)}::bigint[], ${states}::bytea[])`.execute(trx);
      }
    });
    for (const [roomId, id] of known) if (rows.some((r) => r.roomId === roomId)) lastIds.set(roomId, id);
  }

  /** A destroyed room: its history goes with it. */
  async deleteRoom(roomId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`DELETE FROM collab_edit_updates WHERE room_id = ${roomId}`.execute(trx);
      await sql`DELETE FROM collab_edit_checkpoints WHERE room_id = ${roomId}`.execute(trx);
    });
  }
}
