/**
 * An execution worker in a process of its own, for the fault tests: `node --import tsx test/execution/worker-process.ts`
 * with the test's DATABASE_URL, REDIS_URL, DB_SCHEMA and REDIS_PREFIX in the environment. Short lock and
 * stalled-check intervals, so a job whose worker was killed is picked up again within a few seconds.
 * Prints `ready` once it consumes the queue.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/infra/observability/logger.js';
import { closeContext, createContext } from '../../src/composition/create-context.js';
import { wire } from '../../src/composition/wiring.js';
import { startExecutionWorker } from '../../src/workers/execution/start.js';

const config = loadConfig({ ...process.env, SCHEDULER_ENABLED: 'false', SEED_ON_START: 'false' });
const ctx = await createContext(config, { logger: createLogger(config.LOG_LEVEL), migrate: false });
await wire(ctx);
const stop = await startExecutionWorker(ctx, {
  lockDurationMs: Number(process.env.WORKER_LOCK_MS ?? 2000),
  stalledIntervalMs: Number(process.env.WORKER_STALLED_MS ?? 1000),
  analysis: false,
});
process.stdout.write('ready\n');

const shutdown = async () => {
  await stop();
  await closeContext(ctx);
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
