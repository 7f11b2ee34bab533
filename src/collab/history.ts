/**
 * Edit history (docs/playback.md): every document update a room accepted while its session runs, with the server time
 * it was accepted and its author, plus periodic checkpoints of the whole document.
 *
 * The relay hands over each frame it sent (already merged) by reference: the hot path is a set lookup and an array
 * push, nothing is encoded, copied or merged on the relay's turn. Frames are turned into rows (one per author) when
 * the buffer is written, every `flushIntervalMs` (and on close), in one transaction for all rooms, so the database
 * sees a few statements a second whatever the number of rooms. Checkpoints are built then too, from the previous
 * checkpoint plus the updates since (never from the room's own doc, so a checkpoint holds exactly the rows before it).
 */
import * as Y from 'yjs';
import type { Kysely } from 'kysely';
import type { CollabLogger } from './options.js';
import { EditHistoryStore, type HistoryRow } from './history-store.js';

export interface EditHistoryOptions {
  /** rows are written this often (the most a crash — not a restart — can lose) */
  flushIntervalMs: number;
  /** a checkpoint after this many update rows of a room … */
  checkpointEveryUpdates: number;
  /** … or this long after the previous one, whichever comes first (only if the room changed) */
  checkpointMaxAgeMs: number;
  /** rows kept while the database is failing; beyond that the oldest are dropped (and logged) */
  maxBufferedRows: number;
}

export const DEFAULT_HISTORY_OPTIONS: EditHistoryOptions = {
  flushIntervalMs: 250,
  checkpointEveryUpdates: 300,
  checkpointMaxAgeMs: 60_000,
  maxBufferedRows: 200_000,
};

/** One accepted socket update of a frame, with its author (`m` is the socket that sent it). */
export interface AuthoredUpdate {
  readonly m: { readonly userId: string };
  readonly update: Uint8Array;
}

/** A relayed frame as handed over: references to what the relay already holds. */
interface PendingFrame {
  roomId: string;
  at: number;
  merged: Uint8Array;
  relayed: readonly AuthoredUpdate[];
  /** changes the server made itself (no author) */
  server: readonly Uint8Array[];
  /** the document before this frame, when it is the first frame this node records for the room */
  base: Uint8Array | null;
}

export interface EditHistoryStats {
  updateRows: number;
  updateBytes: number;
  checkpoints: number;
  checkpointBytes: number;
  flushes: number;
  flushFailures: number;
  droppedRows: number;
}

interface RoomTrack {
  /** the document as of the last checkpoint */
  checkpoint: Uint8Array;
  /** updates recorded since that checkpoint */
  since: Uint8Array[];
  lastCheckpointAt: number;
}

