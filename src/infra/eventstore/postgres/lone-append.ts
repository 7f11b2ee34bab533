/**
 * The lone append: one event to one stream with an exact expected revision (or `no_stream`), the case a single
 * writer produces. es_append_batch serves it correctly, but a plpgsql call costs more than the insert it makes;
 * here the same steps are two prepared statements sent together with one Sync, so Postgres runs them as one
 * implicit transaction and commits at the Sync, in one round trip:
 *
 *   1. LOCK   the stream lock (the key of migrations/0033_stream_revision_from_events.migration.ts, lockStream);
 *   2. WRITE  the stream's deletion state and last revision are checked; only if the append may go, the global
 *             position lock is taken (the same key as GLOBAL_LOCK there), then the position, then the insert.
 *
 * The keys hash current_schema(), which here is the store's schema because the pool's search_path leads with it
 * (PostgresEventStoreOptions.pool), as it is inside the SQL functions, whose search_path is pinned to it.
 *
 * Why every guarantee of es_append_batch still holds:
 *   - Checks see the stream as its previous writer left it. Postgres handles the messages of a pipeline one after
 *     the other, so WRITE is bound and run only after LOCK returned, i.e. after the stream lock was granted; under
 *     READ COMMITTED a statement takes a fresh snapshot, and an advisory lock is released only after its holder's
 *     commit is visible. A tombstone, soft delete, metadata change or append that held the lock is therefore seen
 *     (this is what a single statement taking the lock itself could not promise: its snapshot predates the wait).
 *   - Positions commit in position order: the global lock is taken in a MATERIALIZED CTE (it calls a volatile
 *     function, so Postgres never inlines it) whose row the insert consumes, so nextval runs after the lock is
 *     granted and the lock is held until the commit at the Sync. The CTE yields no row when the check fails, and
 *     then neither the global lock nor a position is taken.
 *   - All or nothing: both statements are one transaction; an error in either aborts it (Postgres skips to the
 *     Sync) and the caller hears the error.
 *   - Anything else goes to es_append_batch: no row back means the append may not go as a plain write (wrong
 *     revision, an idempotent retry, a soft-deleted or tombstoned stream), and the general function, with its
 *     idempotency probe and error rules, decides in a new transaction. A write here cannot be a retry: its event
 *     sits after revision N, where the stream ended.
 */
import type pg from 'pg';
import type { EncodedAppend } from './codec.js';
import { isConnectionError } from './errors.js';

const LOCK_NAME = 'syncode_es_lone_lock';
const WRITE_NAME = 'syncode_es_lone_write';

const LOCK = `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':es_stream'), hashtext($1::text))`;

const WRITE = `
WITH may_write AS MATERIALIZED (
  SELECT pg_advisory_xact_lock(hashtext('syncode.es_global_position'), hashtext(current_schema())) AS locked
  WHERE coalesce((SELECT max(x.stream_revision) FROM es_events AS x WHERE x.stream_name = $1::text), -1) = $2::bigint
    AND NOT EXISTS (SELECT 1 FROM es_streams AS st WHERE st.stream_name = $1::text AND (st.soft_deleted OR st.tombstoned))
)
INSERT INTO es_events (global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at)
SELECT nextval('es_global_position'), $1::text, $2::bigint + 1, $3::uuid, $4::text, $5::jsonb, $6::jsonb, clock_timestamp()
FROM may_write
RETURNING global_position`;

/** The part of pg's connection a pipeline writes to (pg.Connection's typings lag behind its methods). */
interface WireConnection {
  stream: { cork?(): void; uncork?(): void };
  close(target: { type: 'S'; name: string }): void;
  parse(statement: { name: string; text: string; types: number[] }): void;
  bind(portal: { statement: string; values: (string | null)[] }): void;
  execute(portal: { portal: string; rows: number }): void;
  sync(): void;
}

/** Connections known to hold both statements (a connection not in here gets them parsed first). */
const prepared = new WeakSet<object>();

/** Whether `append` can go as a lone append (else es_append_batch takes it). */
export function writesAlone(append: EncodedAppend): boolean {
  return append.ids.length === 1 && append.expected !== 'any' && append.expected !== 'stream_exists';
}

/**
 * One lone append as a pg Submittable: LOCK and WRITE, one Sync. Settles with the position written, or null when
 * the append has to go through es_append_batch.
 */
class LoneAppendPipeline implements pg.Submittable {
  private position: string | null = null;
  /** Statements completed so far: LOCK's row comes before the first, WRITE's after it. */
  private completed = 0;
  private failed = false;
  private parses = false;

  constructor(
    private readonly values: string[],
    private readonly settle: (err: Error | null, position: string | null) => void,
  ) {}

  submit(connection: pg.Connection): void {
    const wire = connection as unknown as WireConnection;
    wire.stream.cork?.();
    try {
      if (!prepared.has(connection)) {
        // Closing a statement that does not exist is no error; after a failed first pipeline it may exist.
        this.parses = true;
        for (const [name, text] of [[LOCK_NAME, LOCK], [WRITE_NAME, WRITE]] as const) {
          wire.close({ type: 'S', name });
          wire.parse({ name, text, types: [] });
        }
      }
      wire.bind({ statement: LOCK_NAME, values: [this.values[0]!] });
      wire.execute({ portal: '', rows: 0 });
      wire.bind({ statement: WRITE_NAME, values: this.values });
      wire.execute({ portal: '', rows: 0 });
      wire.sync();
    } finally {
      wire.stream.uncork?.();
    }
  }

  handleDataRow(row: { fields: (string | null)[] }): void {
    if (this.completed === 1) this.position = row.fields[0] ?? null;
  }

  handleCommandComplete(): void {
    this.completed += 1;
  }

  handleError(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.settle(err, null);
  }

  handleReadyForQuery(connection: pg.Connection): void {
    if (this.failed) return;
    if (this.parses) prepared.add(connection);
    this.settle(null, this.position);
  }

  handleRowDescription(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
}

export interface LoneAppendResult {
  /** The revision of the event written. */
  revision: bigint;
  position: bigint;
}

/**
 * Writes a lone append (see writesAlone). Resolves with what it wrote, or with undefined when es_append_batch has
 * to judge the append; rejects with pg's error when the pipeline failed (then nothing was written).
 */
export async function writeLoneAppend(pool: pg.Pool, append: EncodedAppend): Promise<LoneAppendResult | undefined> {
  const last = append.expected === 'no_stream' ? -1n : BigInt(append.expected);
  const values = [append.stream, last.toString(), append.ids[0]!, append.types[0]!, append.data[0]!, append.metadata[0]!];
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const position = await new Promise<string | null>((resolve, reject) => {
      client.query(new LoneAppendPipeline(values, (err, written) => (err ? reject(err) : resolve(written))));
    });
    return position === null ? undefined : { revision: last + 1n, position: BigInt(position) };
  } catch (err) {
    // A connection that failed mid-pipeline goes, instead of back to the pool.
    if (isConnectionError(err)) broken = err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}
