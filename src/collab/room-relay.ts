/**
 * Relay first, apply in bulk (docs/collab-protocol.md, "Relay and batching").
 *
 * A socket's update (once its write is allowed) is queued for the room's next frame; the first one after a quiet
 * period goes out on the next turn of the event loop (setImmediate), then at most one frame per `batchWindowMs`
 * carries everything queued meanwhile. The frame's payload is always produced by `Y.mergeUpdates` (for a single
 * update, merged with an empty one), which decodes and re-encodes it — so what reaches other clients is well-formed
 * Yjs even if the sender was not — and it goes to every socket but the one that authored all of it. The server's own
 * copy of the doc is brought up to date separately, in ONE transaction per `applyDelayMs` (or sooner when many
 * updates are queued, and always before anything reads the doc: sync answers, joins, snapshots, saves). Yjs
 * transactions are the expensive part of a relay — each allocates state-vector maps over every client of the doc — so
 * a room of N writers costs a few transactions per second instead of one per keystroke, and N frames per window
 * instead of N² sends. Changes the server makes itself (seeding, storage merges) are sent the same way.
 */
import * as Y from 'yjs';
import { encodeSyncStep1, encodeSyncUpdate } from './protocol.js';
import type { RoomAwareness } from './room-awareness.js';
import { RELAYED_ORIGIN, type MemberState, type RoomMember } from './room-types.js';
import type { Room } from './room.js';

/** An empty V1 update: merging a single update with it makes Yjs decode and re-encode that update. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

interface QueuedUpdate {
  m: RoomMember;
  update: Uint8Array;
  /** performance.now() when the socket's frame was read */
  at: number;
}

interface AuthoredUpdate {
  m: RoomMember;
  update: Uint8Array;
}

/** The test Yjs applies before it emits `update`: something was deleted or some client's clock moved. */
function transactionChanged(tr: Y.Transaction): boolean {
  if (tr.deleteSet.clients.size > 0) return true;
  for (const [client, clock] of tr.afterState) if (tr.beforeState.get(client) !== clock) return true;
  return false;
}

