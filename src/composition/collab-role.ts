/**
 * Where the collab plane runs. Role `all`: inside this process — the control plane calls it directly (no HTTP hop),
 * it calls the control plane's command handlers directly, and its WebSocket shares the API's port under /ws.
 * Role `collab`: on its own port (COLLAB_PORT) with its internal HTTP API, calling back CONTROL_PLANE_URL; with
 * COLLAB_CLUSTER one node of several, serving the rooms it owns (docs/collab-cluster.md).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Server } from 'node:http';
import { createCollabServer, type CollabServer } from '../collab/server.js';
import { httpControlPlaneCallbacks } from '../collab/control-plane-port.js';
import { inProcessCollabClient } from '../collab/in-process-client.js';
import { startRoomEventFeed } from '../collab/room-events.js';
import { startStandaloneCollab } from '../collab/standalone.js';
import { CollabClusterNode } from '../collab/cluster/node.js';
import { inProcessControlPlaneCallbacks } from './collab-callbacks.js';
import { jwtKeys } from '../infra/jwt/keyring.js';
import type { AppContext } from './context.js';

function collabLogger(ctx: AppContext) {
  return ctx.logger.child({ plane: 'collab' });
}

function databaseOf(ctx: AppContext) {
  return { url: ctx.config.DATABASE_URL, schema: ctx.schema };
}

function secrets(ctx: AppContext) {
  return { collabJwtSecret: jwtKeys(ctx.config, 'collab'), internalSecret: ctx.config.INTERNAL_CALLBACK_SECRET };
}

/** Role `all`: create the collab server in process and make the control plane use it directly. */
export function embedCollab(ctx: AppContext): CollabServer {
  const collab = createCollabServer({ db: ctx.db, database: databaseOf(ctx), callbacks: inProcessControlPlaneCallbacks(ctx), secrets: secrets(ctx), logger: collabLogger(ctx) });
  ctx.collab = inProcessCollabClient(collab.service);
  const feed = startRoomEventFeed(ctx.store, collab.registry, collabLogger(ctx));
  ctx.closers.push(() => feed.stop());
  ctx.health.set('collab', async () => {
    await collab.service.health();
  });
  return collab;
}

/** Serve the embedded collab's WebSocket on the API's HTTP server (path /ws). */
export function attachCollabUpgrade(collab: CollabServer, server: Server): void {
  server.on('upgrade', (req, socket, head) => {
    if (!collab.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}

/** This node's place in a cluster: its id and the URLs it announces (COLLAB_NODE_*, defaults from HOST/port). */
function clusterNode(ctx: AppContext): CollabClusterNode {
  const c = ctx.config;
  const host = c.HOST === '0.0.0.0' || c.HOST === '::' ? os.hostname() : c.HOST;
  const self = {
    id: c.COLLAB_NODE_ID || randomUUID(),
    publicUrl: c.COLLAB_NODE_PUBLIC_URL || `ws://${host}:${c.COLLAB_PORT}/ws`,
    internalUrl: c.COLLAB_NODE_INTERNAL_URL || `http://${host}:${c.COLLAB_PORT}`,
    startedAt: Date.now(),
  };
  return new CollabClusterNode(ctx.redis, c.REDIS_PREFIX, self, collabLogger(ctx), {
    heartbeatMs: c.COLLAB_NODE_HEARTBEAT_MS,
    nodeTtlMs: c.COLLAB_NODE_TTL_MS,
    leaseMs: c.COLLAB_ROOM_LEASE_MS,
  });
}

/** Role `collab` alone. */
export async function startCollabRole(ctx: AppContext): Promise<() => Promise<void>> {
  const controlPlane = ctx.config.CONTROL_PLANE_URL || `http://127.0.0.1:${ctx.config.PORT}`;
  const cluster = ctx.config.COLLAB_CLUSTER ? clusterNode(ctx) : undefined;
  const running = await startStandaloneCollab({
    db: ctx.db,
    database: databaseOf(ctx),
    callbacks: httpControlPlaneCallbacks(controlPlane, ctx.config.INTERNAL_CALLBACK_SECRET),
    secrets: secrets(ctx),
    logger: collabLogger(ctx),
    host: ctx.config.HOST,
    port: ctx.config.COLLAB_PORT,
    ...(cluster ? { cluster } : {}),
  });
  await running.collab.joinCluster();
  ctx.logger.info({ port: running.port, ...(cluster ? { node: cluster.self } : {}) }, 'collab plane listening');
  const feed = startRoomEventFeed(ctx.store, running.collab.registry, collabLogger(ctx));
  return async () => {
    await running.close(); // first: the rooms are saved and handed to the other nodes as soon as possible
    await feed.stop();
  };
}
