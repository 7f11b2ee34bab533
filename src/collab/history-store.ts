/**
 * Postgres writes of the edit history (tables in 0310_collab_edit_history.migration.ts), from the history thread on a
 * connection of its own. One flush is one call of collab_history_append (0311_collab_history_append.migration.ts):
 * the batch's update rows in the order they were accepted, then the checkpoints taken after them.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import pg from 'pg';
import { connectionOptions } from '../infra/db/database.js';
import type { HistoryStorage } from './history-writer.js';

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

/** Where the history tables are: the database URL and the schema. */
export interface HistoryDatabase {
  url: string;
  schema: string;
}

const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const APPEND = {
  name: 'syncode_collab_history_append',
  text: 'SELECT collab_history_append($1::text[], $2::bigint[], $3::text[], $4::bytea, $5::int[], $6::int[], $7::text[], $8::bigint[], $9::int[], $10::bytea[])',
};

/** A batch as the function's parameters. */
async function parametersOf(rows: readonly HistoryRow[]): Promise<unknown[]> {
  const u = { rooms: [] as string[], at: [] as string[], authors: [] as (string | null)[], offsets: [] as number[], lengths: [] as number[], parts: [] as Uint8Array[] };
  const c = { rooms: [] as string[], at: [] as string[], after: [] as number[], states: [] as Uint8Array[] };
  /** per room, the 1-based position of its last update row so far in this batch */
  const lastOfRoom = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    if (r.kind === 'update') {
      u.rooms.push(r.roomId);
      u.at.push(String(r.at));
      u.authors.push(r.author);
      u.offsets.push(total);
      u.lengths.push(r.update.length);
      u.parts.push(r.update);
      total += r.update.length;
      lastOfRoom.set(r.roomId, u.rooms.length);
    } else {
      c.rooms.push(r.roomId);
      c.at.push(String(r.at));
      c.after.push(lastOfRoom.get(r.roomId) ?? 0);
      c.states.push(r.state);
    }
  }
  const blob = Buffer.concat(u.parts.map(toBuffer), total);
  const states = await Promise.all(c.states.map((s) => deflateAsync(toBuffer(s))));
  return [u.rooms, u.at, u.authors, blob, u.offsets, u.lengths, c.rooms, c.at, c.after, states];
}

export class EditHistoryStore implements HistoryStorage {
  private readonly pool: pg.Pool;

  constructor(database: HistoryDatabase) {
    // one connection: flushes go one at a time anyway
    this.pool = new pg.Pool({ ...connectionOptions(database.url, database.schema), max: 1, connectionTimeoutMillis: 10_000, application_name: `syncode-edit-history ${database.schema}`.slice(0, 63) });
    // a dropped connection fails the query it was running (the rows are kept and retried); the listeners only keep the
    // error from being unhandled, which would end the thread
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** Append rows in order; a checkpoint covers every update row of its room written before it. */
  async append(rows: readonly HistoryRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query({ ...APPEND, values: await parametersOf(rows) });
  }

  /** A destroyed room: its history goes with it. */
  async deleteRoom(roomId: string): Promise<void> {
    // one statement, so one transaction: both tables or neither
    await this.pool.query(
      'WITH updates AS (DELETE FROM collab_edit_updates WHERE room_id = $1) DELETE FROM collab_edit_checkpoints WHERE room_id = $1',
      [roomId],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