export class RoomRelay {
  /** allowed socket updates waiting for the next frame */
  private queued: QueuedUpdate[] = [];
  /** socket updates already sent to the room, not yet applied to the server's doc */
  private unapplied: AuthoredUpdate[] = [];
  private applyTimer: NodeJS.Timeout | null = null;
  /** changes the server made itself (seeding, storage merges), waiting for the next frame */
  private serverUpdates: Uint8Array[] = [];
  private serverOrigins = new Set<unknown>();
  private flushState: 'idle' | 'scheduled' | 'window' = 'idle';
  private windowTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly room: Room,
    private readonly awareness: RoomAwareness,
    /** the room's listener of its doc's `update` event (muted while relayed updates are applied) */
    private readonly docListener: (update: Uint8Array, origin: unknown) => void,
  ) {}

  /** An allowed socket update: out with the room's next frame. */
  queue(m: RoomMember, update: Uint8Array): void {
    this.room.deps.stats.updatesIn++;
    this.queued.push({ m, update, at: performance.now() });
    this.scheduleFlush();
  }

  hasQueuedFrom(m: RoomMember): boolean {
    return this.queued.some((e) => e.m === m);
  }

  /** A change of the server's doc that did not come from the relay (seeding, storage merge, a reverted edit). */
  serverChanged(update: Uint8Array, origin: unknown): void {
    this.serverUpdates.push(update);
    this.serverOrigins.add(origin);
    this.scheduleFlush();
  }

  private hasWork(): boolean {
    return this.queued.length > 0 || this.serverUpdates.length > 0 || this.awareness.hasPending();
  }

  scheduleFlush(): void {
    if (this.flushState !== 'idle') return; // a flush is queued, or the window timer will pick this up
    this.flushState = 'scheduled';
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    if (this.room.tornDown) return;
    if (this.hasWork()) {
      // the window is measured from the start of this flush, so sending to many sockets does not stretch it
      this.flushState = 'window';
      this.windowTimer = setTimeout(this.endWindow, this.room.deps.options.batchWindowMs);
      this.sendPending();
    } else {
      this.flushState = 'idle';
    }
  };

  private readonly endWindow = (): void => {
    this.windowTimer = null;
    if (this.hasWork()) this.flush();
    else this.flushState = 'idle';
  };

  /** Send everything queued and bring the server's doc up to date (before snapshots, saves, teardown, shutdown). */
  flushNow(): void {
    if (this.room.tornDown) return;
    if (this.hasWork()) this.sendPending();
    this.applyUnapplied();
  }

  /** One frame of document updates (if any) and one of awareness (if any), to the room. */
  sendPending(): void {
    if (this.queued.length > 0 || this.serverUpdates.length > 0) this.sendUpdates();
    const frame = this.awareness.takePendingFrame();
    // Awareness goes to everyone, its author included: the y-websocket client treats 30 s without any message
    // as a dead connection, and its own 15 s awareness renewal coming back is what keeps a lone client quiet.
    if (frame !== null) for (const m of this.room.members.keys()) m.sendBinary(frame);
  }

  private sendUpdates(): void {
    const { relayed, rejected } = this.partitionQueued();
    const serverUpdates = this.serverUpdates;
    const authors = new Set<unknown>(this.serverOrigins);
    for (const e of relayed) authors.add(e.m);
    this.serverUpdates = [];
    this.serverOrigins = new Set();

    const outgoing = relayed.map((e) => e.update).concat(serverUpdates);
    let merged: Uint8Array | null = null;
    if (outgoing.length > 0) {
      try {
        merged = Y.mergeUpdates(outgoing.length === 1 ? [outgoing[0]!, EMPTY_UPDATE] : outgoing);
      } catch {
        merged = this.mergeSkippingInvalid(relayed, serverUpdates);
      }
    }
    if (merged !== null) {
      this.fanOut(merged, authors);
      const { history } = this.room.deps;
      if (history && this.room.phase !== 'waiting' && this.room.phase !== 'finished') this.recordHistory(merged, relayed, serverUpdates);
    }
    if (relayed.length > 0) this.afterRelay(relayed);
    for (const e of rejected) {
      const state = this.room.members.get(e.m);
      if (state) this.room.rejectUpdate(e.m, state, e.update);
    }
  }

  /** The rules may have changed since an update was queued (lock, kick): split what may go out from what may not. */
  private partitionQueued(): { relayed: QueuedUpdate[]; rejected: QueuedUpdate[] } {
    const queued = this.queued;
    this.queued = [];
    const relayed: QueuedUpdate[] = [];
    const rejected: QueuedUpdate[] = [];
    for (const e of queued) {
      const state = this.room.members.get(e.m);
      if (!state || !this.room.canWrite(e.m)) {
        if (state) rejected.push(e);
        else this.room.deps.stats.droppedWrites++;
        continue;
      }
      relayed.push(e);
    }
    return { relayed, rejected };
  }

  /** The frame to every socket but its sole author. */
  private fanOut(merged: Uint8Array, authors: Set<unknown>): void {
    const { stats } = this.room.deps;
    const frame = encodeSyncUpdate(merged);
    const soleAuthor = authors.size === 1 ? authors.values().next().value : undefined;
    stats.batches++;
    for (const m of this.room.members.keys()) {
      if (m === soleAuthor) continue;
      m.sendBinary(frame);
      stats.updateFramesOut++;
    }
  }

  /** Relayed socket updates wait to be applied to the server's doc in bulk. */
  private afterRelay(relayed: readonly QueuedUpdate[]): void {
    const { propagation, options } = this.room.deps;
    const sentAt = performance.now();
    for (const e of relayed) propagation.add(sentAt - e.at);
    for (const e of relayed) this.unapplied.push(e);
    const delay = options.applyDelayMs;
    if (this.unapplied.length >= options.applyMaxQueued || delay <= 0) this.applyUnapplied();
    else if (this.applyTimer === null) {
      this.applyTimer = setTimeout(this.onApplyTimer, delay);
      this.applyTimer.unref();
    }
  }

  /**
   * Hand a relayed frame to the edit history (accepted writes only: dropped ones never reach `relayed`). By reference:
   * the history turns it into rows later, off the relay's turn (src/collab/history.ts).
   */
  private recordHistory(merged: Uint8Array, relayed: readonly AuthoredUpdate[], server: readonly Uint8Array[]): void {
    this.room.deps.history!.record(this.room.roomId, Date.now(), merged, relayed, server, this.stateBeforeFrame);
  }

  /** The document before the frame being sent: the server's doc plus what went out earlier and is not applied yet. */
  private readonly stateBeforeFrame = (): Uint8Array => {
    const state = Y.encodeStateAsUpdate(this.room.doc);
    return this.unapplied.length === 0 ? state : Y.mergeUpdates([state, ...this.unapplied.map((u) => u.update)]);
  };

  /**
   * An update that Yjs cannot decode was queued: merge the rest one by one, drop the bad ones and close their
   * sockets (their doc is broken; a reconnect starts a clean sync). `relayed` loses the bad ones in place.
   */
  private mergeSkippingInvalid(relayed: QueuedUpdate[], server: readonly Uint8Array[]): Uint8Array | null {
    const good: Uint8Array[] = [...server];
    for (let i = relayed.length - 1; i >= 0; i--) {
      const e = relayed[i]!;
      try {
        Y.mergeUpdates([e.update, EMPTY_UPDATE]);
        good.unshift(e.update);
      } catch {
        this.room.deps.stats.invalidFrames++;
        relayed.splice(i, 1);
        this.room.deps.logger.warn({ roomId: this.room.roomId, userId: e.m.userId }, 'malformed Yjs update; closing the socket');
        e.m.close(1007, 'Malformed update', 'error');
      }
    }
    if (good.length === 0) return null;
    return Y.mergeUpdates(good.length === 1 ? [good[0]!, EMPTY_UPDATE] : good);
  }

  /**
   * Bring the server's doc up to date with every update already relayed: one transaction for all of them. Updates
   * that fail to apply are dropped (they were well-formed, so this means a semantic problem in the sender's doc).
   */
  applyUnapplied(): void {
    if (this.applyTimer) {
      clearTimeout(this.applyTimer);
      this.applyTimer = null;
    }
    if (this.unapplied.length === 0 || this.room.tornDown) return;
    const batch = this.unapplied;
    this.unapplied = [];
    const { doc, deps, roomId } = this.room;
    const authors = new Set<RoomMember>();
    this.applyRelayed(() => {
      for (const { m, update } of batch) {
        try {
          Y.applyUpdate(doc, update, RELAYED_ORIGIN);
          authors.add(m);
        } catch (err) {
          deps.stats.invalidFrames++;
          deps.logger.debug({ err, roomId, userId: m.userId }, 'Yjs update failed to apply');
        }
      }
    });
    // Structs that depend on something the server never got (e.g. edits dropped during a lock) stay pending;
    // ask their authors for everything we lack, at most once a second each.
    const store = doc.store;
    if (store.pendingStructs !== null || store.pendingDs !== null) {
      const now = Date.now();
      for (const m of authors) {
        const state = this.room.members.get(m);
        if (state) this.requestResync(m, state, now);
      }
    }
  }

  /**
   * Apply updates that were already relayed, in one transaction, with the doc's update event muted: with a listener
   * Yjs encodes the whole transaction again, only for the room to learn that something changed (a few % of the
   * server's CPU with hundreds of rooms). Whether it changed is read from the transaction as Yjs itself decides.
   */
  private applyRelayed(apply: () => void): void {
    const { doc } = this.room;
    if (doc._transaction !== null) {
      doc.transact(apply, RELAYED_ORIGIN); // nested: the outer transaction reports the change
      return;
    }
    const done: { tr?: Y.Transaction } = {};
    doc.off('update', this.docListener);
    try {
      doc.transact((tr) => {
        done.tr = tr;
        apply();
      }, RELAYED_ORIGIN);
    } finally {
      doc.on('update', this.docListener);
    }
    if (done.tr && transactionChanged(done.tr)) this.room.persistence.documentChanged();
  }

  private readonly onApplyTimer = (): void => {
    this.applyTimer = null;
    this.applyUnapplied();
  };

  /** Ask a socket for everything the server lacks (its Sync Step 2 answers), at most once a second. */
  requestResync(m: RoomMember, state: MemberState, now: number): void {
    if (now - state.lastResyncAt < 1000) return;
    state.lastResyncAt = now;
    this.applyUnapplied();
    m.sendBinary(encodeSyncStep1(Y.encodeStateVector(this.room.doc)));
  }

  stop(): void {
    if (this.windowTimer) clearTimeout(this.windowTimer);
    if (this.applyTimer) clearTimeout(this.applyTimer);
  }
}
