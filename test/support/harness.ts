/**
 * A whole control plane for one test file: its own Postgres schema and Redis prefix, the real event store,
 * projections running, every wiring applied, and the fastify app. Requests go through `app.inject` (full
 * routing, hooks, serialisation) or over a real socket after `listen()`.
 */
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp, type RouteModule } from '../../src/http/app.js';
import { routeModules } from '../../src/http/modules.js';
import type { App } from '../../src/http/types.js';
import { createLogger } from '../../src/infra/observability/logger.js';
import { startProjections, type ProjectionHost } from '../../src/projections/host.js';
import type { Projection } from '../../src/projections/projection.js';
import type { AppContext } from '../../src/composition/context.js';
import { closeContext, createContext } from '../../src/composition/create-context.js';
import { wire } from '../../src/composition/wiring.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './env.js';
import { uniqueName } from './schema.js';

export interface Harness {
  app: App;
  ctx: AppContext;
  config: Config;
  projections: ProjectionHost;
  request(options: InjectOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface InjectOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  url: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  body: any;
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  modules?: readonly RouteModule[];
  projections?: readonly Projection[];
  /** Skip module wirings (platform tests that bring their own authenticator). */
  wire?: boolean;
  setup?: (ctx: AppContext) => void | Promise<void>;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const schema = uniqueName('t');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    DB_SCHEMA: schema,
    REDIS_PREFIX: `test:${schema}`,
    DB_POOL_SIZE: '10',
    PROJECTION_POLL_MS: '200',
    SEED_ON_START: 'false',
    SCHEDULER_ENABLED: 'false',
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const ctx = await createContext(config, { logger, ...(options.projections ? { projections: options.projections } : {}) });
  if (options.wire !== false) await wire(ctx);
  await options.setup?.(ctx);
  const projections = startProjections(
    { databaseUrl: config.DATABASE_URL, db: ctx.db, pool: ctx.pool, store: ctx.store, schema, progress: ctx.progress, logger, batchSize: config.PROJECTION_BATCH_SIZE, onPoison: config.PROJECTION_ON_POISON, standbyRetryMs: 200 },
    ctx.projections,
  );
  const app = await buildApp(ctx, options.modules ?? routeModules);
  await app.ready();

  return {
    app,
    ctx,
    config,
    projections,
    async request({ method, url, token, body, headers }) {
      const raw = await app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      let parsed: unknown = raw.body;
      if ((raw.headers['content-type'] ?? '').toString().includes('json') && raw.body) parsed = JSON.parse(raw.body);
      return { status: raw.statusCode, body: parsed, headers: raw.headers, raw };
    },
    async close() {
      await app.close();
      await projections.stop();
      const keys = await ctx.redis.keys(`${config.REDIS_PREFIX}:*`);
      if (keys.length > 0) await ctx.redis.del(...keys);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(ctx.db).catch(() => undefined);
      await closeContext(ctx);
    },
  };
}
