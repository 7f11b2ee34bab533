/**
 * The edit history's writer, on the history thread (docs/playback.md, "The edit history"): turns the frames the relay
 * handed over into rows (one per frame and author), builds the checkpoints that are due, and writes each flush's rows
 * with one call. Checkpoints are built from the previous checkpoint plus the updates since — never from a room's live
 * document, which lives on the relay's thread — so a checkpoint holds exactly the rows before it.
 */
import * as Y from 'yjs';
import { BASE, PART, unpack, type PackedFrames, type UnpackedEntry } from './history-frames.js';
import type { HistoryRow } from './history-store.js';

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

export interface EditHistoryStats {
  updateRows: number;
  updateBytes: number;
  checkpoints: number;
  checkpointBytes: number;
  flushes: number;
  flushFailures: number;
  droppedRows: number;
}

export const emptyHistoryStats = (): EditHistoryStats => ({
  updateRows: 0,
  updateBytes: 0,
  checkpoints: 0,
  checkpointBytes: 0,
  flushes: 0,
  flushFailures: 0,
  droppedRows: 0,
});

/** What the writer needs from storage (src/collab/history-store.ts). */
export interface HistoryStorage {
  append(rows: readonly HistoryRow[]): Promise<void>;
  deleteRoom(roomId: string): Promise<void>;
}

export type HistoryLog = (level: 'error' | 'warn', fields: Record<string, unknown>, message: string) => void;

interface RoomTrack {
  /** the document as of the last checkpoint */
  checkpoint: Uint8Array;
  /** updates recorded since that checkpoint */
  since: Uint8Array[];
  lastCheckpointAt: number;
}

export class HistoryWriter {
  readonly stats = emptyHistoryStats();
  private readonly tracks = new Map<string, RoomTrack>();
  private buffer: HistoryRow[] = [];

  constructor(
    private readonly storage: HistoryStorage,
    private readonly options: EditHistoryOptions,
    private readonly log: HistoryLog,
  ) {}

  /** Frames handed over by the relay, in relay order. */
  add(packed: PackedFrames): void {
    const entries = unpack(packed);
    for (let i = 0; i < entries.length; ) {
      const frame = entries[i]!.frame;
      let end = i + 1;
      while (end < entries.length && entries[end]!.frame === frame) end++;
      try {
        this.rowsOf(entries.slice(i, end));
      } catch (err) {
        this.log('error', { err: String(err), roomId: entries[i]!.roomId }, 'recording an edit failed');
      }
      i = end;
    }
  }

  /** One frame's entries: its base checkpoint if it has one, then one row (or, with several authors, one per author). */
  private rowsOf(frame: UnpackedEntry[]): void {
    const { roomId, at } = frame[0]!;
    let track = this.tracks.get(roomId);
    const parts: UnpackedEntry[] = [];
    for (const e of frame) {
      if (e.kind === BASE) {
        // kept until the next checkpoint: bytes of its own, not a view keeping the whole batch's buffer alive
        track = { checkpoint: e.bytes.slice(), since: [], lastCheckpointAt: at };
        this.tracks.set(roomId, track);
        this.push({ kind: 'checkpoint', roomId, at, state: track.checkpoint });
      } else if (e.kind === PART) parts.push(e);
      else this.pushUpdate(requireTrack(track), roomId, at, e.author, e.bytes);
    }
    if (parts.length === 0) return;
    const byAuthor = new Map<string | null, Uint8Array[]>();
    for (const p of parts) {
      const list = byAuthor.get(p.author);
      if (list) list.push(p.bytes);
      else byAuthor.set(p.author, [p.bytes]);
    }
    for (const [author, list] of byAuthor) this.pushUpdate(requireTrack(track), roomId, at, author, list.length === 1 ? list[0]! : Y.mergeUpdates(list));
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
      this.log('error', { dropped: dropped.length }, 'edit history buffer full (storage failing); oldest rows dropped');
    }
  }

  /** The room was unloaded: its next frames start from a fresh checkpoint of the reloaded document. */
  forgetRoom(roomId: string): void {
    this.tracks.delete(roomId);
  }

  /** The room was destroyed: drop what is buffered and delete what is stored. */
  async discardRoom(roomId: string): Promise<void> {
    this.tracks.delete(roomId);
    this.buffer = this.buffer.filter((r) => r.roomId !== roomId);
    await this.storage.deleteRoom(roomId);
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
   * Write everything buffered. Rejects if storage failed; the rows are kept for the next try. `now` decides which
   * checkpoints are due and stamps them (a parameter so a simulated session can drive it).
   */
  async flush(now: number): Promise<void> {
    this.takeDueCheckpoints(now);
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      await this.storage.append(rows);
    } catch (err) {
      this.stats.flushFailures++;
      this.log('error', { err: String(err), rows: rows.length }, 'writing the edit history failed; retrying');
      this.buffer = rows.concat(this.buffer);
      throw err;
    }
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
  }
}

function requireTrack(track: RoomTrack | undefined): RoomTrack {
  if (!track) throw new Error('edit history: a frame of a room without a base checkpoint');
  return track;
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
