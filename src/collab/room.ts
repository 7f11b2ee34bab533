/**
 * One live room: its Y.Doc, the joined sockets, the write rule (role, lock, phase), dispatch of their frames, the
 * room's state as the control plane sets it, and teardown. The rest is delegated, one concern per module:
 * relay and batching (room-relay.ts), awareness (room-awareness.ts), debounced saves (room-persistence.ts), code
 * snapshots (room-snapshots.ts) and chat (room-chat.ts). The protocol is described in docs/collab-protocol.md.
 */
import * as Y from 'yjs';
import type { CollabRole } from './token.js';
import type { RoomPhase, SnapshotTrigger } from './control-plane-port.js';
import type { ChatMessage } from './chat.js';
import { decodeBinaryMessage, encodeSyncStep1, encodeSyncStep2 } from './protocol.js';
import { applyAndRevert, updateHasContent } from './write-rule.js';
import { RoomAwareness } from './room-awareness.js';
import { RoomChat } from './room-chat.js';
import { RoomPersistence } from './room-persistence.js';
import { RoomRelay } from './room-relay.js';
import { RoomSnapshots, type SnapshotOptions } from './room-snapshots.js';
import { PreparedEvent, RELAYED_ORIGIN, REJECTED_ORIGIN, materializeLayout, newMemberState } from './room-types.js';
import type { CloseKind, MemberState, RoomAttributes, RoomDeps, RoomMember } from './room-types.js';

// what the rest of the collab plane imports from here
export { PreparedEvent, REJECTED_ORIGIN, SERVER_ORIGIN, STORAGE_ORIGIN, SnapshotFailedError } from './room-types.js';
export { codeHash, materializeLayout, newStats } from './room-types.js';
export type { CloseKind, CollabStats, RoomAttributes, RoomDeps, RoomMember } from './room-types.js';

interface StateChanges {
  phaseChanged: boolean;
  lockChanged: boolean;
  languageChanged: boolean;
}

export class Room {
  readonly members = new Map<RoomMember, MemberState>();
  private readonly byUser = new Map<string, RoomMember>();
  /** Roles changed since the sockets' tokens were issued (a swap while coding), by user. */
  private readonly roleOverrides = new Map<string, CollabRole>();

  phase: RoomPhase;
  editorLocked: boolean;
  language: string | null;
  closed = false;
  tornDown = false;
  /** hash of the code of the last snapshot sent (stored with the document, so a restart does not resend it) */
  lastSnapshotHash: string | null;

  private readonly presence: RoomAwareness;
  private readonly relay: RoomRelay;
  readonly persistence: RoomPersistence;
  private readonly snapshots: RoomSnapshots;
  private readonly chatRoom: RoomChat;

