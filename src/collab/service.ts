/**
 * The operations behind the collab internal API (docs/collab-protocol.md, "Control plane"), independent of HTTP: the
 * fastify plugin maps them to routes, and an in-process client can call them directly.
 */
import type { RoomPhase } from './control-plane-port.js';
import type { CollabStore } from './persistence.js';
import { CHAT_RING_SIZE, type ChatMessage } from './chat.js';
import { InvalidSnapshotError, RoomMovedError, type LookupResult, type RoomRegistry } from './registry.js';
import { SnapshotFailedError } from './room.js';
import { renderWhiteboard } from './whiteboard.js';

export type CollabErrorCode =
  | 'COLLAB_DOCUMENT_NOT_FOUND'
  | 'COLLAB_DOCUMENT_ALREADY_EXISTS'
  | 'COLLAB_INVALID_REQUEST'
  | 'COLLAB_ROOM_MOVED'
  | 'COLLAB_INTERNAL_ERROR';

export class CollabServiceError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: CollabErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CollabServiceError';
  }
}

const notFound = (roomId: string) =>
  new CollabServiceError(404, 'COLLAB_DOCUMENT_NOT_FOUND', `Document for room ${roomId} not found`);

/** 409 COLLAB_ROOM_MOVED: another collab node of the cluster serves the room; ask it (docs/collab-cluster.md). */
const moved = (roomId: string) =>
  new CollabServiceError(409, 'COLLAB_ROOM_MOVED', `Room ${roomId} is served by another collab node`);

/** Runs `fn`, turning the registry's "another node serves it" into the 409 the API retries on. */
async function onThisNode<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RoomMovedError) throw moved(err.roomId);
    throw err;
  }
}

/** The live room of a lookup; 409 when it is on another node, 404 when there is no open document. */
function liveOr404(roomId: string, found: LookupResult) {
  if (found.status === 'moved') throw moved(roomId);
  if (found.status !== 'live') throw notFound(roomId);
  return found.room;
}

export interface CreateDocumentInput {
  roomId: string;
  initialContentByLanguage?: Record<string, string>;
  initialLanguage?: string;
  initialPhase?: RoomPhase;
  editorLocked?: boolean;
  snapshot?: number[];
}

export interface UpdateStateInput {
  phase: RoomPhase;
  editorLocked: boolean;
  changedBy?: string;
  language?: string;
}

export class CollabService {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly store: CollabStore,
  ) {}

  /** Idempotent: an existing document answers `created:false`, never 409. */
  async createDocument(input: CreateDocumentInput): Promise<{ roomId: string; createdAt: number; created: boolean }> {
    let snapshot: Uint8Array | undefined;
    if (input.snapshot !== undefined) {
      if (!input.snapshot.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
        throw new CollabServiceError(400, 'COLLAB_INVALID_REQUEST', 'snapshot must be an array of bytes');
      }
      snapshot = Uint8Array.from(input.snapshot);
    }
    try {
      const { room, created } = await onThisNode(() => this.registry.create({
        roomId: input.roomId,
        ...(input.initialContentByLanguage ? { initialContentByLanguage: input.initialContentByLanguage } : {}),
        ...(input.initialLanguage ? { initialLanguage: input.initialLanguage } : {}),
        ...(input.initialPhase ? { initialPhase: input.initialPhase } : {}),
        ...(input.editorLocked !== undefined ? { editorLocked: input.editorLocked } : {}),
        ...(snapshot ? { snapshot } : {}),
      }));
      return { roomId: room.roomId, createdAt: room.createdAt, created };
    } catch (err) {
      if (err instanceof InvalidSnapshotError) throw new CollabServiceError(400, 'COLLAB_INVALID_REQUEST', err.message);
      throw err;
    }
  }

  async destroyDocument(roomId: string): Promise<{ roomId: string; finalSnapshot: number[] }> {
    const out = await onThisNode(() => this.registry.destroy(roomId));
    if (!out) throw notFound(roomId);
    return { roomId, finalSnapshot: Array.from(out.finalState) };
  }

  /** Only sockets on this node can be kicked; an unloaded room has none (`kicked:false`). */
  async kick(roomId: string, userId: string, reason?: string): Promise<{ kicked: boolean }> {
    const room = this.registry.live(roomId);
    return { kicked: room ? room.kick(userId, reason) : false };
  }

  async updateState(roomId: string, input: UpdateStateInput): Promise<{ success: true }> {
    const room = liveOr404(roomId, await this.registry.lookup(roomId));
    try {
      await room.exclusive(() => room.updateState(input));
    } catch (err) {
      if (err instanceof SnapshotFailedError) {
        throw new CollabServiceError(500, 'COLLAB_INTERNAL_ERROR', 'session_end snapshot failed; state not changed');
      }
      throw err;
    }
    return { success: true };
  }

  async participantReady(roomId: string, userId: string, isReady: boolean): Promise<{ success: true }> {
    this.registry.live(roomId)?.broadcast('participant-ready', { userId, isReady });
    return { success: true };
  }

  async changeLanguage(roomId: string, language: string, changedBy?: string): Promise<{ success: boolean }> {
    const found = await this.registry.lookup(roomId);
    if (found.status === 'moved') throw moved(roomId);
    if (found.status !== 'live') return { success: false };
    const room = found.room;
    await room.exclusive(async () => room.changeLanguage(language, changedBy));
    return { success: true };
  }

  /** Last `limit` messages (all kept ones without a limit). Served from storage for unloaded or closed rooms. */
  async getChat(roomId: string, limit?: number): Promise<{ messages: ChatMessage[] }> {
    const n = limit !== undefined && limit > 0 ? Math.floor(limit) : undefined;
    const room = this.registry.live(roomId);
    if (room) {
      await room.drainChat();
      return { messages: n !== undefined ? room.chat.slice(-n) : [...room.chat] };
    }
    const stored = await this.store.loadDocument(roomId);
    if (!stored) throw notFound(roomId);
    return { messages: await this.store.loadChat(roomId, n ?? CHAT_RING_SIZE) };
  }

  /** The whiteboard rendered to SVG with its raw records (docs/whiteboard.md); loaded from storage if needed. */
  async exportWhiteboard(roomId: string): Promise<{ roomId: string; svg: string; records: Record<string, unknown>; shapeCount: number; capturedAt: number }> {
    const room = liveOr404(roomId, await this.registry.lookup(roomId));
    const capturedAt = Date.now();
    const { svg, records, shapeCount } = renderWhiteboard(room.currentDoc());
    return { roomId, svg, records, shapeCount, capturedAt };
  }

  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
