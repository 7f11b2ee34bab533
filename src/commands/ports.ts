/**
 * The ports command handlers take. A handler names the ones it uses (`Pick<Ports, 'store' | 'db'>`, or one of the
 * named groups below), so its signature says what it touches; the composition root's AppContext
 * (src/composition/context.ts) is a superset of Ports and is passed as is. Optional adapters stay optional here: a
 * handler that needs one says so and copes with its absence.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { CollabClient } from '../infra/collab-client/port.js';
import type { Db } from '../infra/db/database.js';
import type { EventStore } from '../infra/eventstore/port.js';
import type { EgressPort } from '../infra/livekit/port.js';
import type { Mailer } from '../infra/mail/index.js';
import type { Metrics } from '../infra/observability/metrics.js';
import type { QueueFactory } from '../infra/queue/bullmq.js';
import type { RateLimiter } from '../infra/redis/rate-limiter.js';
import type { ObjectStorage } from '../infra/storage/port.js';
import type { ProgressTracker } from '../projections/progress.js';
import type { Projection } from '../projections/projection.js';
import type { AiAdapters } from './ai/llm.js';
import type { ExecutionAdmission } from './execution/admission.js';
import type { ExecutionQueueGuard } from './execution/breaker.js';
import type { RefreshSessions } from './identity/tokens.js';

/** Admission (backpressure) and the breaker in front of the execution queue. */
export interface ExecutionPorts {
  admission: ExecutionAdmission;
  queueGuard: ExecutionQueueGuard;
}

export interface Ports {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Db;
  store: EventStore;
  redis: Redis;
  rateLimiter: RateLimiter;
  /** BullMQ queues and workers under this deployment's Redis prefix. */
  queues: QueueFactory;
  progress: ProgressTracker;
  projections: readonly Projection[];
  /** The LLM, speech-to-text and the breaker around the AI queues. */
  ai: AiAdapters;
  execution: ExecutionPorts;
  /** Refresh-token sessions (Redis). */
  refreshSessions: RefreshSessions;
  /** Sign-in identifiers this process resolved before (`<kind>:<value>` → account id), see sign-in-account.ts. */
  signInOwners: Map<string, string>;
  mailer: Mailer;
  /** Object storage (avatars, assets); installed by the identity wiring, see `storageOf` in src/infra/storage. */
  storage?: ObjectStorage;
  /** Media recording (LiveKit Egress); created on first use by `egressOf` in src/infra/livekit. */
  egress?: EgressPort;
  /** The collab plane's internal API; installed by the rooms wiring (`collabWiring`), read through `collabOf`. */
  collab?: CollabClient;
  /** Things to close on shutdown, in reverse order of registration. */
  closers: Array<() => Promise<void>>;
}

/** What waiting for the read models to show a write needs (`settle`): the projections' progress. */
export type SettleDeps = Pick<Ports, 'progress' | 'projections' | 'logger' | 'config'>;
/** What a write with read-your-writes needs (`execute`): the store, and what `settle` needs. */
export type WriteDeps = SettleDeps & Pick<Ports, 'store'>;
/** Object storage, optional: `storageOf` (src/infra/storage) creates it on first use and closes it with the process. */
export type StorageDeps = Pick<Ports, 'storage' | 'config' | 'closers'>;
