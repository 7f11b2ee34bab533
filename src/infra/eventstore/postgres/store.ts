/**
 * The PostgreSQL event store: appends go through the group-commit writer, reads are plain paged queries,
 * subscriptions poll and are woken by local commits and by NOTIFY from other processes (each store announces its
 * commits with NOTIFY right after they commit).
 *
 * The store borrows the pool (it never ends it); close() stops its subscriptions, flushes queued appends and
 * closes the LISTEN connection, the only connection it owns.
 */
import { setMaxListeners } from 'node:events';
import type pg from 'pg';
import {
  EventStoreUnavailableError,
  StreamDeletedError,
  positionOf,
  type EventStore,
  type ExpectedRevision,
  type StreamMetadata,
} from '../port.js';
import { assertStreamName, encodeAppend, encodeExpected } from './codec.js';
import { currentRevisionOf, mapPgError, toUnavailable } from './errors.js';
import { Announcer, NotifyListener, Wakeups, listenerConfig } from './notifier.js';
import { headPosition, readAll, readStream } from './reads.js';
import { subscribeToAll } from './subscription.js';
import { GroupCommitWriter, type WriterStats } from './writer.js';

export interface PostgresEventStoreOptions {
  /** The process pool; every connection's search_path must lead with `schema`. */
  pool: pg.Pool;
  schema: string;
  /** Subscriptions re-read at least this often even without a wake-up. Default 500 ms. */
  pollIntervalMs?: number;
  /** Rows per read query. Default 500. */
  readBatchSize?: number;
  /** Most appends per group commit. Default 500. */
  maxBatchAppends?: number;
  /** Most events per group commit (a larger single append still goes alone). Default 5000. */
  maxBatchEvents?: number;
  /** Appends that may wait for a commit; more are refused with EventStoreUnavailableError. Default 10000. */
  maxQueuedAppends?: number;
  /** Group commits in flight at once (each on its own connection). Default 2. */
  maxInFlight?: number;
  /** Positions a filtered subscription scans per read before it emits a checkpoint. Default 10000. */
  searchWindow?: number;
  /**
   * Commits are announced to other processes (NOTIFY) at most once per this many ms while they keep coming; a
   * commit after a quiet spell is announced at once. Default 5.
   */
  announceIntervalMs?: number;
  /** LISTEN for other processes' commits (default true); a ClientConfig replaces the settings taken from the pool. */
  listen?: boolean | pg.ClientConfig;
  logger?: EventStoreLogger;
}

/** The slice of a pino logger the store uses. */
export interface EventStoreLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface PostgresEventStore extends EventStore {
  readonly kind: 'postgres';
  /** Group-commit counters (how many batches, how large). */
  writerStats(): WriterStats;
}

function validateMetadata(metadata: StreamMetadata): void {
  const positiveInt = (v: number | undefined): boolean => v === undefined || (Number.isInteger(v) && v >= 1 && v <= 2 ** 31 - 1);
  if (!positiveInt(metadata.maxAge)) throw new TypeError('maxAge must be a positive integer (seconds)');
  if (!positiveInt(metadata.maxCount)) throw new TypeError('maxCount must be a positive integer');
  if (metadata.truncateBefore !== undefined && (typeof metadata.truncateBefore !== 'bigint' || metadata.truncateBefore < 0n)) {
    throw new TypeError('truncateBefore must be a non-negative bigint');
  }
}

interface MetadataRow {
  tombstoned: boolean;
  truncate_before: string | null;
  max_age_seconds: number | null;
  max_count: number | null;
  custom_metadata: Record<string, unknown> | null;
  metadata_revision: string;
}

