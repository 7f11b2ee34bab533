/**
 * A room's awareness (cursors, selections, user info): which socket speaks for which awareness client, the per-socket
 * throttle, and the set of clients whose state changed since the last frame (sent by the relay's next flush, see
 * src/collab/room-relay.ts).
 */
import type * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { decodeAwarenessUpdate, encodeAwarenessFrame, encodeAwarenessUpdate, type AwarenessEntry } from './protocol.js';
import { SERVER_ORIGIN, type MemberState, type RoomDeps, type RoomMember } from './room-types.js';

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

export class RoomAwareness {
  readonly awareness: awarenessProtocol.Awareness;
  /** awareness client id → the socket that speaks for it */
  private readonly owner = new Map<number, RoomMember>();
  /** clients whose state changed since the last awareness frame */
  private pending = new Set<number>();

  constructor(
    doc: Y.Doc,
    private readonly members: ReadonlyMap<RoomMember, MemberState>,
    private readonly deps: RoomDeps,
    /** something is waiting to be sent: the relay schedules its next flush */
    private readonly onPending: () => void,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onUpdate);
  }

  hasStates(): boolean {
    return this.awareness.getStates().size > 0;
  }

  /** Every known client's state in one frame (join, query-awareness). */
  stateFrame(): Uint8Array {
    const clients = [...this.awareness.getStates().keys()];
    return encodeAwarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
  }

  /** An awareness frame from a socket: its own clients only, throttled per socket (the newest entry wins). */
  handle(m: RoomMember, state: MemberState, update: Uint8Array): void {
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
      const owner = this.owner.get(e.clientId);
      return owner === undefined || owner === m;
    });
    if (own.length === 0) return;
    const now = Date.now();
    const throttle = this.deps.options.awarenessThrottleMs;
    if (throttle > 0 && now - state.lastAwarenessAt < throttle) {
      this.coalesce(m, state, own, throttle - (now - state.lastAwarenessAt));
      return;
    }
    this.apply(m, state, own, now);
  }

  /** Keep the newest entry per client and apply them when the throttle window ends (the last cursor is never lost). */
  private coalesce(m: RoomMember, state: MemberState, entries: AwarenessEntry[], wait: number): void {
    const pending = state.pendingAwareness ?? new Map<number, AwarenessEntry>();
    for (const e of entries) {
      const prev = pending.get(e.clientId);
      if (!prev || prev.clock <= e.clock) pending.set(e.clientId, e);
    }
    state.pendingAwareness = pending;
    if (state.awarenessTimer) return;
    state.awarenessTimer = setTimeout(() => {
      state.awarenessTimer = null;
      const batch = state.pendingAwareness;
      state.pendingAwareness = null;
      if (batch && this.members.has(m)) this.apply(m, state, [...batch.values()], Date.now());
    }, wait);
  }

  private apply(m: RoomMember, state: MemberState, entries: AwarenessEntry[], now: number): void {
    state.lastAwarenessAt = now;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(entries), m);
    } catch {
      this.deps.stats.invalidFrames++;
    }
  }

  private readonly onUpdate = (change: AwarenessChange, origin: unknown): void => {
    const member = this.members.has(origin as RoomMember) ? (origin as RoomMember) : null;
    const state = member ? this.members.get(member) : undefined;
    for (const id of change.added.concat(change.updated)) {
      this.pending.add(id);
      if (member && state) {
        this.owner.set(id, member);
        state.awarenessIds.add(id);
      }
    }
    for (const id of change.removed) {
      this.pending.add(id);
      if (member && state && this.owner.get(id) === member) {
        this.owner.delete(id);
        state.awarenessIds.delete(id);
      }
    }
    this.onPending();
  };

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** The frame of every client changed since the last one (null when none is left), and the pending set cleared. */
  takePendingFrame(): Uint8Array | null {
    if (this.pending.size === 0) return null;
    const ids = [...this.pending].filter((id) => this.awareness.meta.has(id));
    this.pending = new Set();
    if (ids.length === 0) return null;
    return encodeAwarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
  }

  /** A socket left (already removed from the members): its clients' states are removed and the removal broadcast. */
  forget(m: RoomMember, state: MemberState): void {
    if (state.awarenessTimer) clearTimeout(state.awarenessTimer);
    const ids = [...state.awarenessIds];
    for (const id of ids) if (this.owner.get(id) === m) this.owner.delete(id);
    if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, ids, SERVER_ORIGIN);
  }

  /** Every socket was closed at once. */
  forgetOwners(): void {
    this.owner.clear();
  }

  destroy(): void {
    for (const state of this.members.values()) if (state.awarenessTimer) clearTimeout(state.awarenessTimer);
    this.awareness.off('update', this.onUpdate);
    this.awareness.destroy();
  }
}
