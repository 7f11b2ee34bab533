/**
 * The rooms this node holds in memory. A room is loaded on demand from `collab_documents` (so a restarted node, or
 * a node that unloaded an idle room, serves the same document), and unloaded `roomTtlMs` after its last socket left.
 * Every load, create, destroy and unload of one room id runs under a per-room lock.
 */
import * as Y from 'yjs';
import type { ControlPlaneCallbacks, RoomPhase } from './control-plane-port.js';
import type { CollabStore, StoredDocument } from './persistence.js';
import type { CollabLogger, CollabOptions } from './options.js';
import { LatencyHistogram } from './metrics.js';
import type { EditHistory } from './history.js';
import { CHAT_RING_SIZE, type ChatMessage, type ChatReadState } from './chat.js';
import { Room, SERVER_ORIGIN, materializeLayout, type CollabStats, type RoomAttributes } from './room.js';
import { CloseCode } from './protocol.js';
import type { RoomOwnership } from './cluster/node.js';

/** `moved`: another collab node serves the room (only with several nodes, docs/collab-cluster.md). */
export type LookupResult = { status: 'live'; room: Room } | { status: 'closed' } | { status: 'missing' } | { status: 'moved' };

export interface CreateRoomInput {
  roomId: string;
  initialContentByLanguage?: Record<string, string>;
  initialLanguage?: string;
  initialPhase?: RoomPhase;
  editorLocked?: boolean;
  /** Yjs update bytes to start from (applied instead of the seed content) */
  snapshot?: Uint8Array;
}

export class InvalidSnapshotError extends Error {}

/** The room belongs to another collab node: the caller asks the API again for its owner. */
export class RoomMovedError extends Error {
  constructor(readonly roomId: string) {
    super(`room ${roomId} is served by another collab node`);
    this.name = 'RoomMovedError';
  }
}

export class RoomRegistry {
  readonly rooms = new Map<string, Room>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly ttlTimers = new Map<string, NodeJS.Timeout>();
  private closing = false;
  /** set on a node of a cluster: loading a room here first takes its lease */
  ownership: RoomOwnership | undefined;

  constructor(
    private readonly store: CollabStore,
    private readonly callbacks: ControlPlaneCallbacks,
    private readonly options: CollabOptions,
    private readonly logger: CollabLogger,
    readonly stats: CollabStats,
    readonly propagation: LatencyHistogram = new LatencyHistogram(),
    readonly history?: EditHistory,
  ) {}

  /** Serialise work on one room id. */
  withLock<T>(roomId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(roomId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(roomId, tail);
    void tail.then(() => {
      if (this.locks.get(roomId) === tail) this.locks.delete(roomId);
    });
    return run;
  }

  /** The loaded, open room (not torn down, not closed). */
  live(roomId: string): Room | undefined {
    const room = this.rooms.get(roomId);
    return room && !room.tornDown && !room.closed ? room : undefined;
  }

  /** The live room, loading it from storage if needed. */
  async lookup(roomId: string): Promise<LookupResult> {
    const live = this.live(roomId);
    if (live) return { status: 'live', room: live };
    return this.withLock(roomId, async () => {
      const again = this.live(roomId);
      if (again) return { status: 'live', room: again } as const;
      const loaded = this.rooms.get(roomId);
      if (loaded && !loaded.tornDown && loaded.closed) return { status: 'closed' } as const;
      if (!(await this.acquire(roomId))) return { status: 'moved' } as const;
      const stored = await this.loadOrRelease(roomId);
      if (!stored) return { status: 'missing' } as const;
      if (stored.closedAt !== null) return { status: 'closed' } as const;
      return { status: 'live', room: await this.instantiate(stored) } as const;
    });
  }

  /** Without a cluster every room is ours; in one, the room's lease (taken or already held). */
  private async acquire(roomId: string): Promise<boolean> {
    return this.ownership ? this.ownership.acquire(roomId) : true;
  }

  private async release(roomId: string): Promise<void> {
    await this.ownership?.release(roomId);
  }

  /** The stored document; the lease is given back when there is no open one to serve. */
  private async loadOrRelease(roomId: string): Promise<StoredDocument | null> {
    const stored = await this.store.loadDocument(roomId).catch(async (err: unknown) => {
      await this.release(roomId);
      throw err;
    });
    if (!stored || stored.closedAt !== null) await this.release(roomId);
    return stored;
  }

  private async instantiate(stored: StoredDocument): Promise<Room> {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state, SERVER_ORIGIN);
    return this.newRoom(
      stored.roomId,
      doc,
      { phase: stored.phase, editorLocked: stored.editorLocked, language: stored.language },
      stored.createdAt,
      stored.version,
      stored.lastSnapshotHash,
    );
  }

