/** Opens every adapter a process needs (the composition root), after making sure the schema is migrated. */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { createAiAdapters } from '../commands/ai/llm.js';
import { createExecutionAdmission } from '../commands/execution/admission.js';
import { createExecutionQueueGuard } from '../commands/execution/breaker.js';
import { createRefreshSessions } from '../commands/identity/tokens.js';
import type { Config } from '../config.js';
import { DomainError } from '../domain/shared/errors.js';
import { ensureDatabaseExists, ensureSchema, openDatabase } from '../infra/db/database.js';
import { migrateToLatest } from '../infra/db/migrate.js';
import { createEventStore } from '../infra/eventstore/index.js';
import { createMailer } from '../infra/mail/index.js';
import { createLifecycle } from '../infra/observability/lifecycle.js';
import { createLogger } from '../infra/observability/logger.js';
import { createMetrics } from '../infra/observability/metrics.js';
import { createRateLimiter } from '../infra/redis/rate-limiter.js';
import { createRedis } from '../infra/redis/redis.js';
import { createQueueFactory } from '../infra/queue/bullmq.js';
import { listCheckpoints } from '../projections/checkpoints.js';
import { createProgressTracker } from '../projections/progress.js';
import { projections as allProjections } from '../projections/registry.js';
import type { Projection } from '../projections/projection.js';
import { createSlots } from '../workers/ai/slots.js';
import type { AppContext } from './context.js';

export interface ContextOptions {
  logger?: Logger;
  projections?: readonly Projection[];
  /** Run migrations before anything else (serve and tests do; read-only CLI commands too, it is idempotent). */
  migrate?: boolean;
}

const notWired = async (): Promise<never> => {
  throw new DomainError('UNAUTHORIZED', 'Authentication is not available');
};

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const database = await openMigratedDatabase(config, logger, options.migrate !== false);
  const store = await createEventStore({ config, pool: database.pool, schema: config.DB_SCHEMA, logger });
  const redis = createRedis(config.REDIS_URL);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const progress = createProgressTracker();
  await progress.listen(config.DATABASE_URL, config.DB_SCHEMA);
  const projections = options.projections ?? allProjections;
  const closers: Array<() => Promise<void>> = [];
  const queues = createQueueFactory(config.REDIS_URL, config.REDIS_PREFIX);
  const executionQueueGuard = createExecutionQueueGuard(config);

  const ctx: AppContext = {
    config,
    logger,
    metrics: createMetrics(),
    db: database.db,
    pool: database.pool,
    schema: config.DB_SCHEMA,
    store,
    redis,
    rateLimiter: createRateLimiter(redis, config.REDIS_PREFIX, {
      onFailOpen: (err) => logger.warn({ err: err.message }, 'redis unreachable: rate limits fail open'),
    }),
    queues,
    progress,
    projections,
    // The same object the AI closer holds, so an LLM swapped in later (useLlm) is shut down with the context too.
    ai: Object.assign(createAiAdapters(config, logger, closers), {
      slots: createSlots(config.AI_MAX_CONCURRENT_TASKS, config.AI_RESERVED_REALTIME_SLOTS),
    }),
    execution: {
      admission: createExecutionAdmission({ db: database.db, config, queues }),
      queueGuard: executionQueueGuard,
    },
    refreshSessions: createRefreshSessions(redis, config.REDIS_PREFIX, config.REFRESH_TOKEN_TTL_SECONDS),
    signInOwners: new Map(),
    mailer: createMailer({ config, logger, db: database.db, closers }),
    authenticate: notWired,
    lifecycle: createLifecycle(),
    health: new Map(),
    closers,
  };
  registerHealthChecks(ctx);
  // The adapters above registered theirs first, so they close after these (closers run in reverse).
  ctx.closers.push(
    async () => executionQueueGuard.breaker.shutdown(),
    () => database.close(),
    () => store.close(),
    async () => {
      redis.disconnect();
    },
    () => progress.close(),
    () => ctx.queues.close(),
  );
  return ctx;
}

async function openMigratedDatabase(config: Config, logger: Logger, migrate: boolean) {
  await ensureDatabaseExists(config.DATABASE_URL);
  const database = openDatabase(config.DATABASE_URL, config.DB_SCHEMA, config.DB_POOL_SIZE, {
    onConnectionLost: (err) => logger.warn({ err: err.message }, 'database connection lost'),
  });
  await ensureSchema(database.db, config.DB_SCHEMA);
  if (migrate) {
    const applied = await migrateToLatest(database.db, config.DB_SCHEMA);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  return database;
}

/** One check per dependency; the queue and projection checks also refresh their gauges when polled. */
function registerHealthChecks(ctx: AppContext): void {
  const { store, redis, projections } = ctx;
  ctx.health.set('database', async () => {
    await sql`SELECT 1`.execute(ctx.db);
  });
  ctx.health.set('cache', async () => {
    await redis.ping();
  });
  ctx.health.set('eventStore', () => store.ping());
  ctx.health.set('queue', async () => {
    for (const [queue, counts] of Object.entries(await ctx.queues.counts())) {
      for (const [state, n] of Object.entries(counts)) ctx.metrics.queueDepth.set({ queue, state }, n);
    }
  });
  ctx.health.set('projections', async () => {
    const head = (await store.headPosition())?.commit ?? 0n;
    const rows = await listCheckpoints(ctx.db);
    for (const p of projections) {
      const row = rows.find((r) => r.name === p.name);
      const lag = row ? head - row.position : head;
      ctx.metrics.projectionLag.set({ projection: p.name }, Number(lag));
      if (row?.status === 'faulted') throw new Error(`${p.name} faulted`);
    }
  });
}

export async function closeContext(ctx: AppContext): Promise<void> {
  for (const close of [...ctx.closers].reverse()) {
    await close().catch((err) => ctx.logger.warn({ err }, 'error while closing'));
  }
}
