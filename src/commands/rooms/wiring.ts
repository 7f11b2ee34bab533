/** The rooms module's part of every role: the collab client, and its numbers in the users endpoints. */
import { createHttpCollabClient, type CollabRoute } from '../../infra/collab-client/index.js';
import { CollabNodeDirectory } from '../../infra/collab-nodes/index.js';
import { registerSessionUsage } from '../../projections/sessions/usage.js';
import type { AppContext } from '../../composition/context.js';

/** Where the control plane reaches the collab internal API. */
export function collabBaseUrl(ctx: AppContext): string {
  return ctx.config.COLLAB_PLANE_URL || `http://127.0.0.1:${ctx.config.PORT}`;
}

/**
 * Installs the collab client on the context. With COLLAB_PLANE_URL empty (role `all`) it points at this process's
 * own port, where the collab internal API is served on the same fastify instance. Whoever mounts the collab server
 * in-process may replace `ctx.collab` with the collab package's in-process client.
 */
export async function collabWiring(ctx: AppContext): Promise<void> {
  if (ctx.collab) return;
  const route = ctx.config.COLLAB_CLUSTER ? await collabNodesRoute(ctx) : undefined;
  const client = createHttpCollabClient({
    baseUrl: collabBaseUrl(ctx),
    secret: ctx.config.INTERNAL_CALLBACK_SECRET,
    ...(route ? { route } : {}),
  });
  ctx.collab = client;
  ctx.closers.push(async () => client.shutdown());
}

/**
 * Several collab nodes (COLLAB_CLUSTER, docs/collab-cluster.md): the live nodes are read from Redis in the
 * background; each room's calls go to its owner, and the room views hand out the owner's WebSocket URL.
 */
async function collabNodesRoute(ctx: AppContext): Promise<CollabRoute> {
  const directory = new CollabNodeDirectory(ctx.redis, ctx.config.REDIS_PREFIX, {
    onError: (err) => ctx.logger.warn({ err }, 'collab node list could not be read'),
  });
  await directory.start();
  ctx.collabNodes = directory;
  ctx.closers.push(async () => directory.stop());
  return {
    baseUrlFor: (roomId) => (roomId === null ? directory.live()[0] : directory.ownerOf(roomId))?.internalUrl,
    refresh: () => directory.refresh(),
  };
}

export async function roomsWiring(ctx: AppContext): Promise<void> {
  await collabWiring(ctx);
  registerSessionUsage();
}
