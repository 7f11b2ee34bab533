/**
 * The collab plane: WebSocket upgrade handler + internal API plugin over one room registry.
 *
 *   const collab = createCollabServer({db, callbacks, secrets, options, logger});
 *   httpServer.on('upgrade', (req, socket, head) => { if (!collab.handleUpgrade(req, socket, head)) socket.destroy(); });
 *   await app.register(collab.internalApi);
 *
 * `handleUpgrade` works on any http.Server and claims only paths under `options.path` (default `/ws`):
 * `<path>/<roomId>?token=…` joins by path (what y-websocket's `WebsocketProvider(collabUrl, roomId, doc,
 * {params: {token}})` opens), `<path>?token=…` expects the `join` text frame.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { WebSocketServer } from 'ws';
import type { ControlPlaneCallbacks } from './control-plane-port.js';
import { resolveOptions, silentLogger, type CollabLogger, type CollabOptions } from './options.js';
import { CollabStore } from './persistence.js';
import { RoomRegistry } from './registry.js';
import { newStats, type CollabStats } from './room.js';
import { Connection, type ConnectionContext } from './connection.js';
import { CollabService } from './service.js';
import { createInternalApi } from './internal-api.js';
import type { EventMode } from './protocol.js';
import type { LatencyHistogram } from './metrics.js';
import { EditHistory, type EditHistoryOptions, type HistoryDatabase } from './history.js';
import type { CollabKeys } from './token.js';
import type { CollabClusterNode } from './cluster/node.js';

export interface CollabSecrets {
  /** COLLAB_JWT_SECRET (or its key set with older secrets): verifies collab tokens */
  collabJwtSecret: CollabKeys;
  /** INTERNAL_CALLBACK_SECRET: required in X-Internal-Secret on the internal API */
  internalSecret: string;
}

export interface CreateCollabServerInput {
  db: Kysely<any>;
  /** where `db` points: the edit history's thread opens a connection of its own there */
  database: HistoryDatabase;
  callbacks: ControlPlaneCallbacks;
  secrets: CollabSecrets;
  options?: Partial<CollabOptions>;
  logger?: CollabLogger;
  /** edit history of sessions (docs/playback.md): on by default; `false` records nothing */
  history?: Partial<EditHistoryOptions> | false;
  /** one node of several (docs/collab-cluster.md): rooms are loaded only under their lease */
  cluster?: CollabClusterNode;
}

export interface CollabServerStats extends CollabStats {
  rooms: number;
  connections: number;
  joinedConnections: number;
}

export interface CollabServer {
  /** Claims the upgrade if the path is under the collab prefix (returns true), else returns false and leaves it. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  internalApi: FastifyPluginAsync;
  service: CollabService;
  registry: RoomRegistry;
  /** the edit history writer (undefined when disabled) */
  history: EditHistory | undefined;
  options: CollabOptions;
  /** Announce this node to the cluster (when there is one); call once it accepts connections. */
  joinCluster(): Promise<void>;
  /** Save every room, close every socket (1012, clients reconnect), stop timers. */
  close(): Promise<void>;
  stats(): CollabServerStats;
  /** server-side propagation delay (socket read → frame out) since start or the last reset */
  propagation: LatencyHistogram;
}

const EVENT_MODES = new Set<EventMode>(['text', 'binary', 'none']);

/** Room id from the request path: undefined = not our path, null = bare prefix (join frame expected). */
export function roomIdFromPath(pathname: string, prefix: string): string | null | undefined {
  let rest: string;
  if (prefix === '/') rest = pathname.slice(1);
  else if (pathname === prefix || pathname === `${prefix}/`) rest = '';
  else if (pathname.startsWith(`${prefix}/`)) rest = pathname.slice(prefix.length + 1);
  else return undefined;
  rest = rest.replace(/\/+$/, '');
  if (rest.length === 0) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1]!.trim() : null;
}

