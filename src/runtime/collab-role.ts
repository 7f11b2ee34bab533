/**
 * Where the collab plane runs. Role `all`: inside this process — the control plane calls it directly (no HTTP hop),
 * it calls the control plane's command handlers directly, and its WebSocket shares the API's port under /ws.
 * Role `collab`: on its own port (COLLAB_PORT) with its internal HTTP API, calling back CONTROL_PLANE_URL.
 */
import type { Server } from 'node:http';
import { createCollabServer, type CollabServer } from '../collab/server.js';
import { httpControlPlaneCallbacks } from '../collab/control-plane-port.js';
import { inProcessCollabClient } from '../collab/in-process-client.js';
import { startRoomEventFeed } from '../collab/room-events.js';
import { startStandaloneCollab } from '../collab/standalone.js';
import { inProcessControlPlaneCallbacks } from './collab-callbacks.js';
import { jwtKeys } from '../infra/jwt/keyring.js';
import type { AppContext } from './context.js';

function collabLogger(ctx: AppContext) {
  return ctx.logger.child({ plane: 'collab' });
}

function secrets(ctx: AppContext) {
  return { collabJwtSecret: jwtKeys(ctx.config, 'collab'), internalSecret: ctx.config.INTERNAL_CALLBACK_SECRET };
}

/** Role `all`: create the collab server in process and make the control plane use it directly. */
export function embedCollab(ctx: AppContext): CollabServer {
  const collab = createCollabServer({ db: ctx.db, callbacks: inProcessControlPlaneCallbacks(ctx), secrets: secrets(ctx), logger: collabLogger(ctx) });
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

/** Role `collab` alone. */
export async function startCollabRole(ctx: AppContext): Promise<() => Promise<void>> {
  const controlPlane = ctx.config.CONTROL_PLANE_URL || `http://127.0.0.1:${ctx.config.PORT}`;
  const running = await startStandaloneCollab({
    db: ctx.db,
    callbacks: httpControlPlaneCallbacks(controlPlane, ctx.config.INTERNAL_CALLBACK_SECRET),
    secrets: secrets(ctx),
    logger: collabLogger(ctx),
    host: ctx.config.HOST,
    port: ctx.config.COLLAB_PORT,
  });
  ctx.logger.info({ port: running.port }, 'collab plane listening');
  const feed = startRoomEventFeed(ctx.store, running.collab.registry, collabLogger(ctx));
  return async () => {
    await feed.stop();
    await running.close();
  };
}
