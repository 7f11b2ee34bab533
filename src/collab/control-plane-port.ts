/**
 * What the collab plane needs from the control plane (docs/collab-protocol.md, "Control plane"), as a port. The control
 * plane supplies an in-process implementation in role `all`; `httpControlPlaneCallbacks` talks to its internal HTTP
 * routes when the collab runs on its own.
 */
export const ROOM_PHASES = ['waiting', 'warmup', 'coding', 'wrapup', 'finished'] as const;
export type RoomPhase = (typeof ROOM_PHASES)[number];

export const SNAPSHOT_TRIGGERS = ['periodic', 'phase_change', 'submission', 'session_end'] as const;
export type SnapshotTrigger = (typeof SNAPSHOT_TRIGGERS)[number];

/** POST /internal/collab/snapshot body (strict). */
export interface SnapshotPayload {
  roomId: string;
  /** full Yjs state (`Y.encodeStateAsUpdate`) as a byte array */
  snapshot: number[];
  /** text of the active language's buffer */
  code: string;
  language: string;
  /** epoch ms; identical across retries of one snapshot, so the receiver can de-duplicate on it */
  timestamp: number;
  trigger: SnapshotTrigger;
  phase: RoomPhase | null;
}

export interface AuthorizeJoinResult {
  authorized: boolean;
  /** `participant-removed | not-participant | room-finished | room-not-found` when denied */
  reason?: string;
}

export interface UserDisconnectedPayload {
  roomId: string;
  userId: string;
  timestamp: number;
}

export interface HeartbeatPayload {
  participants: Array<{ roomId: string; userId: string }>;
}

export interface ControlPlaneCallbacks {
  /** Every WebSocket join. A rejection or a thrown error denies the join (fail closed, close 4407). */
  authorizeJoin(roomId: string, userId: string): Promise<AuthorizeJoinResult>;
  /** Code snapshot ("snapshot ready"). `{success:false}` or a throw counts as failure (strict triggers roll back). */
  snapshot(payload: SnapshotPayload): Promise<{ success: boolean }>;
  /** A joined socket closed on its own (not kicked, not replaced, not a server shutdown). Best effort. */
  userDisconnected(payload: UserDisconnectedPayload): Promise<void>;
  /** Every liveness sweep with every joined socket; skipped when there is none. Best effort. */
  heartbeat(payload: HeartbeatPayload): Promise<void>;
  /** Raw Yjs state for rooms without a language, and on idle teardown. */
  docSnapshot(roomId: string, state: number[]): Promise<{ success: boolean }>;
}

export class ControlPlaneCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ControlPlaneCallError';
  }
}

export interface HttpCallbackOptions {
  /** per attempt; default 5000 */
  timeoutMs?: number;
  /** retries after the first attempt for POST; default 3 */
  retries?: number;
  /** first backoff; doubled per retry; default 250 */
  baseBackoffMs?: number;
  /** default 4000 */
  maxBackoffMs?: number;
  fetch?: typeof fetch;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function httpControlPlaneCallbacks(
  baseUrl: string,
  secret: string,
  options: HttpCallbackOptions = {},
): ControlPlaneCallbacks {
  const root = baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 3;
  const baseBackoff = options.baseBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 4000;
  const doFetch = options.fetch ?? fetch;

  async function attempt(path: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(`${root}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-secret': secret },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const name = (err as { name?: string }).name;
      const what = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${timeoutMs} ms` : String(err);
      throw new ControlPlaneCallError(`POST ${path}: ${what}`, null, true);
    }
    const text = await res.text();
    if (!res.ok) {
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      throw new ControlPlaneCallError(`POST ${path}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status, retryable);
    }
    if (text.length === 0) return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ControlPlaneCallError(`POST ${path}: response is not JSON`, res.status, false);
    }
  }

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    for (let i = 0; ; i++) {
      try {
        const out = await attempt(path, body);
        return typeof out === 'object' && out !== null ? (out as Record<string, unknown>) : {};
      } catch (err) {
        if (!(err instanceof ControlPlaneCallError) || !err.retryable || i >= retries) throw err;
        await sleep(Math.min(baseBackoff * 2 ** i, maxBackoff));
      }
    }
  }

  const room = (roomId: string) => encodeURIComponent(roomId);

  return {
    async authorizeJoin(roomId, userId) {
      const out = await post(`/internal/rooms/${room(roomId)}/authorize-join`, { userId });
      if (typeof out.authorized !== 'boolean') {
        throw new ControlPlaneCallError('authorize-join: malformed response', 200, false);
      }
      return typeof out.reason === 'string'
        ? { authorized: out.authorized, reason: out.reason }
        : { authorized: out.authorized };
    },
    async snapshot(payload) {
      const out = await post('/internal/collab/snapshot', payload);
      return { success: out.success === true };
    },
    async userDisconnected(payload) {
      await post('/internal/collab/user-disconnected', payload);
    },
    async heartbeat(payload) {
      await post('/internal/participants/heartbeat', payload);
    },
    async docSnapshot(roomId, state) {
      const out = await post(`/internal/rooms/${room(roomId)}/doc-snapshot`, { state });
      return { success: out.success === true };
    },
  };
}