/** Pings every socket and reports who is still in which room, once per ping interval. */
function startHeartbeatSweep(
  connections: ReadonlySet<Connection>,
  callbacks: ControlPlaneCallbacks,
  logger: CollabLogger,
  intervalMs: number,
): NodeJS.Timeout {
  // The check runs after the loop has read pending I/O (setImmediate), so a pong that arrived while this process was
  // busy (a GC pause, a long task) counts: only a socket that really stayed silent for an interval is terminated.
  const sweep = setInterval(() => setImmediate(sweepOnce), intervalMs);
  sweep.unref();
  return sweep;

  function sweepOnce(): void {
    const participants: Array<{ roomId: string; userId: string }> = [];
    for (const conn of connections) {
      conn.ping();
      if (conn.state === 'joined' && conn.room) participants.push({ roomId: conn.room.roomId, userId: conn.userId });
    }
    if (participants.length > 0) {
      callbacks.heartbeat({ participants }).catch((err: unknown) => {
        logger.warn({ err }, 'heartbeat callback failed');
      });
    }
  }
}

/** Takes an HTTP upgrade on the collab path (true) or leaves it to the host (false); refuses with 503 while closing. */
function upgradeHandler(wss: WebSocketServer, ctx: ConnectionContext, isClosing: () => boolean) {
  const { options } = ctx;
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://collab.invalid');
    } catch {
      return false;
    }
    const roomId = roomIdFromPath(url.pathname, options.path);
    if (roomId === undefined) return false;
    if (isClosing()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    const token = url.searchParams.get('token') || bearer(req.headers.authorization);
    const modeParam = url.searchParams.get('events');
    const eventMode = modeParam && EVENT_MODES.has(modeParam as EventMode) ? (modeParam as EventMode) : null;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, ctx, {
        pathRoomId: roomId,
        token,
        eventMode,
        remoteAddress: req.socket.remoteAddress,
      });
      conn.start();
    });
    return true;
  };
}

export function createCollabServer(input: CreateCollabServerInput): CollabServer {
  const options = resolveOptions(input.options);
  const logger = input.logger ?? silentLogger;
  const stats = newStats();
  const store = new CollabStore(input.db);
  const history = input.history === false ? undefined : new EditHistory(input.database, logger, input.history ?? {});
  const registry = new RoomRegistry(store, input.callbacks, options, logger, stats, undefined, history);
  const cluster = input.cluster;
  registry.ownership = cluster;
  const service = new CollabService(registry, store);
  const connections = new Set<Connection>();
  const ctx: ConnectionContext = {
    registry,
    callbacks: input.callbacks,
    options,
    logger,
    jwtSecret: input.secrets.collabJwtSecret,
    stats,
    connections,
  };
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: options.maxPayloadBytes,
  });
  let closing = false;

  const sweep = startHeartbeatSweep(connections, input.callbacks, logger, options.pingIntervalMs);

  const handleUpgrade = upgradeHandler(wss, ctx, () => closing);

  return {
    handleUpgrade,
    internalApi: createInternalApi(service, {
      internalSecret: input.secrets.internalSecret,
      maxCreateBodyBytes: options.maxCreateBodyBytes,
    }),
    service,
    registry,
    history,
    options,
    propagation: registry.propagation,
    async joinCluster() {
      await cluster?.start({
        loadedRoomIds: () => [...registry.rooms.keys()],
        evict: (roomId) => registry.handOff(roomId, 'evict'),
        handOff: (roomId) => registry.handOff(roomId, 'handOff'),
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(sweep);
      await cluster?.stop(); // the API stops handing out this node; the rooms' leases are released as they are saved
      for (const conn of connections) if (conn.state !== 'joined') conn.close(1012, 'Service restart', 'shutdown');
      await registry.closeAll();
      await history?.close(); // after the rooms' last frames: everything accepted is written
      for (const conn of connections) conn.close(1012, 'Service restart', 'shutdown');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    stats() {
      let joined = 0;
      for (const conn of connections) if (conn.state === 'joined') joined++;
      return { ...stats, rooms: registry.rooms.size, connections: connections.size, joinedConnections: joined };
    },
  };
}