  // serialises state changes (strict snapshots await the control plane in the middle of one)
  private stateQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly roomId: string,
    readonly doc: Y.Doc,
    attrs: RoomAttributes,
    readonly createdAt: number,
    public version: string,
    lastSnapshotHash: string | null,
    readonly deps: RoomDeps,
  ) {
    this.phase = attrs.phase;
    this.editorLocked = attrs.editorLocked;
    this.language = attrs.language;
    this.lastSnapshotHash = lastSnapshotHash;
    materializeLayout(doc);
    this.persistence = new RoomPersistence(this);
    this.presence = new RoomAwareness(doc, this.members, deps, () => this.relay.scheduleFlush());
    this.relay = new RoomRelay(this, this.presence, this.onDocUpdate);
    this.chatRoom = new RoomChat(this);
    doc.on('update', this.onDocUpdate);
    this.snapshots = new RoomSnapshots(this);
  }

  /** The last chat messages (a ring of CHAT_RING_SIZE), oldest first. */
  get chat(): ChatMessage[] {
    return this.chatRoom.messages;
  }

  set chat(messages: ChatMessage[]) {
    this.chatRoom.messages = messages;
  }

  /** Last read instant per user. */
  get readMarkers(): Map<string, number> {
    return this.chatRoom.readMarkers;
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

  // ---------------------------------------------------------------- the write rule

  /**
   * The write rule, one with the REST side: observers never; while the editor is locked only interviewers and the
   * host; nobody once the room is finished (it is history) or closed.
   */
  canWrite(m: RoomMember): boolean {
    const role = this.roleOf(m);
    if (this.closed || this.phase === 'finished' || role === 'observer') return false;
    return !this.editorLocked || role === 'interviewer' || m.isHost;
  }

  /** The socket's role now: a role change in the room wins over the role its token was issued with. */
  roleOf(m: RoomMember): CollabRole {
    return this.roleOverrides.get(m.userId) ?? m.role;
  }

  /** A participant's role changed in the room (swap, host assignment); applies to their sockets at once. */
  setRole(userId: string, role: CollabRole): void {
    this.roleOverrides.set(userId, role);
    this.resyncWritersIfAllowed();
  }

  /**
   * An edit the write rule refuses: taken in and undone at once, so it vanishes from its author's screen and never
   * reaches anyone else (src/collab/write-rule.ts).
   */
  rejectUpdate(m: RoomMember, state: MemberState, update: Uint8Array): void {
    this.deps.stats.droppedWrites++;
    if (!updateHasContent(update)) return;
    // the author's earlier updates still queued go first (relayed if they were allowed, reverted if not)
    if (this.relay.hasQueuedFrom(m)) this.relay.sendPending();
    this.relay.applyUnapplied();
    let complete: boolean;
    try {
      complete = applyAndRevert(this.doc, update, REJECTED_ORIGIN);
    } catch (err) {
      this.deps.stats.invalidFrames++;
      this.deps.logger.debug({ err, roomId: this.roomId, userId: m.userId }, 'rejected Yjs update failed to apply');
      return;
    }
    if (!complete) this.relay.requestResync(m, state, Date.now());
  }

  /** After the rules changed: sockets whose writes were dropped and that may write now re-send what they hold. */
  private resyncWritersIfAllowed(): void {
    const now = Date.now();
    for (const [m, state] of this.members) {
      if (state.droppedWrite && this.canWrite(m)) {
        state.droppedWrite = false;
        state.lastResyncAt = 0;
        this.relay.requestResync(m, state, now);
      }
    }
  }

  // ---------------------------------------------------------------- membership

  /** Add a joined socket; a previous socket of the same user is closed with 4409 first. */
  join(m: RoomMember, now = Date.now()): void {
    const previous = this.byUser.get(m.userId);
    if (previous && previous !== m) {
      this.leave(previous, { notify: false });
      previous.close(4409, 'Replaced by new connection', 'replaced');
    }
    this.members.set(m, newMemberState());
    this.byUser.set(m.userId, m);
    this.deps.onJoin(this);

    this.chatRoom.firstJoin(m.userId, now);
    m.sendEvent(new PreparedEvent('room-state', { phase: this.phase, editorLocked: this.editorLocked }));
    m.sendEvent(new PreparedEvent('chat-history', { messages: this.chat, readStates: this.chatRoom.readStates() }));
    this.relay.applyUnapplied();
    m.sendBinary(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    if (this.presence.hasStates()) m.sendBinary(this.presence.stateFrame());
  }

  /** Remove a socket (closing it is the caller's business). `notify` sends the user-disconnected callback. */
  leave(m: RoomMember, opts: { notify: boolean }): void {
    const state = this.members.get(m);
    if (!state) return;
    // what this socket sent before it went away is kept (relayed now, while it is still a member)
    if (this.relay.hasQueuedFrom(m)) this.relay.sendPending();
    this.members.delete(m);
    if (this.byUser.get(m.userId) === m) this.byUser.delete(m.userId);
    this.presence.forget(m, state);
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
      case 'sync-step1':
        this.answerSyncStep1(m, msg.stateVector);
        return;
      case 'sync-step2':
      case 'sync-update':
        if (this.canWrite(m)) this.relay.queue(m, msg.update);
        else this.rejectUpdate(m, state, msg.update);
        return;
      case 'awareness':
        this.presence.handle(m, state, msg.update);
        return;
      case 'query-awareness':
        m.sendBinary(this.presence.stateFrame());
        return;
      case 'event':
        onEvent(msg.json);
        return;
      default:
        return;
    }
  }

  private answerSyncStep1(m: RoomMember, stateVector: Uint8Array): void {
    this.relay.applyUnapplied();
    let reply: Uint8Array;
    try {
      reply = Y.encodeStateAsUpdate(this.doc, stateVector);
    } catch {
      this.deps.stats.invalidFrames++;
      return;
    }
    m.sendBinary(encodeSyncStep2(reply));
  }

  /** Client text events after join (chat). */
  handleClientEvent(m: RoomMember, type: string, data: unknown): Promise<void> | void {
    return this.chatRoom.handleClientEvent(m, type, data);
  }

  /** Wait for queued chat writes (shutdown, tests). */
  drainChat(): Promise<void> {
    return this.chatRoom.drain();
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.persistence.documentChanged();
    if (origin === RELAYED_ORIGIN) return; // its updates went out already
    this.relay.serverChanged(update, origin);
  };

  /** Send everything queued and bring the server's doc up to date (before snapshots, saves, teardown, shutdown). */
  flushNow(): void {
    this.relay.flushNow();
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

  // ---------------------------------------------------------------- persistence and snapshots

  /** Room attributes changed: save soon (not debounced like typing). */
  markMetaDirty(): void {
    this.persistence.attributesChanged();
  }

  /** Save now (see RoomPersistence.persist). */
  persist(): Promise<void> {
    return this.persistence.persist();
  }

  /** Send a code snapshot (see RoomSnapshots.take). */
  takeSnapshot(trigger: SnapshotTrigger, opts: SnapshotOptions = {}): Promise<boolean> {
    return this.snapshots.take(trigger, opts);
  }

  // ---------------------------------------------------------------- room state (internal API)

  /** Run state changes one at a time per room. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.stateQueue.then(fn, fn);
    this.stateQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Apply `{phase, editorLocked, language?}` from the control plane (docs/collab-protocol.md, "Control plane").
   * Going to `finished` takes a strict session_end snapshot first and reverts on failure (throws SnapshotFailedError).
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
    this.announceState(previous, { phaseChanged, lockChanged, languageChanged }, input.changedBy ?? null);
    this.resyncWritersIfAllowed();
  }

  /** The events of a state change, and the snapshots it calls for. */
  private announceState(previous: RoomAttributes, changed: StateChanges, changedBy: string | null): void {
    this.broadcast('room-state', { phase: this.phase, editorLocked: this.editorLocked });
    if (changed.languageChanged) this.broadcast('language-change', { language: this.language, changedBy });
    if (changed.phaseChanged) {
      this.broadcast('phase-change', { phase: this.phase, previousPhase: previous.phase });
      if (this.phase !== 'finished') void this.takeSnapshot('phase_change');
    }
    if (changed.lockChanged) {
      this.broadcast('editor-lock', { locked: this.editorLocked, lockedBy: this.editorLocked ? changedBy : null });
      if (this.editorLocked) void this.takeSnapshot('submission');
    }
  }

  /** Language first, then the broadcast, so the next snapshot already uses it. */
  changeLanguage(language: string, changedBy?: string): void {
    if (this.language !== language) {
      this.language = language;
      this.markMetaDirty();
    }
    this.broadcast('language-change', { language, changedBy: changedBy ?? null });
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
    this.presence.forgetOwners();
  }

  /** Stop timers and free the doc. Call after the last save. */
  teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.deps.history?.forgetRoom(this.roomId);
    this.snapshots.stop();
    this.persistence.stop();
    this.relay.stop();
    this.doc.off('update', this.onDocUpdate);
    this.presence.destroy();
    this.doc.destroy();
  }
}
