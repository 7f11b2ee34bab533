/**
 * Test harness for the collab plane: a real collab server on an ephemeral port over a fresh Postgres schema, an
 * in-memory control plane that records every callback, and real y-websocket clients.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import type {
  AuthorizeJoinResult,
  ControlPlaneCallbacks,
  HeartbeatPayload,
  SnapshotPayload,
  UserDisconnectedPayload,
} from '../../src/collab/control-plane-port.js';
import { startStandaloneCollab, type StandaloneCollab } from '../../src/collab/standalone.js';
import type { CollabOptions } from '../../src/collab/options.js';
import { signCollabToken, type CollabRole } from '../../src/collab/token.js';
import type { DatabaseHandle } from '../../src/infra/db/database.js';

// every WebsocketProvider adds a process exit listener
process.setMaxListeners(100);

export const JWT_SECRET = 'collab-test-jwt-secret-0123456789abcdef';
export const INTERNAL_SECRET = 'collab-test-internal-secret-0123456789';

/** Records every callback; join denials and failures are switchable per test. */
export class FakeControlPlane implements ControlPlaneCallbacks {
  readonly authorizeCalls: Array<{ roomId: string; userId: string }> = [];
  readonly snapshots: SnapshotPayload[] = [];
  readonly disconnects: UserDisconnectedPayload[] = [];
  readonly heartbeats: HeartbeatPayload[] = [];
  readonly docSnapshots: Array<{ roomId: string; state: number[] }> = [];
  readonly denied = new Map<string, string>();
  unreachable = false;
  snapshotSucceeds = true;

  deny(roomId: string, userId: string, reason = 'participant-removed'): void {
    this.denied.set(`${roomId}:${userId}`, reason);
  }

  async authorizeJoin(roomId: string, userId: string): Promise<AuthorizeJoinResult> {
    this.authorizeCalls.push({ roomId, userId });
    if (this.unreachable) throw new Error('control plane unreachable');
    const reason = this.denied.get(`${roomId}:${userId}`);
    return reason ? { authorized: false, reason } : { authorized: true };
  }
  async snapshot(payload: SnapshotPayload): Promise<{ success: boolean }> {
    if (!this.snapshotSucceeds) return { success: false };
    this.snapshots.push(payload);
    return { success: true };
  }
  async userDisconnected(payload: UserDisconnectedPayload): Promise<void> {
    this.disconnects.push(payload);
  }
  async heartbeat(payload: HeartbeatPayload): Promise<void> {
    this.heartbeats.push(payload);
  }
  async docSnapshot(roomId: string, state: number[]): Promise<{ success: boolean }> {
    this.docSnapshots.push({ roomId, state });
    return { success: true };
  }
}

export interface TestCollab extends StandaloneCollab {
  wsUrl: string;
  httpUrl: string;
  internal(method: string, path: string, body?: unknown, secret?: string | null): Promise<{ status: number; body: any }>;
  createRoom(roomId: string, body?: Record<string, unknown>): Promise<void>;
}

export async function startCollab(
  { db, url, schema }: DatabaseHandle,
  callbacks: ControlPlaneCallbacks,
  options: Partial<CollabOptions> = {},
): Promise<TestCollab> {
  const node = await startStandaloneCollab({
    db,
    database: { url, schema },
    callbacks,
    secrets: { collabJwtSecret: JWT_SECRET, internalSecret: INTERNAL_SECRET },
    options: { snapshotIntervalMs: 0, persistDebounceMs: 50, persistMaxWaitMs: 200, ...options },
    host: '127.0.0.1',
    port: 0,
  });
  const httpUrl = `http://127.0.0.1:${node.port}`;
  const internal = async (method: string, path: string, body?: unknown, secret: string | null = INTERNAL_SECRET) => {
    const headers: Record<string, string> = {};
    if (secret !== null) headers['x-internal-secret'] = secret;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${httpUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ...node,
    wsUrl: `ws://127.0.0.1:${node.port}/ws`,
    httpUrl,
    internal,
    async createRoom(roomId, body = {}) {
      const res = await internal('POST', '/internal/documents', { roomId, ...body });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    },
  };
}

export function token(
  userId: string,
  roomId: string,
  role: CollabRole,
  isHost = false,
  opts: { secret?: string; ttlSeconds?: number } = {},
): string {
  return signCollabToken({ userId, roomId, role, isHost }, opts.secret ?? JWT_SECRET, {
    ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {}),
  });
}

export interface Peer {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** room events received (binary type 100) */
  events: Array<{ type: string; data: any; timestamp: number }>;
  /** close codes the provider saw */
  closes: Array<{ code: number; reason: string }>;
  /** set when the provider gave up reconnecting (terminal close) */
  terminal: { code: number; reason: string } | null;
  text(): string;
  destroy(): void;
}

/** A real y-websocket client. `disableBc` keeps same-process peers from syncing behind the server's back. */
export function peer(wsUrl: string, roomId: string, tok: string, language = 'python'): Peer {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, roomId, doc, {
    params: { token: tok },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
  const p: Peer = {
    doc,
    provider,
    events: [],
    closes: [],
    terminal: null,
    text: () => doc.getText(`code:${language}`).toString(),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
  provider.messageHandlers[100] = (_encoder: unknown, decoder: decoding.Decoder) => {
    p.events.push(JSON.parse(decoding.readVarString(decoder)));
  };
  provider.on('connection-close', (event: { code: number; reason: string } | null) => {
    if (event) p.closes.push({ code: event.code, reason: String(event.reason) });
  });
  provider.on('closed', (event: { code: number; reason: string }) => {
    p.terminal = { code: event.code, reason: String(event.reason) };
  });
  return p;
}

export async function waitFor(check: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function synced(p: Peer, timeoutMs = 5000): Promise<void> {
  await waitFor(() => p.provider.synced, 'provider sync', timeoutMs);
}

/** A raw ws client that records text frames, binary frames and the close. */
export interface RawClient {
  ws: WebSocket;
  texts: Array<{ type: string; data: any; timestamp: number }>;
  binaries: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
}

export function raw(url: string, headers: Record<string, string> = {}, options: { autoPong?: boolean } = {}): RawClient {
  const ws = new WebSocket(url, { headers, ...options });
  const client: RawClient = {
    ws,
    texts: [],
    binaries: [],
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    opened: new Promise((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    }),
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) client.binaries.push(new Uint8Array(data as Buffer));
    else client.texts.push(JSON.parse(data.toString()));
  });
  return client;
}

let counter = 0;
export function roomId(): string {
  counter++;
  return `00000000-0000-4000-8000-${String(Date.now() % 1e6).padStart(6, '0')}${String(counter).padStart(6, '0')}`;
}
