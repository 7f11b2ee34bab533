/**
 * Picks the event store adapter from configuration. The KurrentDB adapter is loaded only when selected, so the
 * default Postgres deployment never loads the gRPC client and its native bridge.
 */
import type pg from 'pg';
import type { Config } from '../../config.js';
import type { EventStore } from './port.js';
import { createPostgresEventStore, type EventStoreLogger } from './postgres/store.js';

export interface CreateEventStoreArgs {
  config: Pick<Config, 'EVENT_STORE' | 'KURRENTDB_URL' | 'DB_SCHEMA'> & Partial<Pick<Config, 'PROJECTION_POLL_MS'>>;
  /** The process pool from openDatabase; required for the Postgres store. */
  pool?: pg.Pool;
  /** Schema the pool's search_path leads with; defaults to config.DB_SCHEMA. */
  schema?: string;
  logger?: EventStoreLogger;
}

export async function createEventStore({ config, pool, schema, logger }: CreateEventStoreArgs): Promise<EventStore> {
  if (config.EVENT_STORE === 'kurrentdb') {
    if (!config.KURRENTDB_URL) throw new Error('EVENT_STORE=kurrentdb needs KURRENTDB_URL');
    const { createKurrentDbEventStore } = await import('./kurrentdb.js');
    return createKurrentDbEventStore({ url: config.KURRENTDB_URL });
  }
  if (!pool) throw new Error('The Postgres event store needs the database pool');
  return createPostgresEventStore({
    pool,
    schema: schema ?? config.DB_SCHEMA,
    ...(config.PROJECTION_POLL_MS !== undefined ? { pollIntervalMs: config.PROJECTION_POLL_MS } : {}),
    ...(logger ? { logger } : {}),
  });
}

export { createPostgresEventStore, type EventStoreLogger, type PostgresEventStore, type PostgresEventStoreOptions } from './postgres/store.js';
export * from './port.js';