  /** Build a room around `doc`, with its stored chat, and register it. */
  private async newRoom(
    roomId: string,
    doc: Y.Doc,
    attrs: RoomAttributes,
    createdAt: number,
    version: string,
    lastSnapshotHash: string | null,
  ): Promise<Room> {
    let chat: ChatMessage[];
    let reads: ChatReadState[];
    try {
      [chat, reads] = await Promise.all([
        this.store.loadChat(roomId, CHAT_RING_SIZE),
        this.store.loadReadMarkers(roomId),
      ]);
    } catch (err) {
      doc.destroy();
      throw err;
    }
    if (this.closing) {
      doc.destroy();
      throw new Error('collab server is shutting down');
    }
    const room = new Room(roomId, doc, attrs, createdAt, version, lastSnapshotHash, {
      store: this.store,
      callbacks: this.callbacks,
      logger: this.logger,
      options: this.options,
      stats: this.stats,
      propagation: this.propagation,
      onEmpty: (r) => this.scheduleTtl(r),
      onJoin: (r) => this.cancelTtl(r.roomId),
      ...(this.history ? { history: this.history } : {}),
    });
    room.chat = chat;
    for (const r of reads) room.readMarkers.set(r.userId, r.lastReadAt);
    this.rooms.set(roomId, room);
    // Loaded rooms nobody joins must not stay forever either (docs/architecture.md, "Memory").
    this.scheduleTtl(room, Math.min(this.options.unjoinedRoomTtlMs, this.options.roomTtlMs));
    return room;
  }

  /**
   * Create (or find) the document of a room: `{room, created}`. Existing documents — in memory or in storage —
   * are returned as they are (`created:false`, language updated if a different `initialLanguage` is given); a
   * closed one is reopened with its stored content.
   */
  async create(input: CreateRoomInput): Promise<{ room: Room; created: boolean }> {
    return this.withLock(input.roomId, async () => {
      const stale = this.rooms.get(input.roomId);
      if (stale && stale.closed) this.forget(stale); // closed elsewhere, still in memory: make way for a reopen
      if (!this.live(input.roomId) && !(await this.acquire(input.roomId))) throw new RoomMovedError(input.roomId);
      const existing = this.live(input.roomId) ?? (await this.loadOpen(input.roomId));
      if (existing) {
        if (input.initialLanguage && input.initialLanguage !== existing.language) {
          existing.changeLanguage(input.initialLanguage);
        }
        return { room: existing, created: false };
      }
      const stored = await this.store.loadDocument(input.roomId);
      const doc = new Y.Doc();
      if (stored) Y.applyUpdate(doc, stored.state, SERVER_ORIGIN);
      if (input.snapshot && input.snapshot.length > 0) {
        try {
          Y.applyUpdate(doc, input.snapshot, SERVER_ORIGIN);
        } catch {
          doc.destroy();
          throw new InvalidSnapshotError('snapshot is not a valid Yjs update');
        }
      } else if (!stored) {
        doc.transact(() => {
          for (const [language, text] of Object.entries(input.initialContentByLanguage ?? {})) {
            if (typeof text === 'string' && text.length > 0) doc.getText(`code:${language}`).insert(0, text);
          }
        }, SERVER_ORIGIN);
      }
      materializeLayout(doc);
      const attrs: RoomAttributes = {
        phase: input.initialPhase ?? 'waiting',
        editorLocked: input.editorLocked ?? false,
        language: input.initialLanguage ?? stored?.language ?? null,
      };
      const now = Date.now();
      const write = {
        state: Y.encodeStateAsUpdate(doc),
        ...attrs,
        lastSnapshotHash: null,
        closed: false,
      };
      if (stored) {
        // reopen a closed document: same row, next version
        const version = await this.store.saveDocument(input.roomId, stored.version, write);
        if (version === null) {
          doc.destroy();
          throw new Error(`collab document ${input.roomId} changed while reopening`);
        }
        return { room: await this.newRoom(input.roomId, doc, attrs, now, version, null), created: true };
      }
      const inserted = await this.store.insertDocument(input.roomId, write, now);
      if (!inserted) {
        // another node created it first: serve theirs
        doc.destroy();
        const theirs = await this.loadOpen(input.roomId);
        if (!theirs) throw new Error(`collab document ${input.roomId} vanished during creation`);
        return { room: theirs, created: false };
      }
      return { room: await this.newRoom(input.roomId, doc, attrs, now, '0', null), created: true };
    });
  }

  private async loadOpen(roomId: string): Promise<Room | null> {
    const stored = await this.store.loadDocument(roomId);
    if (!stored || stored.closedAt !== null) return null;
    return this.instantiate(stored);
  }