export class EditHistory {
  readonly options: EditHistoryOptions;
  readonly stats: EditHistoryStats = {
    updateRows: 0,
    updateBytes: 0,
    checkpoints: 0,
    checkpointBytes: 0,
    flushes: 0,
    flushFailures: 0,
    droppedRows: 0,
  };
  private readonly store: EditHistoryStore;
  private readonly tracks = new Map<string, RoomTrack>();
  /** rooms with a base checkpoint taken (their track may still be pending) */
  private readonly started = new Set<string>();
  /** frames handed over since the last flush, in relay order */
  private pending: PendingFrame[] = [];
  private readonly lastIds = new Map<string, string>();
  private buffer: HistoryRow[] = [];
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    db: Kysely<any>,
    private readonly logger: CollabLogger,
    options: Partial<EditHistoryOptions> = {},
  ) {
    this.options = { ...DEFAULT_HISTORY_OPTIONS, ...options };
    this.store = new EditHistoryStore(db);
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * A frame the relay sent for a room: `merged` is the frame's payload (all of `relayed` and `server`). `base()` gives
   * the document as it was before this frame and is called only for the first frame this node records for the room.
   * The arrays are kept by reference: the caller must not change them afterwards.
   */
  record(
    roomId: string,
    at: number,
    merged: Uint8Array,
    relayed: readonly AuthoredUpdate[],
    server: readonly Uint8Array[],
    base: () => Uint8Array,
  ): void {
    if (this.closed) return;
    let first: Uint8Array | null = null;
    if (!this.started.has(roomId)) {
      try {
        first = base();
      } catch (err) {
        // the relay has sent the frame already; a history fault must never break the room
        this.logger.error({ err, roomId }, 'recording an edit failed');
        return;
      }
      this.started.add(roomId);
    }
    this.pending.push({ roomId, at, merged, relayed, server, base: first });
  }

  /** Turn the frames handed over since the last call into rows, in order. */
  private takePending(): void {
    const frames = this.pending;
    this.pending = [];
    for (const frame of frames) {
      try {
        this.rowsOf(frame);
      } catch (err) {
        this.logger.error({ err, roomId: frame.roomId }, 'recording an edit failed');
      }
    }
  }

  private rowsOf(f: PendingFrame): void {
    const { roomId, at } = f;
    let track = this.tracks.get(roomId);
    if (f.base !== null) {
      track = { checkpoint: f.base, since: [], lastCheckpointAt: at };
      this.tracks.set(roomId, track);
      this.push({ kind: 'checkpoint', roomId, at, state: f.base });
    }
    if (!track) throw new Error('edit history: a frame of a room without a base checkpoint');
    const sole = soleAuthor(f);
    if (sole !== undefined) {
      this.pushUpdate(track, roomId, at, sole, f.merged);
      return;
    }
    // several authors in one frame (rare at typing speed): one row each, so playback can tell who wrote what
    const byAuthor = new Map<string | null, Uint8Array[]>();
    const add = (author: string | null, update: Uint8Array) => {
      const list = byAuthor.get(author);
      if (list) list.push(update);
      else byAuthor.set(author, [update]);
    };
    for (const e of f.relayed) add(e.m.userId, e.update);
    for (const u of f.server) add(null, u);
    for (const [userId, list] of byAuthor) this.pushUpdate(track, roomId, at, userId, list.length === 1 ? list[0]! : Y.mergeUpdates(list));
  }

  private pushUpdate(track: RoomTrack, roomId: string, at: number, author: string | null, update: Uint8Array): void {
    track.since.push(update);
    this.push({ kind: 'update', roomId, at, author, update });
  }

  private push(row: HistoryRow): void {
    this.buffer.push(row);
    if (this.buffer.length > this.options.maxBufferedRows) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.options.maxBufferedRows);
      this.stats.droppedRows += dropped.length;
      this.logger.error({ dropped: dropped.length }, 'edit history buffer full (storage failing); oldest rows dropped');
    }
  }

  /** The room was unloaded: its next batch starts from a fresh checkpoint of the reloaded document. */
  forgetRoom(roomId: string): void {
    this.takePending();
    this.tracks.delete(roomId);
    this.started.delete(roomId);
  }

  /** The room was destroyed: drop what is buffered and delete what is stored. */
  async discardRoom(roomId: string): Promise<void> {
    this.pending = this.pending.filter((f) => f.roomId !== roomId);
    this.tracks.delete(roomId);
    this.started.delete(roomId);
    this.buffer = this.buffer.filter((r) => r.roomId !== roomId);
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.buffer = this.buffer.filter((r) => r.roomId !== roomId);
    await this.store.deleteRoom(roomId);
    this.lastIds.delete(roomId);
  }

  /** Checkpoints that are due, appended after the rows they cover. */
  private takeDueCheckpoints(now: number): void {
    const { checkpointEveryUpdates, checkpointMaxAgeMs } = this.options;
    for (const [roomId, track] of this.tracks) {
      if (track.since.length === 0) continue;
      if (track.since.length < checkpointEveryUpdates && now - track.lastCheckpointAt < checkpointMaxAgeMs) continue;
      const state = checkpointOf(track.checkpoint, track.since);
      track.checkpoint = state;
      track.since = [];
      track.lastCheckpointAt = now;
      this.push({ kind: 'checkpoint', roomId, at: now, state });
    }
  }

  /**
   * Write everything buffered (one transaction). Rejects if storage failed; the rows are kept for the next try.
   * `now` decides which checkpoints are due and stamps them (a parameter so a simulated session can drive it).
   */
  async flush(now = Date.now()): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.takePending();
    this.takeDueCheckpoints(now);
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    this.flushing = this.store
      .append(rows, this.lastIds)
      .then(() => {
        this.stats.flushes++;
        for (const r of rows) {
          if (r.kind === 'update') {
            this.stats.updateRows++;
            this.stats.updateBytes += r.update.length;
          } else {
            this.stats.checkpoints++;
            this.stats.checkpointBytes += r.state.length;
          }
        }
      })
      .catch((err: unknown) => {
        this.stats.flushFailures++;
        this.logger.error({ err, rows: rows.length }, 'writing the edit history failed; retrying');
        this.buffer = rows.concat(this.buffer);
        throw err;
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  /** Shutdown: write everything accepted so far (a few tries), then stop. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (let attempt = 0; attempt < 5 && (this.buffer.length > 0 || this.pending.length > 0 || this.flushing); attempt++) {
      try {
        await this.flush();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.closed = true;
  }
}

/** The one author of a frame (null: the server), or undefined when several wrote in it. */
function soleAuthor(f: PendingFrame): string | null | undefined {
  const first = f.relayed[0];
  if (first === undefined) return null;
  if (f.server.length > 0) return undefined;
  for (const e of f.relayed) if (e.m.userId !== first.m.userId) return undefined;
  return first.m.userId;
}

/** The document state of `checkpoint` plus `updates`, garbage-collected and re-encoded. */
export function checkpointOf(checkpoint: Uint8Array, updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      Y.applyUpdate(doc, checkpoint);
      for (const u of updates) Y.applyUpdate(doc, u);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
