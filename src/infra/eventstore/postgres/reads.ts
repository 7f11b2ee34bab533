/**
 * Stream and $all reads, paged so a long stream never sits in memory at once. Stream metadata (truncateBefore,
 * maxCount, maxAge) is applied as a read filter, as EventStoreDB does before a scavenge; readAll returns the raw
 * log, as ESDB's $all does.
 */
import type pg from 'pg';
import { StreamDeletedError, StreamNotFoundError, type ReadAllOptions, type ReadStreamOptions, type RecordedEvent } from '../port.js';
import { EVENT_COLUMNS, filterCondition, likePatterns, toRecordedEvent, type EventRow } from './codec.js';
import { toUnavailable } from './errors.js';

export interface ReadDeps {
  pool: pg.Pool;
  batchSize: number;
}

interface StreamStateRow {
  revision: string;
  tombstoned: boolean;
  truncate_before: string | null;
  max_count: number | null;
  max_age_seconds: number | null;
  newest_visible: boolean;
}

export const MAX_POSITION = 2n ** 63n - 1n;

async function query<R extends pg.QueryResultRow>(deps: ReadDeps, text: string, values: unknown[]): Promise<R[]> {
  try {
    return (await deps.pool.query<R>(text, values)).rows;
  } catch (err) {
    throw toUnavailable(err);
  }
}

const bigMax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export async function* readStream(deps: ReadDeps, stream: string, options: ReadStreamOptions = {}): AsyncGenerator<RecordedEvent> {
  const [state] = await query<StreamStateRow>(
    deps,
    // The revision is the stream's last event's; es_streams holds only deletion state and metadata (a stream
    // that never had either has no row there).
    `SELECT h.revision, coalesce(s.tombstoned, false) AS tombstoned, s.truncate_before, s.max_count, s.max_age_seconds,
            (s.max_age_seconds IS NULL OR EXISTS (
              SELECT 1 FROM es_events e
              WHERE e.stream_name = $1 AND e.stream_revision = h.revision
                AND e.created_at >= clock_timestamp() - make_interval(secs => s.max_age_seconds))) AS newest_visible
     FROM (SELECT coalesce((SELECT max(stream_revision) FROM es_events WHERE stream_name = $1), -1) AS revision) AS h
     LEFT JOIN es_streams s ON s.stream_name = $1`,
    [stream],
  );
  if (state?.tombstoned) throw new StreamDeletedError(stream);
  const last = state ? BigInt(state.revision) : -1n;
  // Lowest revision the metadata lets a reader see.
  let lowest = 0n;
  if (state?.truncate_before != null) lowest = bigMax(lowest, BigInt(state.truncate_before));
  if (state?.max_count != null) lowest = bigMax(lowest, last - BigInt(state.max_count) + 1n);
  if (!state || last < 0n || lowest > last || !state.newest_visible) throw new StreamNotFoundError(stream);

  const forwards = (options.direction ?? 'forwards') === 'forwards';
  const from = options.fromRevision ?? (forwards ? 'start' : 'end');
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  // [low, high] is the window still to read, inclusive.
  let low: bigint;
  let high: bigint;
  if (forwards) {
    low = bigMax(lowest, from === 'start' ? 0n : from === 'end' ? last + 1n : from);
    high = last;
  } else {
    low = lowest;
    high = bigMin(last, from === 'end' ? last : from === 'start' ? 0n : from);
  }
  const maxAge = state.max_age_seconds;
  while (remaining > 0 && low <= high) {
    const limit = Math.min(deps.batchSize, remaining);
    const rows = await query<EventRow>(
      deps,
      `SELECT ${EVENT_COLUMNS} FROM es_events
       WHERE stream_name = $1 AND stream_revision BETWEEN $2 AND $3
         AND ($4::integer IS NULL OR created_at >= clock_timestamp() - make_interval(secs => $4::integer))
       ORDER BY stream_revision ${forwards ? 'ASC' : 'DESC'} LIMIT $5`,
      [stream, low.toString(), high.toString(), maxAge, limit],
    );
    for (const row of rows) yield toRecordedEvent(row);
    remaining -= rows.length;
    if (rows.length < limit) return;
    const edge = BigInt(rows[rows.length - 1]!.stream_revision);
    if (forwards) low = edge + 1n;
    else high = edge - 1n;
  }
}

export async function* readAll(deps: ReadDeps, options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
  const forwards = (options.direction ?? 'forwards') === 'forwards';
  const from = options.fromPosition ?? (forwards ? 'start' : 'end');
  let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
  let low: bigint;
  let high: bigint;
  if (forwards) {
    if (from === 'end') return;
    low = from === 'start' ? 0n : from.commit;
    high = MAX_POSITION;
  } else {
    if (from === 'start') return;
    low = 0n;
    high = from === 'end' ? MAX_POSITION : from.commit;
  }
  const filter = options.filter;
  const values: unknown[] = [];
  const condition = filter ? `AND ${filterCondition(filter, 4)}` : '';
  while (remaining > 0 && low <= high) {
    const limit = Math.min(deps.batchSize, remaining);
    values.length = 0;
    values.push(low.toString(), high.toString(), limit);
    if (filter) values.push(likePatterns(filter));
    const rows = await query<EventRow>(
      deps,
      `SELECT ${EVENT_COLUMNS} FROM es_events
       WHERE global_position BETWEEN $1 AND $2 ${condition}
       ORDER BY global_position ${forwards ? 'ASC' : 'DESC'} LIMIT $3`,
      values,
    );
    for (const row of rows) yield toRecordedEvent(row);
    remaining -= rows.length;
    if (rows.length < limit) return;
    const edge = BigInt(rows[rows.length - 1]!.global_position);
    if (forwards) low = edge + 1n;
    else high = edge - 1n;
  }
}

export async function headPosition(pool: pg.Pool): Promise<bigint> {
  try {
    const { rows } = await pool.query<{ head: string | null }>('SELECT max(global_position) AS head FROM es_events');
    return rows[0]?.head == null ? 0n : BigInt(rows[0].head);
  } catch (err) {
    throw toUnavailable(err);
  }
}