export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  const { pool, schema } = options;
  const batchSize = options.readBatchSize ?? 500;
  const wakeups = new Wakeups();
  const closedController = new AbortController();
  // Every subscription (one per projection) listens for the store closing.
  setMaxListeners(0, closedController.signal);
  const listen = options.listen ?? true;
  const listener = listen
    ? new NotifyListener(listen === true ? listenerConfig(pool, schema) : listen, (position, types) => wakeups.wake(position, types), {
        lost: (err) => options.logger?.warn({ err: err?.message, schema }, 'event store LISTEN connection lost; polling until it is back'),
        restored: () => options.logger?.info({ schema }, 'event store LISTEN connection restored'),
      })
    : undefined;
  const announcer = new Announcer(pool, options.announceIntervalMs ?? 5);
  const writer = new GroupCommitWriter(pool, {
    maxBatchAppends: options.maxBatchAppends ?? 500,
    maxBatchEvents: options.maxBatchEvents ?? 5000,
    maxQueuedAppends: options.maxQueuedAppends ?? 10_000,
    maxInFlight: options.maxInFlight ?? 2,
    onCommitted: (position, touched) => {
      wakeups.wakeFor(position, touched);
      announcer.announce(position, touched);
    },
  });
  let closing: Promise<void> | undefined;

  const ensureOpen = (): void => {
    if (closing) throw new EventStoreUnavailableError('The event store is closed');
  };

  async function call(text: string, values: unknown[], stream: string, expected: ExpectedRevision): Promise<pg.QueryResult> {
    try {
      return await pool.query(text, values);
    } catch (err) {
      throw mapPgError(err, stream, expected);
    }
  }

  const store: PostgresEventStore = {
    kind: 'postgres',

    async appendToStream(stream, events, appendOptions = {}) {
      ensureOpen();
      const expected = appendOptions.expectedRevision ?? 'any';
      const append = encodeAppend(stream, events, expected);
      return new Promise((resolve, reject) => {
        writer.enqueue({ encoded: append, expected, resolve, reject });
      });
    },

    readStream(stream, readOptions) {
      return readStream({ pool, batchSize }, stream, readOptions);
    },

    readAll(readOptions) {
      return readAll({ pool, batchSize }, readOptions);
    },

    subscribeToAll(subscribeOptions) {
      return subscribeToAll(
        {
          pool,
          wakeups,
          batchSize,
          pollIntervalMs: options.pollIntervalMs ?? 500,
          searchWindow: options.searchWindow ?? 10_000,
          closed: closedController.signal,
          ensureListening: () => listener?.start(),
        },
        subscribeOptions,
      );
    },

    async getStreamMetadata(stream) {
      assertStreamName(stream);
      let row: MetadataRow | undefined;
      try {
        const result = await pool.query<MetadataRow>(
          `SELECT tombstoned, truncate_before, max_age_seconds, max_count, custom_metadata, metadata_revision
           FROM es_streams WHERE stream_name = $1`,
          [stream],
        );
        row = result.rows[0];
      } catch (err) {
        throw toUnavailable(err);
      }
      if (row?.tombstoned) throw new StreamDeletedError(stream);
      if (!row || BigInt(row.metadata_revision) < 0n) return { metadata: {}, metastreamRevision: 'no_stream' };
      const metadata: StreamMetadata = {};
      if (row.max_age_seconds !== null) metadata.maxAge = row.max_age_seconds;
      if (row.max_count !== null) metadata.maxCount = row.max_count;
      if (row.truncate_before !== null) metadata.truncateBefore = BigInt(row.truncate_before);
      if (row.custom_metadata !== null) metadata.custom = row.custom_metadata;
      return { metadata, metastreamRevision: currentRevisionOf(BigInt(row.metadata_revision)) };
    },

    async setStreamMetadata(stream, metadata, metaOptions = {}) {
      ensureOpen();
      assertStreamName(stream);
      validateMetadata(metadata);
      const expected = metaOptions.expectedRevision ?? 'any';
      await call(
        'SELECT es_set_stream_metadata($1, $2, $3, $4, $5, $6)',
        [
          stream,
          encodeExpected(expected),
          metadata.maxAge ?? null,
          metadata.maxCount ?? null,
          metadata.truncateBefore?.toString() ?? null,
          metadata.custom === undefined ? null : JSON.stringify(metadata.custom),
        ],
        stream,
        expected,
      );
    },

    async deleteStream(stream, deleteOptions = {}) {
      ensureOpen();
      assertStreamName(stream);
      const expected = deleteOptions.expectedRevision ?? 'any';
      await call('SELECT es_delete_stream($1, $2, false)', [stream, encodeExpected(expected)], stream, expected);
    },

    async tombstoneStream(stream, deleteOptions = {}) {
      ensureOpen();
      assertStreamName(stream);
      const expected = deleteOptions.expectedRevision ?? 'any';
      await call('SELECT es_delete_stream($1, $2, true)', [stream, encodeExpected(expected)], stream, expected);
    },

    async headPosition() {
      const head = await headPosition(pool);
      return head > 0n ? positionOf(head) : undefined;
    },

    async ping() {
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        throw toUnavailable(err);
      }
    },

    close() {
      closing ??= (async () => {
        closedController.abort();
        await writer.idle();
        await announcer.idle();
        await listener?.close();
      })();
      return closing;
    },

    writerStats() {
      return { ...writer.stats };
    },
  };
  return store;
}