  /**
   * Close a room for good (DELETE): non-strict session_end snapshot (skipped if the same code was already sent as
   * session_end), sockets closed with 4403, final state stored with `closed_at`. Null if the room is unknown.
   */
  async destroy(roomId: string): Promise<{ finalState: Uint8Array } | null> {
    return this.withLock(roomId, async () => {
      let room = this.live(roomId);
      if (!room) {
        if (!(await this.acquire(roomId))) throw new RoomMovedError(roomId);
        room = (await this.loadOpen(roomId)) ?? undefined;
      }
      if (!room) {
        await this.release(roomId);
        return null;
      }
      this.cancelTtl(roomId);
      await room.exclusive(async () => {
        await room.takeSnapshot('session_end', { dedupe: 'session_end' });
        room.closed = true;
        room.closeAll(4403, 'Room closed', 'room-closed');
        room.markMetaDirty();
        await room.persist();
      });
      const finalState = Y.encodeStateAsUpdate(room.doc);
      // a room destroyed before it finished takes its session — and the session's edit history — with it
      if (this.history && room.phase !== 'finished') await this.history.discardRoom(roomId);
      this.forget(room);
      await this.release(roomId);
      return { finalState };
    });
  }

  scheduleTtl(room: Room, ttlMs = this.options.roomTtlMs): void {
    if (room.size > 0 || room.tornDown || this.closing) return;
    this.cancelTtl(room.roomId);
    const timer = setTimeout(() => {
      this.ttlTimers.delete(room.roomId);
      void this.expire(room);
    }, ttlMs);
    timer.unref();
    this.ttlTimers.set(room.roomId, timer);
  }

  cancelTtl(roomId: string): void {
    const timer = this.ttlTimers.get(roomId);
    if (timer) {
      clearTimeout(timer);
      this.ttlTimers.delete(roomId);
    }
  }

  /**
   * Idle teardown (docs/collab-protocol.md, "Liveness and lifetime"): session_end snapshot unless this code was
   * already sent, raw state to the doc-snapshot callback, save, unload. If the save fails the room stays loaded and
   * the TTL starts again.
   */
  private async expire(room: Room): Promise<void> {
    await this.withLock(room.roomId, async () => {
      if (room.size > 0 || room.tornDown || this.rooms.get(room.roomId) !== room) return;
      if (room.closed) {
        this.forget(room); // closed by another node: nothing left to send
        await this.release(room.roomId);
        return;
      }
      try {
        await room.exclusive(async () => {
          await room.takeSnapshot('session_end', { dedupe: 'any' });
          await this.callbacks
            .docSnapshot(room.roomId, Array.from(Y.encodeStateAsUpdate(room.doc)))
            .catch((err: unknown) => this.logger.warn({ err, roomId: room.roomId }, 'doc-snapshot callback failed'));
          await room.persist();
        });
      } catch (err) {
        this.logger.error({ err, roomId: room.roomId }, 'idle room could not be saved; keeping it loaded');
        this.scheduleTtl(room);
        return;
      }
      if (room.size > 0) return; // somebody joined while we were saving
      this.forget(room);
      await this.release(room.roomId);
    });
  }

  /**
   * Stop serving a room here (cluster, docs/collab-cluster.md): sockets closed with 4012 so clients ask the API
   * for the owner again, the document saved (a save that meets a newer stored version merges it first), unloaded.
   * `handOff` (the room has a new owner) gives the lease back so the owner starts at once; `evict` (the lease is
   * gone already) does not touch it.
   */
  async handOff(roomId: string, mode: 'handOff' | 'evict' = 'handOff'): Promise<void> {
    await this.withLock(roomId, async () => {
      const room = this.rooms.get(roomId);
      if (!room || room.tornDown) return;
      this.cancelTtl(roomId);
      try {
        await room.exclusive(async () => {
          room.closeAll(CloseCode.ROOM_MOVED, 'Room moved', 'shutdown');
          await room.drainChat();
          await room.persist();
        });
      } catch (err) {
        this.logger.error({ err, roomId }, 'room could not be saved before leaving this node');
        if (mode === 'handOff') {
          this.scheduleTtl(room);
          return; // keep the lease and the unsaved edits; the next heartbeat tries again
        }
      }
      this.forget(room);
      if (mode === 'handOff') await this.release(roomId);
    });
  }

  private forget(room: Room): void {
    this.cancelTtl(room.roomId);
    room.teardown();
    if (this.rooms.get(room.roomId) === room) this.rooms.delete(room.roomId);
  }

  /**
   * Shutdown: save every room, close sockets with 1012 (clients reconnect) — or 4012 on a node of a cluster (the
   * rooms move to other nodes: clients fetch the room again for its new collabUrl) —, unload.
   */
  async closeAll(): Promise<void> {
    const code = this.ownership ? CloseCode.ROOM_MOVED : CloseCode.SERVICE_RESTART;
    this.closing = true;
    for (const timer of this.ttlTimers.values()) clearTimeout(timer);
    this.ttlTimers.clear();
    const rooms = [...this.rooms.values()];
    await Promise.all(
      rooms.map(async (room) => {
        room.closeAll(code, code === CloseCode.ROOM_MOVED ? 'Room moved' : 'Service restart', 'shutdown');
        await room.drainChat();
        try {
          await room.persist();
          await this.release(room.roomId); // saved: the next owner may start at once
        } catch (err) {
          this.logger.error({ err, roomId: room.roomId }, 'final save failed at shutdown');
        }
        this.forget(room);
      }),
    );
  }
}
