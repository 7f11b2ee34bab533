/**
 * HTTP client of the collab internal API with `X-Internal-Secret`, a 10 s timeout per call, no retries, and opossum
 * circuit breakers around create, destroy and kick. Only transport failures, timeouts and 5xx count
 * against a breaker; a 4xx is the caller's problem, not the collab's health.
 *
 * With several collab nodes (`route`, docs/collab-cluster.md) each call goes to the node that owns its room; when
 * that node cannot be reached or answers 409 COLLAB_ROOM_MOVED, the node list is read again and the call retried
 * (within `retryBudgetMs`) — the window in which a dead node's rooms move to the others.
 */
import CircuitBreaker from 'opossum';
import type {
  CollabChatMessage,
  CollabClient,
  CreateCollabDocumentInput,
  CreateCollabDocumentResult,
  DestroyCollabDocumentResult,
  UpdateCollabStateInput,
  WhiteboardExport,
} from './port.js';
import {
  CollabClientError,
  CollabNotFoundError,
  CollabRequestError,
  CollabTimeoutError,
  CollabUnavailableError,
} from './errors.js';

export interface HttpCollabClientOptions {
  /** collab base URL, e.g. http://collab:3001 */
  baseUrl: string;
  /** INTERNAL_CALLBACK_SECRET */
  secret: string;
  /** default 10 000 */
  timeoutMs?: number;
  breaker?: {
    /** % of failed calls in the rolling window that opens the breaker; default 50 */
    errorThresholdPercentage?: number;
    /** ms before a half-open trial; default 10 000 */
    resetTimeout?: number;
    /** calls in the window before the breaker may open; default 5 */
    volumeThreshold?: number;
    /** rolling window; default 10 000 */
    rollingCountTimeout?: number;
  };
  fetch?: typeof fetch;
  route?: CollabRoute;
}

/** Where a room's calls go when several collab nodes run. */
export interface CollabRoute {
  /** base URL of the node serving `roomId` (any live node for `null`); undefined = `baseUrl` */
  baseUrlFor(roomId: string | null): string | undefined;
  /** re-read the live nodes (after a failed call) */
  refresh(): Promise<unknown>;
  /** how long a call keeps retrying while the room moves; default 8000 ms */
  retryBudgetMs?: number;
}

type Method = 'GET' | 'POST' | 'DELETE';

