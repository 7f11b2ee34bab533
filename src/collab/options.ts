/**
 * Tunables of the collab plane. The server takes them as parameters (config wiring is the caller's job); every field
 * has a default, and the ones a client notices are described in docs/collab-protocol.md.
 */
export interface CollabLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: CollabLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export interface CollabOptions {
  /** URL prefix the WebSocket is served under; `<path>/<roomId>` joins by path, `<path>` alone expects a join frame. */
  path: string;
  /** how long an empty room stays loaded after its last client left */
  roomTtlMs: number;
  /** how long a room loaded or created without a client stays loaded before one joins (at most `roomTtlMs`) */
  unjoinedRoomTtlMs: number;
  /** per-room update coalescing window (leading edge sends at once, then at most one frame per window) */
  batchWindowMs: number;
  /** relayed socket updates are applied to the server's doc in one transaction at most this long after they went out */
  applyDelayMs: number;
  /** … or as soon as this many are waiting */
  applyMaxQueued: number;
  /** awareness frames of one connection closer than this are coalesced (the latest wins, applied at window end) */
  awarenessThrottleMs: number;
  /** document save: this long after the last change … */
  persistDebounceMs: number;
  /** … but no later than this after the first unsaved change */
  persistMaxWaitMs: number;
  /** periodic code snapshot cadence (skipped when the code hash did not change) */
  snapshotIntervalMs: number;
  /** ping cadence; a socket that missed the previous pong is terminated. Heartbeat callback runs on the same tick. */
  pingIntervalMs: number;
  /** a socket on the bare path must send its join frame within this time */
  joinTimeoutMs: number;
  /** largest accepted WebSocket message */
  maxPayloadBytes: number;
  /** a socket with more than this queued for sending is closed (1013) instead of buffering without bound */
  maxBufferedBytes: number;
  /** token bucket per socket: sustained frames per second … */
  rateLimitPerSecond: number;
  /** … and burst size; exceeding it closes with 4029 */
  rateLimitBurst: number;
  /** binary frames kept while a join is being authorised (beyond that they are dropped) */
  maxQueuedFrames: number;
  /** body limit of POST /internal/documents (snapshots travel as JSON byte arrays) */
  maxCreateBodyBytes: number;
}

export const DEFAULT_COLLAB_OPTIONS: CollabOptions = {
  path: '/ws',
  roomTtlMs: 5 * 60_000,
  // its document is saved already: holding it for minutes only costs memory, a join loads it again in milliseconds
  unjoinedRoomTtlMs: 30_000,
  batchWindowMs: 5,
  applyDelayMs: 1000,
  applyMaxQueued: 512,
  awarenessThrottleMs: 50,
  persistDebounceMs: 2_000,
  persistMaxWaitMs: 10_000,
  snapshotIntervalMs: 30_000,
  pingIntervalMs: 30_000,
  joinTimeoutMs: 10_000,
  maxPayloadBytes: 16 * 1024 * 1024,
  maxBufferedBytes: 16 * 1024 * 1024,
  rateLimitPerSecond: 100,
  rateLimitBurst: 300,
  maxQueuedFrames: 256,
  maxCreateBodyBytes: 64 * 1024 * 1024,
};

export function resolveOptions(partial: Partial<CollabOptions> = {}): CollabOptions {
  const out: CollabOptions = { ...DEFAULT_COLLAB_OPTIONS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
  }
  let path = out.path.trim();
  if (!path.startsWith('/')) path = `/${path}`;
  out.path = path.length > 1 ? path.replace(/\/+$/, '') : '/';
  return out;
}
