/**
 * The composition root's product: every adapter a role needs, as one plain object handed to routes, workers and
 * command handlers. No container, no globals — tests build their own context against their own schema.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Config } from '../config.js';
import type { CollabClient } from '../infra/collab-client/port.js';
import type { Db } from '../infra/db/database.js';
import type { EventStore } from '../infra/eventstore/port.js';
import type { EgressPort } from '../infra/livekit/port.js';
import type { Metrics } from '../infra/observability/metrics.js';
import type { ObjectStorage } from '../infra/storage/port.js';
import type { RateLimiter } from '../infra/redis/rate-limiter.js';
import type { QueueFactory } from '../infra/queue/bullmq.js';
import type { ProgressTracker } from '../projections/progress.js';
import type { Projection } from '../projections/projection.js';
import type { Authenticator } from './principal.js';

export type HealthProbe = () => Promise<void>;

export interface AppContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  pool: pg.Pool;
  schema: string;
  store: EventStore;
  redis: Redis;
  rateLimiter: RateLimiter;
  /** BullMQ queues and workers under this deployment's Redis prefix. */
  queues: QueueFactory;
  progress: ProgressTracker;
  projections: readonly Projection[];
  /** Resolves the caller of an authenticated route; provided by the identity module. */
  authenticate: Authenticator;
  /** Object storage (avatars, assets); installed by the identity wiring, see `storageOf` in src/infra/storage. */
  storage?: ObjectStorage;
  /** Media recording (LiveKit Egress); created on first use by `egressOf` in src/infra/livekit. */
  egress?: EgressPort;
  /** The collab plane's internal API; installed by the rooms wiring (`collabWiring`), read through `collabOf`. */
  collab?: CollabClient;
  /** Named dependency checks reported by GET /health (`ok` | `fail` each). */
  health: Map<string, HealthProbe>;
  /** Things to close on shutdown, in reverse order of registration. */
  closers: Array<() => Promise<void>>;
}