interface Call {
  method: Method;
  path: string;
  body?: unknown;
  operation: string;
  /** the room the call is about (routes it to the room's node) */
  roomId?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failure after which another node may answer: unreachable, or "the room is on another node". */
function movedOrUnreachable(err: unknown): boolean {
  if (err instanceof CollabUnavailableError) return err.status === null || err.status === 502 || err.status === 503;
  return err instanceof CollabRequestError && err.code === 'COLLAB_ROOM_MOVED';
}

const enc = (s: string) => encodeURIComponent(s);

interface Transport {
  doFetch: typeof fetch;
  secret: string;
  timeoutMs: number;
}

type Breaker = CircuitBreaker<[Call], unknown>;
type Request = (call: Call) => Promise<unknown>;

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** One call to one node: transport failures, timeouts and error answers become the client's typed errors. */
async function requestAt(transport: Transport, base: string, call: Call): Promise<unknown> {
  const { doFetch, timeoutMs } = transport;
  const headers: Record<string, string> = { 'x-internal-secret': transport.secret };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await doFetch(`${base}${call.path}`, {
      method: call.method,
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if (isTimeout(err)) throw new CollabTimeoutError(timeoutMs, call.operation);
    throw new CollabUnavailableError(`collab ${call.operation} failed: ${String((err as Error).message ?? err)}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    if (isTimeout(err)) throw new CollabTimeoutError(timeoutMs, call.operation);
    throw new CollabUnavailableError(`collab ${call.operation}: reading the response failed`);
  }
  const json = parseJsonOrUndefined(text);
  if (res.ok) {
    if (json === undefined) throw new CollabUnavailableError(`collab ${call.operation}: response is not JSON`, res.status);
    return json;
  }
  throw errorOfAnswer(call, res.status, json);
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorOfAnswer(call: Call, status: number, json: unknown): CollabClientError {
  const envelope = (json ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof envelope.code === 'string' ? envelope.code : null;
  const message = `collab ${call.operation}: HTTP ${status}${typeof envelope.message === 'string' ? ` ${envelope.message}` : ''}`;
  if (status === 404) return new CollabNotFoundError(message, 404, code);
  if (status === 409 && code === 'COLLAB_ROOM_MOVED') return new CollabRequestError(message, 409, code);
  if (status >= 500) return new CollabUnavailableError(message, status, code);
  return new CollabRequestError(message, status, code);
}

/** Sends each call to its room's node, re-reading the node list and retrying while the room moves. */
function routedRequest(transport: Transport, root: string, route: CollabRoute | undefined): Request {
  return async function request(call: Call): Promise<unknown> {
    if (!route) return requestAt(transport, root, call);
    const deadline = Date.now() + (route.retryBudgetMs ?? 8000);
    for (let attempt = 0; ; attempt++) {
      const base = route.baseUrlFor(call.roomId ?? null)?.replace(/\/+$/, '') ?? root;
      try {
        return await requestAt(transport, base, call);
      } catch (err) {
        if (!movedOrUnreachable(err) || Date.now() >= deadline) throw err;
        await Promise.all([route.refresh().catch(() => undefined), sleep(Math.min(100 * 2 ** attempt, 1000))]);
      }
    }
  };
}

function createBreakers(request: Request, options: HttpCollabClientOptions) {
  const breakerOptions = {
    timeout: false as const, // the request carries its own abort timeout
    errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
    resetTimeout: options.breaker?.resetTimeout ?? 10_000,
    volumeThreshold: options.breaker?.volumeThreshold ?? 5,
    rollingCountTimeout: options.breaker?.rollingCountTimeout ?? 10_000,
    // true = "not a failure of the collab": 4xx answers do not trip the breaker
    errorFilter: (err: unknown) =>
      err instanceof CollabNotFoundError || err instanceof CollabRequestError,
  };
  return {
    create: new CircuitBreaker<[Call], unknown>(request, { ...breakerOptions, name: 'collab.create' }),
    destroy: new CircuitBreaker<[Call], unknown>(request, { ...breakerOptions, name: 'collab.destroy' }),
    kick: new CircuitBreaker<[Call], unknown>(request, { ...breakerOptions, name: 'collab.kick' }),
  };
}

async function viaBreaker(breaker: Breaker, call: Call, resetTimeoutMs: number): Promise<unknown> {
  try {
    return await breaker.fire(call);
  } catch (err) {
    if (err instanceof CollabClientError) throw err;
    if ((err as { code?: string }).code === 'EOPENBREAKER') {
      throw new CollabUnavailableError(`collab ${call.operation}: circuit open`, null, null, resetTimeoutMs);
    }
    throw new CollabUnavailableError(`collab ${call.operation} failed: ${String(err)}`);
  }
}

const room = (roomId: string) => `/internal/documents/${enc(roomId)}`;

/** The calls that go straight to the node, without a breaker. */
function unguardedCalls(request: Request) {
  return {
    async updateState(roomId: string, input: UpdateCollabStateInput) {
      return (await request({
        method: 'POST',
        path: `${room(roomId)}/state`,
        body: { roomId, ...input },
        operation: 'updateState',
        roomId,
      })) as { success: boolean };
    },
    async participantReady(roomId: string, userId: string, isReady: boolean) {
      return (await request({
        method: 'POST',
        path: `${room(roomId)}/participant-ready`,
        body: { userId, isReady },
        operation: 'participantReady',
        roomId,
      })) as { success: boolean };
    },
    async changeLanguage(roomId: string, language: string, changedBy?: string) {
      return (await request({
        method: 'POST',
        path: `${room(roomId)}/language`,
        body: changedBy !== undefined ? { roomId, language, changedBy } : { roomId, language },
        operation: 'changeLanguage',
        roomId,
      })) as { success: boolean };
    },
    async getChat(roomId: string, limit?: number) {
      const q = limit !== undefined ? `?limit=${encodeURIComponent(String(limit))}` : '';
      return (await request({
        method: 'GET',
        path: `${room(roomId)}/chat${q}`,
        operation: 'getChat',
        roomId,
      })) as { messages: CollabChatMessage[] };
    },
    async health() {
      return (await request({ method: 'GET', path: '/internal/health', operation: 'health' })) as { status: 'ok' };
    },
    async exportWhiteboard(roomId: string) {
      return (await request({ method: 'POST', path: `${room(roomId)}/whiteboard/export`, operation: 'exportWhiteboard', roomId })) as WhiteboardExport;
    },
  };
}

export function createHttpCollabClient(options: HttpCollabClientOptions): CollabClient & {
  breakers: Record<'create' | 'destroy' | 'kick', Breaker>;
  shutdown(): void;
} {
  const root = options.baseUrl.replace(/\/+$/, '');
  const transport: Transport = {
    doFetch: options.fetch ?? fetch,
    secret: options.secret,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  const request = routedRequest(transport, root, options.route);
  const breakers = createBreakers(request, options);
  const resetTimeoutMs = options.breaker?.resetTimeout ?? 10_000;

  return {
    breakers,
    shutdown() {
      for (const b of Object.values(breakers)) b.shutdown();
    },
    async createDocument(input: CreateCollabDocumentInput) {
      return (await viaBreaker(
        breakers.create,
        { method: 'POST', path: '/internal/documents', body: input, operation: 'createDocument', roomId: input.roomId },
        resetTimeoutMs,
      )) as CreateCollabDocumentResult;
    },
    async destroyDocument(roomId: string) {
      return (await viaBreaker(
        breakers.destroy,
        { method: 'DELETE', path: room(roomId), operation: 'destroyDocument', roomId },
        resetTimeoutMs,
      )) as DestroyCollabDocumentResult;
    },
    async kick(roomId: string, userId: string, reason?: string) {
      const body = reason !== undefined ? { userId, reason } : { userId };
      return (await viaBreaker(
        breakers.kick,
        { method: 'POST', path: `${room(roomId)}/kick`, body, operation: 'kick', roomId },
        resetTimeoutMs,
      )) as { kicked: boolean };
    },
    ...unguardedCalls(request),
  };
}
