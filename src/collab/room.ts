/**
 * One live room: its Y.Doc and awareness, the joined sockets, write rules (role, lock, phase), update batching,
 * debounced versioned persistence, code snapshots and chat.
 *
 * Relay first, apply in bulk. A socket's update (once its write is allowed) is queued for the room's next frame; the
 * first one after a quiet period goes out on the next turn of the event loop (setImmediate), then at most one frame
 * per `batchWindowMs` carries everything queued meanwhile. The frame's payload is always produced by `Y.mergeUpdates`
 * (for a single update, merged with an empty one), which decodes and re-encodes it — so what reaches other clients is
 * well-formed Yjs even if the sender was not — and it goes to every socket but the one that authored all of it.
 * The server's own copy of the doc is brought up to date separately, in ONE transaction per `applyDelayMs` (or
 * sooner when many updates are queued, and always before anything reads the doc: sync answers, joins, snapshots,
 * saves). Yjs transactions are the expensive part of a relay — each allocates state-vector maps over every client of
 * the doc — so a room of N writers costs a few transactions per second instead of one per keystroke, and N frames per
 * window instead of N² sends. Changes the server makes itself (seeding, storage merges) are sent the same way.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { CollabRole } from './token.js';
import type { ControlPlaneCallbacks, RoomPhase, SnapshotTrigger } from './control-plane-port.js';
import type { CollabStore, DocumentWrite } from './persistence.js';
import type { CollabLogger, CollabOptions } from './options.js';
import type { LatencyHistogram } from './metrics.js';
import type { EditHistory } from './history.js';
import {
  decodeAwarenessUpdate,
  decodeBinaryMessage,
  encodeAwarenessFrame,
  encodeAwarenessUpdate,
  encodeEventFrame,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  envelope,
  type AwarenessEntry,
} from './protocol.js';
import {
  CHAT_RING_SIZE,
  buildChatMessage,
  isPaletteEmoji,
  nextReadMarker,
  toggleReaction,
  type ChatMessage,
} from './chat.js';
import { applyAndRevert, updateHasContent } from './write-rule.js';

/** Origin of changes that come from storage (merge after a version conflict); never attributed to a socket. */
export const STORAGE_ORIGIN = Symbol('collab-storage');
/** Origin of changes the server makes itself (seeding). */
export const SERVER_ORIGIN = Symbol('collab-server');
/** Origin of the transaction that takes in a rejected edit and undoes it (docs: src/collab/write-rule.ts). */
export const REJECTED_ORIGIN = Symbol('collab-rejected');
/** Origin of the transaction that applies socket updates that were already relayed (never sent again). */
const RELAYED_ORIGIN = Symbol('collab-relayed');
/** An empty V1 update: merging a single update with it makes Yjs decode and re-encode that update. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

export type CloseKind = 'left' | 'kicked' | 'replaced' | 'room-closed' | 'shutdown' | 'rejected' | 'error';

/** A room event serialised once and sent in each socket's event mode. */
export class PreparedEvent {
  readonly json: string;
  private bin: Uint8Array | null = null;
  constructor(type: string, data: unknown) {
    this.json = JSON.stringify(envelope(type, data));
  }
  get binary(): Uint8Array {
    if (this.bin === null) this.bin = encodeEventFrame(this.json);
    return this.bin;
  }
}

/** What a room needs from a socket (implemented by `Connection`). */
export interface RoomMember {
  readonly id: number;
  readonly userId: string;
  readonly role: CollabRole;
  readonly isHost: boolean;
  sendBinary(frame: Uint8Array): void;
  sendEvent(event: PreparedEvent): void;
  close(code: number, reason: string, kind: CloseKind): void;
}

interface MemberState {
  awarenessIds: Set<number>;
  lastAwarenessAt: number;
  pendingAwareness: Map<number, AwarenessEntry> | null;
  awarenessTimer: NodeJS.Timeout | null;
  droppedWrite: boolean;
  lastResyncAt: number;
}

export interface RoomAttributes {
  phase: RoomPhase;
  editorLocked: boolean;
  language: string | null;
}

export interface CollabStats {
  updatesIn: number;
  updateFramesOut: number;
  batches: number;
  droppedWrites: number;
  awarenessIn: number;
  invalidFrames: number;
  snapshotsSent: number;
  snapshotsSkipped: number;
  snapshotFailures: number;
  persistSaves: number;
  persistConflicts: number;
  persistFailures: number;
}

export function newStats(): CollabStats {
  return {
    updatesIn: 0,
    updateFramesOut: 0,
    batches: 0,
    droppedWrites: 0,
    awarenessIn: 0,
    invalidFrames: 0,
    snapshotsSent: 0,
    snapshotsSkipped: 0,
    snapshotFailures: 0,
    persistSaves: 0,
    persistConflicts: 0,
    persistFailures: 0,
  };
}

