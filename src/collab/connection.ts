/**
 * One WebSocket. Lifecycle: token check on connect (4401) → join (by URL path at once, or by the `join` text frame)
 * → room id must equal the token's (4401) → room loaded here or in storage (4004 / 4403) → authorize-join with the
 * control plane, denied or unreachable = 4407 (fail closed) → joined. Binary frames that arrive while the join is
 * being checked are queued and processed right after it (the y-websocket client sends SyncStep1 as soon as the socket
 * opens; dropping it would leave that client unsynced).
 */
import type { WebSocket, RawData } from 'ws';
import type { ControlPlaneCallbacks } from './control-plane-port.js';
import type { CollabLogger, CollabOptions } from './options.js';
import type { RoomRegistry } from './registry.js';
import { CollabTokenError, verifyCollabToken, type CollabKeys, type CollabRole } from './token.js';
import { CloseCode, closeReason, parseClientEvent, type EventMode } from './protocol.js';
import type { CloseKind, CollabStats, PreparedEvent, Room, RoomMember } from './room.js';

export interface ConnectionContext {
  registry: RoomRegistry;
  callbacks: ControlPlaneCallbacks;
  options: CollabOptions;
  logger: CollabLogger;
  jwtSecret: CollabKeys;
  stats: CollabStats;
  connections: Set<Connection>;
}

export interface ConnectionParams {
  /** room id taken from the URL path, or null for the bare path (join frame expected) */
  pathRoomId: string | null;
  token: string | null;
  /** `?events=` override */
  eventMode: EventMode | null;
  remoteAddress: string | undefined;
}

let nextConnectionId = 1;

const TOKEN_REASONS: Record<CollabTokenError['reason'], string> = {
  malformed: 'Invalid token',
  signature: 'Invalid token',
  expired: 'Token expired',
  wrong_type: 'Invalid token type',
  invalid_claims: 'Invalid token claims',
};

export class Connection implements RoomMember {
  readonly id = nextConnectionId++;
  userId = '';
  role: CollabRole = 'observer';
  isHost = false;
  state: 'pending' | 'joining' | 'joined' | 'closed' = 'pending';
  room: Room | null = null;
  alive = true;
  closeKind: CloseKind | null = null;
  readonly mode: EventMode;

