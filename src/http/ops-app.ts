/**
 * The ops endpoints of a role that serves no API (worker, projector, collab): /health, /health/live,
 * /health/ready and /metrics on a port of its own (`WORKER_OPS_PORT`, `PROJECTOR_OPS_PORT`, `COLLAB_OPS_PORT`),
 * so orchestrators probe and scrape every process the same way.
 */
import Fastify, { LogController } from 'fastify';
import type { AppContext } from '../composition/context.js';
import { envelope, sendError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import type { App } from './types.js';

export async function startOpsServer(ctx: AppContext, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ plane: 'ops' }),
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as App;
  app.setErrorHandler((err, request, reply) => sendError(reply, request, err));
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(envelope(404, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });
  healthRoutes(app, ctx);
  const url = await app.listen({ port, host: ctx.config.HOST });
  ctx.logger.info({ url }, 'ops endpoints listening');
  return { url, close: () => app.close() };
}