export interface RoomDeps {
  store: CollabStore;
  callbacks: ControlPlaneCallbacks;
  logger: CollabLogger;
  options: CollabOptions;
  stats: CollabStats;
  /** server-side propagation delay: socket read → frame out (to the last socket of the room) */
  propagation: LatencyHistogram;
  /** the room has no socket left (registry starts the TTL) */
  onEmpty(room: Room): void;
  /** a socket joined (registry cancels the TTL) */
  onJoin(room: Room): void;
  /** edit history of sessions (docs/playback.md); absent = not recorded */
  history?: EditHistory;
}

export class SnapshotFailedError extends Error {}

export function codeHash(language: string, code: string): string {
  return createHash('sha256').update(language).update('\0').update(code).digest('hex');
}

export function materializeLayout(doc: Y.Doc): void {
  doc.getMap('inlineComments');
  doc.getMap('whiteboard');
}

export class Room {
  readonly awareness: awarenessProtocol.Awareness;
  readonly members = new Map<RoomMember, MemberState>();
  private readonly byUser = new Map<string, RoomMember>();
  private readonly awarenessOwner = new Map<number, RoomMember>();

  phase: RoomPhase;
  editorLocked: boolean;
  language: string | null;
  closed = false;
  tornDown = false;

  // batching
  /** allowed socket updates waiting for the next frame */
  private relay: Array<{ m: RoomMember; update: Uint8Array; at: number }> = [];
  /** socket updates already sent to the room, not yet applied to the server's doc */
  private unapplied: Array<{ m: RoomMember; update: Uint8Array }> = [];
  private applyTimer: NodeJS.Timeout | null = null;
  private pendingUpdates: Uint8Array[] = [];
  private pendingOrigins = new Set<unknown>();
  private pendingAwareness = new Set<number>();
  private flushState: 'idle' | 'scheduled' | 'window' = 'idle';
  private windowTimer: NodeJS.Timeout | null = null;

  // persistence
  private changeSeq = 0;
  private metaSeq = 0;
  private savedChangeSeq = 0;
  private savedMetaSeq = 0;
  private firstDirtyAt = 0;
  private lastChangeAt = 0;
  /**
   * This room's max-wait, jittered ±25 %: rooms that started typing together would otherwise all hit the max-wait at
   * the same instant (every 10 s) and save in one burst that stalls the event loop for everyone.
   */
  private readonly persistMaxWait: number;
  private persistTimer: NodeJS.Timeout | null = null;
  private persisting: Promise<void> | null = null;

  // snapshots
  lastSnapshotHash: string | null;
  private lastSessionEndHash: string | null = null;
  private lastDocSnapshotSeq = -1;
  private snapshotTimer: NodeJS.Timeout | null = null;

  // chat
  chat: ChatMessage[] = [];
  readMarkers = new Map<string, number>();
  private chatQueue: Promise<void> = Promise.resolve();

