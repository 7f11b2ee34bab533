/**
 * Debounced, versioned saves of a room's document and attributes (docs/collab-protocol.md, "Persistence"). Typing
 * is saved `persistDebounceMs` after the last change, but no later than this room's max-wait after the first unsaved
 * one; attribute changes (phase, lock, language) are saved at once. A save that finds a newer version in storage
 * (another node held the room) merges it and tries again.
 */
import * as Y from 'yjs';
import type { DocumentWrite } from './persistence.js';
import { STORAGE_ORIGIN } from './room-types.js';
import type { Room } from './room.js';

export class RoomPersistence {
  /** document changes so far (a snapshot remembers the one it covered) */
  changeSeq = 0;
  private metaSeq = 0;
  private savedChangeSeq = 0;
  private savedMetaSeq = 0;
  private firstDirtyAt = 0;
  private lastChangeAt = 0;
  /**
   * This room's max-wait, jittered ±25 %: rooms that started typing together would otherwise all hit the max-wait at
   * the same instant (every 10 s) and save in one burst that stalls the event loop for everyone.
   */
  private readonly maxWait: number;
  private timer: NodeJS.Timeout | null = null;
  private persisting: Promise<void> | null = null;

  constructor(private readonly room: Room) {
    this.maxWait = Math.round(room.deps.options.persistMaxWaitMs * (0.75 + Math.random() * 0.5));
  }

  /** The document changed: save when typing pauses. */
  documentChanged(): void {
    this.changeSeq++;
    this.markDirty();
  }

  /** An attribute changed that can wait for the next debounced save (the last snapshot's hash). */
  attributesChangedLazily(): void {
    this.metaSeq++;
    this.markDirty();
  }

  /** Room attributes changed: save soon (not debounced like typing). */
  attributesChanged(): void {
    this.metaSeq++;
    this.persist().catch(() => undefined);
  }

  isDirty(): boolean {
    return this.changeSeq !== this.savedChangeSeq || this.metaSeq !== this.savedMetaSeq;
  }

  private markDirty(): void {
    const now = Date.now();
    this.lastChangeAt = now;
    if (this.firstDirtyAt === 0) this.firstDirtyAt = now;
    if (this.timer === null && !this.room.tornDown) this.arm(this.room.deps.options.persistDebounceMs);
  }

  private arm(delay: number): void {
    this.timer = setTimeout(this.onTimer, Math.max(0, delay));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.room.tornDown || !this.isDirty()) return;
    const { persistDebounceMs } = this.room.deps.options;
    const now = Date.now();
    const quietFor = now - this.lastChangeAt;
    const dirtyFor = now - this.firstDirtyAt;
    if (quietFor < persistDebounceMs && dirtyFor < this.maxWait) {
      this.arm(Math.min(persistDebounceMs - quietFor, this.maxWait - dirtyFor));
      return;
    }
    this.persist().catch(() => {
      if (!this.room.tornDown && this.timer === null) this.arm(persistDebounceMs);
    });
  };

  private documentWrite(): DocumentWrite {
    const room = this.room;
    return {
      state: Y.encodeStateAsUpdate(room.doc),
      language: room.language,
      phase: room.phase,
      editorLocked: room.editorLocked,
      lastSnapshotHash: room.lastSnapshotHash,
      closed: room.closed,
    };
  }

  /**
   * Save now: waits for a save in flight, then saves once more if anything is unsaved. Resolves when everything
   * changed before the call is stored; rejects if storage failed.
   */
  async persist(): Promise<void> {
    this.room.flushNow();
    while (this.persisting) await this.persisting.catch(() => undefined);
    if (!this.isDirty()) return;
    this.persisting = this.saveOnce().finally(() => {
      this.persisting = null;
    });
    return this.persisting;
  }

  private async saveOnce(): Promise<void> {
    const { store, stats, logger, options } = this.room.deps;
    const changeSeq = this.changeSeq;
    const metaSeq = this.metaSeq;
    this.firstDirtyAt = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      let saved: string | null;
      try {
        saved = await store.saveDocument(this.room.roomId, this.room.version, this.documentWrite());
      } catch (err) {
        stats.persistFailures++;
        logger.error({ err, roomId: this.room.roomId }, 'saving the collab document failed');
        if (this.firstDirtyAt === 0) this.firstDirtyAt = Date.now();
        throw err;
      }
      if (saved !== null) {
        this.room.version = saved;
        this.savedChangeSeq = Math.max(this.savedChangeSeq, changeSeq);
        this.savedMetaSeq = Math.max(this.savedMetaSeq, metaSeq);
        stats.persistSaves++;
        if (this.isDirty() && this.timer === null && !this.room.tornDown) {
          if (this.firstDirtyAt === 0) this.firstDirtyAt = Date.now();
          this.arm(options.persistDebounceMs);
        }
        return;
      }
      stats.persistConflicts++;
      await this.mergeStored();
    }
    throw new Error(`could not save collab document ${this.room.roomId}: version kept moving`);
  }

  /** Somebody saved a newer version (another node held this room): merge theirs into ours before trying again. */
  private async mergeStored(): Promise<void> {
    const room = this.room;
    const stored = await room.deps.store.loadDocument(room.roomId);
    if (!stored) {
      await room.deps.store.insertDocument(room.roomId, this.documentWrite(), room.createdAt);
      room.version = '0';
      return;
    }
    room.deps.logger.warn(
      { roomId: room.roomId, expected: room.version, found: stored.version },
      'collab document changed in storage; merging before save',
    );
    Y.applyUpdate(room.doc, stored.state, STORAGE_ORIGIN);
    room.version = stored.version;
    if (stored.closedAt !== null && !room.closed) {
      // another node closed this room (DELETE) while we held a stale copy: close it here too
      room.closed = true;
      room.closeAll(4403, 'Room closed', 'room-closed');
      room.deps.onEmpty(room);
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
