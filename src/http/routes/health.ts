/** GET /health (deep: every wired dependency) and GET /metrics (Prometheus). */
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../runtime/context.js';
import type { App } from '../types.js';

const PROBE_TIMEOUT_MS = 2000;

async function probe(check: () => Promise<void>): Promise<'ok' | 'fail'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch {
    return 'fail';
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/health',
    {
      config: { public: true, skipGlobalRateLimit: true },
      schema: {
        tags: ['health'],
        security: [],
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
            services: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('fail')])),
            timestamp: Type.String(),
          }),
        },
      },
    },
    async () => {
      const names = [...ctx.health.keys()];
      const results = await Promise.all(names.map((n) => probe(ctx.health.get(n)!)));
      const services = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
      return { status: results.every((r) => r === 'ok') ? ('ok' as const) : ('degraded' as const), services, timestamp: new Date().toISOString() };
    },
  );

  app.get('/metrics', { config: { public: true, skipGlobalRateLimit: true }, schema: { hide: true } }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