  // serialises state changes (strict snapshots await the control plane in the middle of one)
  private stateQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly roomId: string,
    readonly doc: Y.Doc,
    attrs: RoomAttributes,
    readonly createdAt: number,
    public version: string,
    lastSnapshotHash: string | null,
    private readonly deps: RoomDeps,
  ) {
    this.phase = attrs.phase;
    this.editorLocked = attrs.editorLocked;
    this.language = attrs.language;
    this.lastSnapshotHash = lastSnapshotHash;
    this.persistMaxWait = Math.round(deps.options.persistMaxWaitMs * (0.75 + Math.random() * 0.5));
    materializeLayout(doc);
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    const every = deps.options.snapshotIntervalMs;
    if (every > 0) {
      // the first tick is jittered, so rooms loaded together do not all snapshot in the same instant
      const tick = () => void this.takeSnapshot('periodic', { dedupe: 'any' }).catch(() => undefined);
      this.snapshotTimer = setTimeout(() => {
        if (this.tornDown) return;
        tick();
        this.snapshotTimer = setInterval(tick, every);
        this.snapshotTimer.unref();
      }, Math.floor(Math.random() * every));
      this.snapshotTimer.unref();
    }
  }

  get size(): number {
    return this.members.size;
  }

  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  attributes(): RoomAttributes {
    return { phase: this.phase, editorLocked: this.editorLocked, language: this.language };
  }

  /**
   * The write rule, one with the REST side: observers never; while the editor is locked only interviewers and the
   * host; nobody once the room is finished (it is history) or closed.
   */
  canWrite(m: RoomMember): boolean {
    const role = this.roleOf(m);
    if (this.closed || this.phase === 'finished' || role === 'observer') return false;
    return !this.editorLocked || role === 'interviewer' || m.isHost;
  }

  /** Roles changed since the sockets' tokens were issued (a swap while coding), by user. */
  private readonly roleOverrides = new Map<string, CollabRole>();

  /** The socket's role now: a role change in the room wins over the role its token was issued with. */
  roleOf(m: RoomMember): CollabRole {
    return this.roleOverrides.get(m.userId) ?? m.role;
  }

  /** A participant's role changed in the room (swap, host assignment); applies to their sockets at once. */
  setRole(userId: string, role: CollabRole): void {
    this.roleOverrides.set(userId, role);
    this.resyncWritersIfAllowed();
  }

  // ---------------------------------------------------------------- membership

  /** Add a joined socket; a previous socket of the same user is closed with 4409 first. */
  join(m: RoomMember, now = Date.now()): void {
    const previous = this.byUser.get(m.userId);
    if (previous && previous !== m) {
      this.leave(previous, { notify: false });
      previous.close(4409, 'Replaced by new connection', 'replaced');
    }
    this.members.set(m, {
      awarenessIds: new Set(),
      lastAwarenessAt: 0,
      pendingAwareness: null,
      awarenessTimer: null,
      droppedWrite: false,
      lastResyncAt: 0,
    });
    this.byUser.set(m.userId, m);
    this.deps.onJoin(this);

    if (!this.readMarkers.has(m.userId)) {
      this.readMarkers.set(m.userId, now);
      this.enqueueChat(() => this.deps.store.saveReadMarker(this.roomId, m.userId, now));
    }
    m.sendEvent(new PreparedEvent('room-state', { phase: this.phase, editorLocked: this.editorLocked }));
    m.sendEvent(new PreparedEvent('chat-history', { messages: this.chat, readStates: this.readStates() }));
    this.applyUnapplied();
    m.sendBinary(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    const clients = [...this.awareness.getStates().keys()];
    if (clients.length > 0) {
      m.sendBinary(encodeAwarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)));
    }
  }

  /** Remove a socket (closing it is the caller's business). `notify` sends the user-disconnected callback. */
  leave(m: RoomMember, opts: { notify: boolean }): void {
    const state = this.members.get(m);
    if (!state) return;
    // what this socket sent before it went away is kept (relayed now, while it is still a member)
    if (this.relay.some((e) => e.m === m)) this.sendPending();
    this.members.delete(m);
    if (this.byUser.get(m.userId) === m) this.byUser.delete(m.userId);
    if (state.awarenessTimer) clearTimeout(state.awarenessTimer);
    const ids = [...state.awarenessIds];
    for (const id of ids) if (this.awarenessOwner.get(id) === m) this.awarenessOwner.delete(id);
    if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, ids, SERVER_ORIGIN);
    if (opts.notify) {
      const payload = { roomId: this.roomId, userId: m.userId, timestamp: Date.now() };
      this.deps.callbacks.userDisconnected(payload).catch((err: unknown) => {
        this.deps.logger.warn({ err, roomId: this.roomId, userId: m.userId }, 'user-disconnected callback failed');
      });
    }
    if (this.members.size === 0) this.deps.onEmpty(this);
  }

  kick(userId: string, reason?: string): boolean {
    const m = this.byUser.get(userId);
    if (!m) return false;
    this.leave(m, { notify: false });
    m.close(4402, reason && reason.trim().length > 0 ? reason : 'Kicked', 'kicked');
    return true;
  }

  // ---------------------------------------------------------------- frames from sockets

  handleBinary(m: RoomMember, frame: Uint8Array, onEvent: (json: string) => void): void {
    const state = this.members.get(m);
    if (!state) return;
    let msg;
    try {
      msg = decodeBinaryMessage(frame);
    } catch {
      this.deps.stats.invalidFrames++;
      return;
    }
    switch (msg.kind) {
      case 'sync-step1': {
        this.applyUnapplied();
        let reply: Uint8Array;
        try {
          reply = Y.encodeStateAsUpdate(this.doc, msg.stateVector);
        } catch {
          this.deps.stats.invalidFrames++;
          return;
        }
        m.sendBinary(encodeSyncStep2(reply));
        return;
      }
      case 'sync-step2':
      case 'sync-update':
        this.applyClientUpdate(m, state, msg.update);
        return;
      case 'awareness':
        this.handleAwareness(m, state, msg.update);
        return;
      case 'query-awareness': {
        const clients = [...this.awareness.getStates().keys()];
        m.sendBinary(encodeAwarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)));
        return;
      }
      case 'event':
        onEvent(msg.json);
        return;
      default:
        return;
    }
  }

  private applyClientUpdate(m: RoomMember, state: MemberState, update: Uint8Array): void {
    if (!this.canWrite(m)) {
      this.rejectUpdate(m, state, update);
      return;
    }
    this.deps.stats.updatesIn++;
    this.relay.push({ m, update, at: performance.now() });
    this.scheduleFlush();
  }

  /**
   * An edit the write rule refuses: taken in and undone at once, so it vanishes from its author's screen and never
   * reaches anyone else (src/collab/write-rule.ts).
   */
  private rejectUpdate(m: RoomMember, state: MemberState, update: Uint8Array): void {
    this.deps.stats.droppedWrites++;
    if (!updateHasContent(update)) return;
    // the author's earlier updates still queued go first (relayed if they were allowed, reverted if not)
    if (this.relay.some((e) => e.m === m)) this.sendPending();
    this.applyUnapplied();
    let complete: boolean;
    try {
      complete = applyAndRevert(this.doc, update, REJECTED_ORIGIN);
    } catch (err) {
      this.deps.stats.invalidFrames++;
      this.deps.logger.debug({ err, roomId: this.roomId, userId: m.userId }, 'rejected Yjs update failed to apply');
      return;
    }
    if (!complete) this.requestResync(m, state, Date.now());
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
    if (this.unapplied.length === 0 || this.tornDown) return;
    const batch = this.unapplied;
    this.unapplied = [];
    const authors = new Set<RoomMember>();
    this.doc.transact(() => {
      for (const { m, update } of batch) {
        try {
          Y.applyUpdate(this.doc, update, RELAYED_ORIGIN);
          authors.add(m);
        } catch (err) {
          this.deps.stats.invalidFrames++;
          this.deps.logger.debug({ err, roomId: this.roomId, userId: m.userId }, 'Yjs update failed to apply');
        }
      }
    }, RELAYED_ORIGIN);
    // Structs that depend on something the server never got (e.g. edits dropped during a lock) stay pending;
    // ask their authors for everything we lack, at most once a second each.
    const store = this.doc.store;
    if (store.pendingStructs !== null || store.pendingDs !== null) {
      const now = Date.now();
      for (const m of authors) {
        const state = this.members.get(m);
        if (state) this.requestResync(m, state, now);
      }
    }
  }

  private readonly onApplyTimer = (): void => {
    this.applyTimer = null;
    this.applyUnapplied();
  };

  private requestResync(m: RoomMember, state: MemberState, now: number): void {
    if (now - state.lastResyncAt < 1000) return;
    state.lastResyncAt = now;
    this.applyUnapplied();
    m.sendBinary(encodeSyncStep1(Y.encodeStateVector(this.doc)));
  }

  /** After the rules changed: sockets whose writes were dropped and that may write now re-send what they hold. */
  private resyncWritersIfAllowed(): void {
    const now = Date.now();
    for (const [m, state] of this.members) {
      if (state.droppedWrite && this.canWrite(m)) {
        state.droppedWrite = false;
        state.lastResyncAt = 0;
        this.requestResync(m, state, now);
      }
    }
  }

  private handleAwareness(m: RoomMember, state: MemberState, update: Uint8Array): void {
    let entries: AwarenessEntry[];
    try {
      entries = decodeAwarenessUpdate(update);
    } catch {
      this.deps.stats.invalidFrames++;
      return;
    }
    this.deps.stats.awarenessIn++;
    // a socket may only speak for its own awareness clients (or ones nobody owns yet)
    const own = entries.filter((e) => {
      const owner = this.awarenessOwner.get(e.clientId);
      return owner === undefined || owner === m;
    });
    if (own.length === 0) return;
    const now = Date.now();
    const throttle = this.deps.options.awarenessThrottleMs;
    if (throttle > 0 && now - state.lastAwarenessAt < throttle) {
      // coalesce: keep the newest entry per client and apply it when the window ends (the last cursor is never lost)
      const pending = state.pendingAwareness ?? new Map<number, AwarenessEntry>();
      for (const e of own) {
        const prev = pending.get(e.clientId);
        if (!prev || prev.clock <= e.clock) pending.set(e.clientId, e);
      }
      state.pendingAwareness = pending;
      if (!state.awarenessTimer) {
        state.awarenessTimer = setTimeout(() => {
          state.awarenessTimer = null;
          const batch = state.pendingAwareness;
          state.pendingAwareness = null;
          if (batch && this.members.has(m)) this.applyAwareness(m, state, [...batch.values()], Date.now());
        }, throttle - (now - state.lastAwarenessAt));
      }
      return;
    }
    this.applyAwareness(m, state, own, now);
  }

  private applyAwareness(m: RoomMember, state: MemberState, entries: AwarenessEntry[], now: number): void {
    state.lastAwarenessAt = now;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(entries), m);
    } catch {
      this.deps.stats.invalidFrames++;
    }
  }

  // ---------------------------------------------------------------- doc / awareness listeners and batching

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.changeSeq++;
    this.markDirty();
    if (origin === RELAYED_ORIGIN) return; // its updates went out already
    this.pendingUpdates.push(update);
    this.pendingOrigins.add(origin);
    this.scheduleFlush();
  };

  private readonly onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const member = this.members.has(origin as RoomMember) ? (origin as RoomMember) : null;
    const state = member ? this.members.get(member) : undefined;
    for (const id of change.added.concat(change.updated)) {
      this.pendingAwareness.add(id);
      if (member && state) {
        this.awarenessOwner.set(id, member);
        state.awarenessIds.add(id);
      }
    }
    for (const id of change.removed) {
      this.pendingAwareness.add(id);
      if (member && state && this.awarenessOwner.get(id) === member) {
        this.awarenessOwner.delete(id);
        state.awarenessIds.delete(id);
      }
    }
    this.scheduleFlush();
  };

  private scheduleFlush(): void {
    if (this.flushState !== 'idle') return; // a flush is queued, or the window timer will pick this up
    this.flushState = 'scheduled';
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    if (this.tornDown) return;
    const hasWork = this.relay.length > 0 || this.pendingUpdates.length > 0 || this.pendingAwareness.size > 0;
    if (hasWork) {
      // the window is measured from the start of this flush, so sending to many sockets does not stretch it
      this.flushState = 'window';
      this.windowTimer = setTimeout(this.endWindow, this.deps.options.batchWindowMs);
      this.sendPending();
    } else {
      this.flushState = 'idle';
    }
  };

  private readonly endWindow = (): void => {
    this.windowTimer = null;
    if (this.relay.length > 0 || this.pendingUpdates.length > 0 || this.pendingAwareness.size > 0) this.flush();
    else this.flushState = 'idle';
  };

  private sendPending(): void {
    if (this.relay.length > 0 || this.pendingUpdates.length > 0) {
      const relay = this.relay;
      this.relay = [];
      const outgoing: Uint8Array[] = [];
      const authors = new Set<unknown>();
      const relayed: typeof relay = [];
      const rejected: typeof relay = [];
      for (const e of relay) {
        // the rules may have changed since this update was queued (lock, kick)
        const state = this.members.get(e.m);
        if (!state || !this.canWrite(e.m)) {
          if (state) rejected.push(e);
          else this.deps.stats.droppedWrites++;
          continue;
        }
        outgoing.push(e.update);
        authors.add(e.m);
        relayed.push(e);
      }
      for (const u of this.pendingUpdates) outgoing.push(u);
      for (const o of this.pendingOrigins) authors.add(o);
      const serverUpdates = this.pendingUpdates;
      this.pendingUpdates = [];
      this.pendingOrigins = new Set();

      let merged: Uint8Array | null = null;
      if (outgoing.length > 0) {
        try {
          merged = Y.mergeUpdates(outgoing.length === 1 ? [outgoing[0]!, EMPTY_UPDATE] : outgoing);
        } catch {
          merged = this.mergeSkippingInvalid(relayed, outgoing.slice(relayed.length));
        }
      }
      if (merged !== null) {
        const frame = encodeSyncUpdate(merged);
        const soleAuthor = authors.size === 1 ? authors.values().next().value : undefined;
        this.deps.stats.batches++;
        for (const m of this.members.keys()) {
          if (m === soleAuthor) continue;
          m.sendBinary(frame);
          this.deps.stats.updateFramesOut++;
        }
        if (this.deps.history && this.phase !== 'waiting' && this.phase !== 'finished') this.recordHistory(merged, relayed, serverUpdates);
      }
      if (relayed.length > 0) {
        const sentAt = performance.now();
        for (const e of relayed) this.deps.propagation.add(sentAt - e.at);
        for (const e of relayed) this.unapplied.push({ m: e.m, update: e.update });
        const delay = this.deps.options.applyDelayMs;
        if (this.unapplied.length >= this.deps.options.applyMaxQueued || delay <= 0) this.applyUnapplied();
        else if (this.applyTimer === null) {
          this.applyTimer = setTimeout(this.onApplyTimer, delay);
          this.applyTimer.unref();
        }
      }
      for (const e of rejected) {
        const state = this.members.get(e.m);
        if (state) this.rejectUpdate(e.m, state, e.update);
      }
    }
    if (this.pendingAwareness.size > 0) {
      const ids = [...this.pendingAwareness].filter((id) => this.awareness.meta.has(id));
      this.pendingAwareness = new Set();
      if (ids.length > 0) {
        // Awareness goes to everyone, its author included: the y-websocket client treats 30 s without any message
        // as a dead connection, and its own 15 s awareness renewal coming back is what keeps a lone client quiet.
        const frame = encodeAwarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
        for (const m of this.members.keys()) m.sendBinary(frame);
      }
    }
  }

  /** Hand a relayed frame to the edit history (accepted writes only: dropped ones never reach `relayed`). */
  private recordHistory(merged: Uint8Array, relayed: ReadonlyArray<{ m: RoomMember; update: Uint8Array }>, server: Uint8Array[]): void {
    const accepted = relayed.map((e): { userId: string | null; update: Uint8Array } => ({ userId: e.m.userId, update: e.update }));
    for (const update of server) accepted.push({ userId: null, update });
    this.deps.history!.record(this.roomId, Date.now(), merged, accepted, () => {
      // the document before this frame: the server's doc plus what went out earlier and is not applied yet
      const state = Y.encodeStateAsUpdate(this.doc);
      return this.unapplied.length === 0 ? state : Y.mergeUpdates([state, ...this.unapplied.map((u) => u.update)]);
    });
  }

  /**
   * An update that Yjs cannot decode was queued: merge the rest one by one, drop the bad ones and close their
   * sockets (their doc is broken; a reconnect starts a clean sync).
   */
  private mergeSkippingInvalid(relayed: Array<{ m: RoomMember; update: Uint8Array }>, server: Uint8Array[]): Uint8Array | null {
    const good: Uint8Array[] = [...server];
    for (let i = relayed.length - 1; i >= 0; i--) {
      const e = relayed[i]!;
      try {
        Y.mergeUpdates([e.update, EMPTY_UPDATE]);
        good.unshift(e.update);
      } catch {
        this.deps.stats.invalidFrames++;
        relayed.splice(i, 1);
        this.deps.logger.warn({ roomId: this.roomId, userId: e.m.userId }, 'malformed Yjs update; closing the socket');
        e.m.close(1007, 'Malformed update', 'error');
      }
    }
    if (good.length === 0) return null;
    return Y.mergeUpdates(good.length === 1 ? [good[0]!, EMPTY_UPDATE] : good);
  }

  /** Send everything queued and bring the server's doc up to date (before snapshots, saves, teardown, shutdown). */
  flushNow(): void {
    if (this.tornDown) return;
    if (this.relay.length > 0 || this.pendingUpdates.length > 0 || this.pendingAwareness.size > 0) this.sendPending();
    this.applyUnapplied();
  }

  /** The server's doc with every relayed update applied. */
  currentDoc(): Y.Doc {
    this.flushNow();
    return this.doc;
  }

  broadcast(type: string, data: unknown): void {
    const event = new PreparedEvent(type, data);
    for (const m of this.members.keys()) m.sendEvent(event);
  }

  // ---------------------------------------------------------------- persistence

  private markDirty(): void {
    const now = Date.now();
    this.lastChangeAt = now;
    if (this.firstDirtyAt === 0) this.firstDirtyAt = now;
    if (this.persistTimer === null && !this.tornDown) this.armPersistTimer(this.deps.options.persistDebounceMs);
  }

  private armPersistTimer(delay: number): void {
    this.persistTimer = setTimeout(this.onPersistTimer, Math.max(0, delay));
    this.persistTimer.unref();
  }

  private readonly onPersistTimer = (): void => {
    this.persistTimer = null;
    if (this.tornDown || !this.isDirty()) return;
    const { persistDebounceMs } = this.deps.options;
    const persistMaxWaitMs = this.persistMaxWait;
    const now = Date.now();
    const quietFor = now - this.lastChangeAt;
    const dirtyFor = now - this.firstDirtyAt;
    if (quietFor < persistDebounceMs && dirtyFor < persistMaxWaitMs) {
      this.armPersistTimer(Math.min(persistDebounceMs - quietFor, persistMaxWaitMs - dirtyFor));
      return;
    }
    this.persist().catch(() => {
      if (!this.tornDown && this.persistTimer === null) this.armPersistTimer(persistDebounceMs);
    });
  };

  isDirty(): boolean {
    return this.changeSeq !== this.savedChangeSeq || this.metaSeq !== this.savedMetaSeq;
  }

  /** Room attributes changed: save soon (not debounced like typing). */
  markMetaDirty(): void {
    this.metaSeq++;
    this.persist().catch(() => undefined);
  }

  private documentWrite(): DocumentWrite {
    return {
      state: Y.encodeStateAsUpdate(this.doc),
      language: this.language,
      phase: this.phase,
      editorLocked: this.editorLocked,
      lastSnapshotHash: this.lastSnapshotHash,
      closed: this.closed,
    };
  }

  /**
   * Save now: waits for a save in flight, then saves once more if anything is unsaved. Resolves when everything
   * changed before the call is stored; rejects if storage failed.
   */
  async persist(): Promise<void> {
    this.flushNow();
    while (this.persisting) await this.persisting.catch(() => undefined);
    if (!this.isDirty()) return;
    this.persisting = this.saveOnce().finally(() => {
      this.persisting = null;
    });
    return this.persisting;
  }

  private async saveOnce(): Promise<void> {
    const changeSeq = this.changeSeq;
    const metaSeq = this.metaSeq;
    this.firstDirtyAt = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      let saved: string | null;
      try {
        saved = await this.deps.store.saveDocument(this.roomId, this.version, this.documentWrite());
      } catch (err) {
        this.deps.stats.persistFailures++;
        this.deps.logger.error({ err, roomId: this.roomId }, 'saving the collab document failed');
        if (this.firstDirtyAt === 0) this.firstDirtyAt = Date.now();
        throw err;
      }
      if (saved !== null) {
        this.version = saved;
        this.savedChangeSeq = Math.max(this.savedChangeSeq, changeSeq);
        this.savedMetaSeq = Math.max(this.savedMetaSeq, metaSeq);
        this.deps.stats.persistSaves++;
        if (this.isDirty() && this.persistTimer === null && !this.tornDown) {
          if (this.firstDirtyAt === 0) this.firstDirtyAt = Date.now();
          this.armPersistTimer(this.deps.options.persistDebounceMs);
        }
        return;
      }
      // Somebody saved a newer version (another node held this room). Merge theirs into ours and try again.
      this.deps.stats.persistConflicts++;
      const stored = await this.deps.store.loadDocument(this.roomId);
      if (!stored) {
        await this.deps.store.insertDocument(this.roomId, this.documentWrite(), this.createdAt);
        this.version = '0';
        continue;
      }
      this.deps.logger.warn(
        { roomId: this.roomId, expected: this.version, found: stored.version },
        'collab document changed in storage; merging before save',
      );
      Y.applyUpdate(this.doc, stored.state, STORAGE_ORIGIN);
      this.version = stored.version;
      if (stored.closedAt !== null && !this.closed) {
        // another node closed this room (DELETE) while we held a stale copy: close it here too
        this.closed = true;
        this.closeAll(4403, 'Room closed', 'room-closed');
        this.deps.onEmpty(this);
      }
    }
    throw new Error(`could not save collab document ${this.roomId}: version kept moving`);
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Send a code snapshot. `dedupe: 'any'` skips when the code equals the last snapshot sent (periodic, idle
   * teardown); `'session_end'` skips when a session_end with this code was already sent (destroy after finish).
   * Rooms without a language send the raw doc-snapshot instead. Resolves true when sent or skipped; strict calls
   * throw `SnapshotFailedError` on failure, others resolve false.
   */
  async takeSnapshot(
    trigger: SnapshotTrigger,
    opts: { strict?: boolean; dedupe?: 'none' | 'any' | 'session_end' } = {},
  ): Promise<boolean> {
    const { callbacks, stats, logger } = this.deps;
    const dedupe = opts.dedupe ?? 'none';
    this.flushNow();
    try {
      if (this.language === null) {
        if (dedupe !== 'none' && this.lastDocSnapshotSeq === this.changeSeq) {
          stats.snapshotsSkipped++;
          return true;
        }
        const seq = this.changeSeq;
        const res = await callbacks.docSnapshot(this.roomId, Array.from(Y.encodeStateAsUpdate(this.doc)));
        if (!res.success) throw new SnapshotFailedError('doc-snapshot callback answered success:false');
        this.lastDocSnapshotSeq = seq;
        stats.snapshotsSent++;
        return true;
      }
      const language = this.language;
      const code = this.doc.getText(`code:${language}`).toString();
      const hash = codeHash(language, code);
      if ((dedupe === 'any' && hash === this.lastSnapshotHash) || (dedupe === 'session_end' && hash === this.lastSessionEndHash)) {
        stats.snapshotsSkipped++;
        return true;
      }
      const res = await callbacks.snapshot({
        roomId: this.roomId,
        snapshot: Array.from(Y.encodeStateAsUpdate(this.doc)),
        code,
        language,
        timestamp: Date.now(),
        trigger,
        phase: this.phase,
      });
      if (!res.success) throw new SnapshotFailedError('snapshot callback answered success:false');
      stats.snapshotsSent++;
      if (trigger === 'session_end') this.lastSessionEndHash = hash;
      if (this.lastSnapshotHash !== hash) {
        this.lastSnapshotHash = hash;
        this.metaSeq++; // stored with the next (debounced) save, so a restarted node does not resend the same code
        this.markDirty();
      }
      return true;
    } catch (err) {
      stats.snapshotFailures++;
      logger.warn({ err, roomId: this.roomId, trigger }, 'code snapshot failed');
      if (opts.strict) throw err instanceof SnapshotFailedError ? err : new SnapshotFailedError(String(err));
      return false;
    }
  }

  // ---------------------------------------------------------------- room state (internal API)

  /** Run state changes one at a time per room. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.stateQueue.then(fn, fn);
    this.stateQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Apply `{phase, editorLocked, language?}` from the control plane (SPEC §5.1 state). Going to `finished` takes a
   * strict session_end snapshot first and reverts on failure (throws SnapshotFailedError).
   */
  async updateState(input: { phase: RoomPhase; editorLocked: boolean; changedBy?: string; language?: string }): Promise<void> {
    const previous = this.attributes();
    const phaseChanged = input.phase !== previous.phase;
    const lockChanged = input.editorLocked !== previous.editorLocked;
    const languageChanged = input.language !== undefined && input.language !== previous.language;
    this.phase = input.phase;
    this.editorLocked = input.editorLocked;
    if (languageChanged) this.language = input.language!;
    if (phaseChanged && input.phase === 'finished') {
      try {
        await this.takeSnapshot('session_end', { strict: true });
      } catch (err) {
        this.phase = previous.phase;
        this.editorLocked = previous.editorLocked;
        this.language = previous.language;
        throw err;
      }
    }
    if (phaseChanged || lockChanged || languageChanged) this.markMetaDirty();
    this.broadcast('room-state', { phase: this.phase, editorLocked: this.editorLocked });
    if (languageChanged) this.broadcast('language-change', { language: this.language, changedBy: input.changedBy ?? null });
    if (phaseChanged) {
      this.broadcast('phase-change', { phase: this.phase, previousPhase: previous.phase });
      if (this.phase !== 'finished') void this.takeSnapshot('phase_change');
    }
    if (lockChanged) {
      this.broadcast('editor-lock', {
        locked: this.editorLocked,
        lockedBy: this.editorLocked ? input.changedBy ?? null : null,
      });
      if (this.editorLocked) void this.takeSnapshot('submission');
    }
    this.resyncWritersIfAllowed();
  }

  /** Language first, then the broadcast, so the next snapshot already uses it. */
  changeLanguage(language: string, changedBy?: string): void {
    if (this.language !== language) {
      this.language = language;
      this.markMetaDirty();
    }
    this.broadcast('language-change', { language, changedBy: changedBy ?? null });
  }

  // ---------------------------------------------------------------- chat

  private readStates(): Array<{ userId: string; lastReadAt: number }> {
    return [...this.readMarkers].map(([userId, lastReadAt]) => ({ userId, lastReadAt }));
  }

  private enqueueChat(task: () => Promise<void>): Promise<void> {
    const run = this.chatQueue.then(task).catch((err: unknown) => {
      this.deps.logger.error({ err, roomId: this.roomId }, 'chat persistence failed');
    });
    this.chatQueue = run;
    return run;
  }

  /** Client text events after join. Chat writes are stored before they are broadcast, in arrival order. */
  handleClientEvent(m: RoomMember, type: string, data: unknown): Promise<void> | void {
    switch (type) {
      case 'chat-send':
        return this.enqueueChat(async () => {
          const now = Date.now();
          const message = buildChatMessage(data, {
            roomId: this.roomId,
            userId: m.userId,
            now,
            knownMessage: (id) => this.chat.some((c) => c.messageId === id),
          });
          if (!message) return;
          await this.deps.store.insertChatMessage(message);
          this.chat.push(message);
          if (this.chat.length > CHAT_RING_SIZE) this.chat.splice(0, this.chat.length - CHAT_RING_SIZE);
          this.broadcast('chat-message-created', { message });
          const marker = nextReadMarker(this.readMarkers.get(m.userId), message.createdAt, now);
          this.readMarkers.set(m.userId, marker);
          await this.deps.store.saveReadMarker(this.roomId, m.userId, marker);
          this.broadcast('chat-read-updated', { userId: m.userId, lastReadAt: marker });
        });
      case 'chat-react-toggle':
        return this.enqueueChat(async () => {
          const d = (data ?? {}) as { messageId?: unknown; emoji?: unknown };
          if (typeof d.messageId !== 'string' || !isPaletteEmoji(d.emoji)) return;
          const message = this.chat.find((c) => c.messageId === d.messageId);
          if (!message) return;
          const reactions = toggleReaction(message.reactions, d.emoji, m.userId);
          const updatedAt = Date.now();
          await this.deps.store.updateChatReactions(message.messageId, reactions, updatedAt);
          message.reactions = reactions;
          message.updatedAt = updatedAt;
          this.broadcast('chat-reaction-updated', { messageId: message.messageId, reactions, updatedAt });
        });
      case 'chat-mark-read':
        return this.enqueueChat(async () => {
          const upTo = (data as { upTo?: unknown } | null | undefined)?.upTo;
          const previous = this.readMarkers.get(m.userId);
          const marker = nextReadMarker(previous, upTo, Date.now());
          if (marker === previous) return;
          this.readMarkers.set(m.userId, marker);
          await this.deps.store.saveReadMarker(this.roomId, m.userId, marker);
          this.broadcast('chat-read-updated', { userId: m.userId, lastReadAt: marker });
        });
      default:
        return;
    }
  }

  /** Wait for queued chat writes (shutdown, tests). */
  async drainChat(): Promise<void> {
    await this.chatQueue;
  }

  // ---------------------------------------------------------------- teardown

  /** Close every socket with `code` and forget them (no disconnect callbacks). */
  closeAll(code: number, reason: string, kind: CloseKind): void {
    this.flushNow();
    for (const m of [...this.members.keys()]) {
      this.members.delete(m);
      m.close(code, reason, kind);
    }
    this.byUser.clear();
    this.awarenessOwner.clear();
  }

  /** Stop timers and free the doc. Call after the last save. */
  teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.deps.history?.forgetRoom(this.roomId);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer); // clears a timeout or an interval alike
    if (this.persistTimer) clearTimeout(this.persistTimer);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    if (this.applyTimer) clearTimeout(this.applyTimer);
    for (const state of this.members.values()) if (state.awarenessTimer) clearTimeout(state.awarenessTimer);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
  }
}
