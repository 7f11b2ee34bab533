/**
 * The collab plane ↔ control plane wiring inside one process.
 *
 * - `inProcessControlPlaneCallbacks(ctx)`: the collab's `ControlPlaneCallbacks` port answered by the control plane's
 *   own command handlers, no HTTP hop (role `all`, and tests that mount the collab server).
 * - `collabWiring`: installs the collab client on the context. With COLLAB_PLANE_URL empty (role `all`) it points at
 *   this process's own port, where the collab internal API is served on the same fastify instance. Whoever mounts the
 *   collab server in-process may replace `ctx.collab` with the collab package's in-process client.
 */
import type { ControlPlaneCallbacks } from '../../collab/control-plane-port.js';
import { authorizeJoin, docSnapshot, heartbeat, snapshotReady, userDisconnected } from '../../commands/rooms/collab-callbacks.js';
import type { AppContext } from '../../runtime/context.js';
import { createHttpCollabClient } from '../collab-client/index.js';

export function inProcessControlPlaneCallbacks(ctx: AppContext): ControlPlaneCallbacks {
  return {
    authorizeJoin: (roomId, userId) => authorizeJoin(ctx, roomId, userId),
    snapshot: (payload) => snapshotReady(ctx, payload),
    async userDisconnected(payload) {
      await userDisconnected(ctx, payload);
    },
    async heartbeat(payload) {
      await heartbeat(ctx, payload);
    },
    docSnapshot: (roomId, state) => docSnapshot(ctx, roomId, state),
  };
}

/** Where the control plane reaches the collab internal API. */
export function collabBaseUrl(ctx: AppContext): string {
  return ctx.config.COLLAB_PLANE_URL || `http://127.0.0.1:${ctx.config.PORT}`;
}

export function collabWiring(ctx: AppContext): void {
  if (ctx.collab) return;
  const client = createHttpCollabClient({ baseUrl: collabBaseUrl(ctx), secret: ctx.config.INTERNAL_CALLBACK_SECRET });
  ctx.collab = client;
  ctx.closers.push(async () => client.shutdown());
}
