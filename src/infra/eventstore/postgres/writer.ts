/**
 * Group commit. The global position lock is held until commit, so two appends in separate transactions can never
 * share a WAL flush. Instead, appends that arrive while a batch is in flight wait in a queue and go to Postgres
 * together as the next batch: one es_append_batch call, one round trip, one transaction, one flush. The SQL
 * function checks each append exactly as a lone append would be checked and returns a result row per append, so
 * every caller still gets its own revision, position or error.
 */
import type pg from 'pg';
import { StreamDeletedError, WrongExpectedVersionError, positionOf, type AppendResult, type ExpectedRevision } from '../port.js';
import {
  DuplicateEventIdError,
  SQLSTATE_DUPLICATE_EVENT_ID,
  SQLSTATE_STREAM_DELETED,
  SQLSTATE_WRONG_EXPECTED,
  currentRevisionOf,
  isConnectionError,
  isRetryable,
  toUnavailable,
} from './errors.js';

export interface PendingAppend {
  stream: string;
  expected: ExpectedRevision;
  /** Pre-encoded `{s, e, ev}` element (see codec.encodeAppend). */
  json: string;
  ids: string[];
  eventCount: number;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

export interface WriterOptions {
  /** Most appends in one batch. */
  maxBatchAppends: number;
  /** Most events in one batch (a single larger append still goes alone). */
  maxBatchEvents: number;
  /** Called after every committed batch (wakes local subscriptions without waiting for NOTIFY). */
  onCommitted(lastPosition: bigint): void;
}

export interface WriterStats {
  batches: number;
  appends: number;
  largestBatch: number;
}

interface ResultRow {
  idx: number;
  error_code: string | null;
  actual_revision: string | null;
  next_expected_revision: string | null;
  last_position: string | null;
}

const DEADLOCK_RETRIES = 3;

export class GroupCommitWriter {
  private readonly queue: PendingAppend[] = [];
  private running: Promise<void> | undefined;
  readonly stats: WriterStats = { batches: 0, appends: 0, largestBatch: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: WriterOptions,
  ) {}

  enqueue(append: PendingAppend): void {
    this.queue.push(append);
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // An append may have arrived after the drain loop saw an empty queue.
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Resolves when everything queued so far has been written (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      await this.runBatch(batch);
    }
  }

  /**
   * Take the next batch in arrival order. An append whose event ids overlap one already in the batch waits for the
   * next batch, so that a retried append sees the committed original and gets the idempotent result; later appends
   * to its stream wait with it, so one stream's appends never overtake each other.
   */
  private takeBatch(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    const ids = new Set<string>();
    const deferredStreams = new Set<string>();
    let events = 0;
    let i = 0;
    while (i < this.queue.length && batch.length < this.options.maxBatchAppends) {
      const next = this.queue[i]!;
      if (batch.length > 0 && events + next.eventCount > this.options.maxBatchEvents) break;
      if (deferredStreams.has(next.stream) || next.ids.some((id) => ids.has(id))) {
        deferredStreams.add(next.stream);
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      batch.push(next);
      events += next.eventCount;
      for (const id of next.ids) ids.add(id);
    }
    return batch;
  }

  private async runBatch(batch: PendingAppend[]): Promise<void> {
    let rows: ResultRow[];
    try {
      rows = await this.execute(batch);
    } catch (err) {
      if (batch.length > 1 && !isConnectionError(err)) {
        // Something in one append broke the whole statement (e.g. an id committed concurrently by another
        // process). Retry one by one so only the culprit sees the error.
        for (const append of batch) await this.runBatch([append]);
        return;
      }
      const mapped = toUnavailable(err);
      for (const append of batch) append.reject(mapped);
      return;
    }
    this.stats.batches += 1;
    this.stats.appends += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    let last = -1n;
    const seen = new Set<number>();
    for (const row of rows) {
      const append = batch[row.idx - 1];
      if (!append) continue;
      seen.add(row.idx);
      if (row.error_code === null) {
        const position = BigInt(row.last_position ?? '0');
        if (position > last) last = position;
        append.resolve({ nextExpectedRevision: BigInt(row.next_expected_revision ?? '-1'), position: positionOf(position) });
      } else {
        append.reject(rowError(row, append));
      }
    }
    batch.forEach((append, i) => {
      if (!seen.has(i + 1)) append.reject(new Error(`Event store returned no result for the append to ${append.stream}`));
    });
    if (last >= 0n) this.options.onCommitted(last);
  }

  private async execute(batch: PendingAppend[]): Promise<ResultRow[]> {
    const payload = `[${batch.map((a) => a.json).join(',')}]`;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.pool.query<ResultRow>(
          'SELECT idx, error_code, actual_revision, next_expected_revision, last_position FROM es_append_batch($1::jsonb)',
          [payload],
        );
        return result.rows;
      } catch (err) {
        if (attempt < DEADLOCK_RETRIES && isRetryable(err)) continue;
        throw err;
      }
    }
  }
}

function rowError(row: ResultRow, append: PendingAppend): Error {
  switch (row.error_code) {
    case SQLSTATE_WRONG_EXPECTED:
      return new WrongExpectedVersionError(append.stream, append.expected, currentRevisionOf(BigInt(row.actual_revision ?? '-1')));
    case SQLSTATE_STREAM_DELETED:
      return new StreamDeletedError(append.stream);
    case SQLSTATE_DUPLICATE_EVENT_ID:
      return new DuplicateEventIdError(append.stream);
    default:
      return new Error(`Unexpected append result ${String(row.error_code)} for ${append.stream}`);
  }
}
