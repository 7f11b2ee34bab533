/**
 * Edit history (docs/playback.md): every document update a room accepted while its session runs, with the server time
 * it was accepted and its author, plus periodic checkpoints of the whole document.
 *
 * The room hands over each relayed batch (already merged by the relay) — one call per frame, nothing else on the relay
 * path. Rows wait in memory and are written in one transaction for all rooms every `flushIntervalMs` (and on close),
 * so the cost per keystroke is an array push and the database sees a few statements a second whatever the number of
 * rooms. Checkpoints are built at flush time, off the relay path, from the previous checkpoint plus the updates since
 * (never from the room's own doc, so a checkpoint holds exactly the rows before it).
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

/** One accepted socket update of a batch, with its author. */
export interface AcceptedUpdate {
  userId: string | null;
  update: Uint8Array;
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
   * A relayed batch of a room: `merged` is the relay's frame (all of `updates`; server-made ones have userId null);
   * `base()` gives the document as it was before this batch and is called only when the room has no history in
   * memory yet.
   */
  record(roomId: string, at: number, merged: Uint8Array, updates: readonly AcceptedUpdate[], base: () => Uint8Array): void {
    if (this.closed) return;
    try {
      this.recordFrame(roomId, at, merged, updates, base);
    } catch (err) {
      // the relay has sent the frame already; a history fault must never break the room
      this.logger.error({ err, roomId }, 'recording an edit failed');
    }
  }

  private recordFrame(roomId: string, at: number, merged: Uint8Array, updates: readonly AcceptedUpdate[], base: () => Uint8Array): void {
    let track = this.tracks.get(roomId);
    if (!track) {
      const state = base();
      track = { checkpoint: state, since: [], lastCheckpointAt: at };
      this.tracks.set(roomId, track);
      this.push({ kind: 'checkpoint', roomId, at, state });
    }
    const authors = new Set(updates.map((u) => u.userId));
    if (authors.size <= 1) {
      this.pushUpdate(track, roomId, at, authors.size === 1 ? updates[0]!.userId : null, merged);
      return;
    }
    // several authors in one frame (rare at typing speed): one row each, so playback can tell who wrote what
    const byAuthor = new Map<string | null, Uint8Array[]>();
    for (const u of updates) {
      const list = byAuthor.get(u.userId);
      if (list) list.push(u.update);
      else byAuthor.set(u.userId, [u.update]);
    }
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
    this.tracks.delete(roomId);
  }

  /** The room was destroyed: drop what is buffered and delete what is stored. */
  async discardRoom(roomId: string): Promise<void> {
    this.tracks.delete(roomId);
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
    for (let attempt = 0; attempt < 5 && (this.buffer.length > 0 || this.flushing); attempt++) {
      try {
        await this.flush();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.closed = true;
  }
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
