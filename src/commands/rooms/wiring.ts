/** The rooms module's part of every role: the collab client, and its numbers in the users endpoints. */
import { createHttpCollabClient } from '../../infra/collab-client/index.js';
import { registerSessionUsage } from '../../projections/sessions/usage.js';
import type { AppContext } from '../../runtime/context.js';

/** Where the control plane reaches the collab internal API. */
export function collabBaseUrl(ctx: AppContext): string {
  return ctx.config.COLLAB_PLANE_URL || `http://127.0.0.1:${ctx.config.PORT}`;
}

/**
 * Installs the collab client on the context. With COLLAB_PLANE_URL empty (role `all`) it points at this process's
 * own port, where the collab internal API is served on the same fastify instance. Whoever mounts the collab server
 * in-process may replace `ctx.collab` with the collab package's in-process client.
 */
export function collabWiring(ctx: AppContext): void {
  if (ctx.collab) return;
  const client = createHttpCollabClient({ baseUrl: collabBaseUrl(ctx), secret: ctx.config.INTERNAL_CALLBACK_SECRET });
  ctx.collab = client;
  ctx.closers.push(async () => client.shutdown());
}

export function roomsWiring(ctx: AppContext): void {
  collabWiring(ctx);
  registerSessionUsage();
}