  private tokenRoomId = '';
  private queue: Uint8Array[] = [];
  private joinTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private lastRefill = performance.now();

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private readonly params: ConnectionParams,
  ) {
    this.mode = params.eventMode ?? (params.pathRoomId !== null ? 'binary' : 'text');
    this.tokens = ctx.options.rateLimitBurst;
  }

  start(): void {
    this.ctx.connections.add(this);
    this.ws.on('message', this.onMessage);
    this.ws.on('close', this.onClose);
    this.ws.on('pong', () => {
      this.alive = true;
    });
    this.ws.on('error', (err) => this.ctx.logger.debug({ err, userId: this.userId }, 'collab socket error'));

    if (!this.params.token) return this.reject(CloseCode.UNAUTHORIZED, 'Missing token');
    try {
      const claims = verifyCollabToken(this.params.token, this.ctx.jwtSecret);
      this.userId = claims.sub;
      this.role = claims.role;
      this.isHost = claims.isHost;
      this.tokenRoomId = claims.roomId;
    } catch (err) {
      const reason = err instanceof CollabTokenError ? TOKEN_REASONS[err.reason] : 'Invalid token';
      return this.reject(CloseCode.UNAUTHORIZED, reason);
    }
    if (this.params.pathRoomId !== null) {
      void this.join(this.params.pathRoomId);
    } else {
      this.joinTimer = setTimeout(() => {
        if (this.state === 'pending') this.reject(CloseCode.UNAUTHORIZED, 'Join timeout');
      }, this.ctx.options.joinTimeoutMs);
      this.joinTimer.unref();
    }
  }

  // ---------------------------------------------------------------- sending

  sendBinary(frame: Uint8Array): void {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.ctx.options.maxBufferedBytes) {
      this.close(CloseCode.TRY_AGAIN_LATER, 'Slow consumer', 'error');
      return;
    }
    ws.send(frame);
  }

  sendEvent(event: PreparedEvent): void {
    if (this.mode === 'none') return;
    if (this.mode === 'binary') {
      this.sendBinary(event.binary);
      return;
    }
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(event.json);
  }

  close(code: number, reason: string, kind: CloseKind): void {
    if (this.closeKind === null) this.closeKind = kind;
    const ws = this.ws;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, closeReason(reason));
  }

  /** Liveness sweep: terminate if the previous ping went unanswered, else ping again. */
  ping(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /** (a method, so TypeScript does not narrow `state` across awaits) */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private reject(code: number, reason: string): void {
    this.state = 'closed';
    this.queue = [];
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.close(code, reason, 'rejected');
  }

  // ---------------------------------------------------------------- receiving

  /** Token bucket: false when the socket exceeded its frame budget. */
  private take(): boolean {
    const now = performance.now();
    const { rateLimitPerSecond, rateLimitBurst } = this.ctx.options;
    this.tokens = Math.min(rateLimitBurst, this.tokens + ((now - this.lastRefill) / 1000) * rateLimitPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private readonly onMessage = (data: RawData, isBinary: boolean): void => {
    if (this.state === 'closed') return;
    if (!this.take()) {
      this.ctx.logger.warn(
        { userId: this.userId, roomId: this.tokenRoomId, remoteAddress: this.params.remoteAddress },
        'collab socket rate limited',
      );
      if (this.state === 'joined') this.close(CloseCode.RATE_LIMITED, 'Rate limited', 'error');
      else this.reject(CloseCode.RATE_LIMITED, 'Rate limited');
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if (!isBinary) {
      this.onText(buf.toString());
      return;
    }
    if (this.state !== 'joined' || this.room === null) {
      if (this.queue.length < this.ctx.options.maxQueuedFrames) this.queue.push(buf);
      return;
    }
    this.room.handleBinary(this, buf, this.onEventJson);
  };

  private onText(text: string): void {
    const event = parseClientEvent(text);
    if (!event) return;
    if (event.type === 'join') {
      if (this.state !== 'pending') return; // already joining or joined (e.g. by path): nothing to do
      const roomId = (event.data as { roomId?: unknown } | null | undefined)?.roomId;
      if (typeof roomId !== 'string' || roomId.length === 0) {
        this.reject(CloseCode.UNAUTHORIZED, 'Invalid join payload');
        return;
      }
      void this.join(roomId);
      return;
    }
    if (this.state !== 'joined' || this.room === null) return;
    void this.room.handleClientEvent(this, event.type, event.data);
  }

  private readonly onEventJson = (json: string): void => {
    const event = parseClientEvent(json);
    if (!event || event.type === 'join' || this.state !== 'joined' || this.room === null) return;
    void this.room.handleClientEvent(this, event.type, event.data);
  };

  private async join(roomId: string): Promise<void> {
    this.state = 'joining';
    if (this.joinTimer) clearTimeout(this.joinTimer);
    if (roomId !== this.tokenRoomId) return this.reject(CloseCode.UNAUTHORIZED, 'Room ID mismatch');
    const { registry, callbacks, logger } = this.ctx;

    const first = await this.lookup(roomId);
    if (first === null) return;

    let auth: { authorized: boolean; reason?: string };
    try {
      auth = await callbacks.authorizeJoin(roomId, this.userId);
    } catch (err) {
      logger.warn({ err, roomId, userId: this.userId }, 'authorize-join failed; denying (fail closed)');
      auth = { authorized: false, reason: 'authorization-unavailable' };
    }
    if (this.isClosed()) return;
    if (!auth.authorized) return this.reject(CloseCode.FORBIDDEN, auth.reason ?? 'Forbidden');

    // The room may have been unloaded or closed while the control plane was asked.
    const room = registry.live(roomId) ?? (await this.lookup(roomId));
    if (room === null || this.isClosed()) return;
    if (room.closed) return this.reject(CloseCode.ROOM_CLOSED, 'Room closed');
    if (room.tornDown) return this.reject(CloseCode.TRY_AGAIN_LATER, 'Room is reloading'); // defensive; retryable
    this.room = room;
    this.state = 'joined';
    room.join(this);
    const queued = this.queue;
    this.queue = [];
    for (const frame of queued) {
      if (this.state !== 'joined') break;
      room.handleBinary(this, frame, this.onEventJson);
    }
  }

  /** Live room, or null after closing the socket with the matching code. */
  private async lookup(roomId: string): Promise<Room | null> {
    let found;
    try {
      found = await this.ctx.registry.lookup(roomId);
    } catch (err) {
      this.ctx.logger.error({ err, roomId }, 'loading the collab document failed');
      if (this.state !== 'closed') this.reject(1011, 'Internal error');
      return null;
    }
    if (this.isClosed()) return null;
    if (found.status === 'missing') {
      this.reject(CloseCode.ROOM_NOT_FOUND, 'Room not found');
      return null;
    }
    if (found.status === 'closed') {
      this.reject(CloseCode.ROOM_CLOSED, 'Room closed');
      return null;
    }
    if (found.status === 'moved') {
      this.reject(CloseCode.ROOM_MOVED, 'Room moved');
      return null;
    }
    return found.room;
  }

  private readonly onClose = (): void => {
    const wasJoined = this.state === 'joined';
    this.state = 'closed';
    this.queue = [];
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.ctx.connections.delete(this);
    if (wasJoined && this.room) {
      // kicked, replaced, room closed or server shutdown: the room already let go of this socket, no callback
      const notify = this.closeKind === null || this.closeKind === 'error' || this.closeKind === 'left';
      this.room.leave(this, { notify });
    }
  };
}
