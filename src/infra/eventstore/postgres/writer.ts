/**
 * Group commit. The global position lock is held until commit, so two appends in separate transactions can never
 * share a WAL flush. Instead, appends that arrive while a batch is in flight wait in a queue and go to Postgres
 * together as the next batch: one es_append_batch call, one round trip, one transaction, one flush. The SQL
 * function checks each append exactly as a lone append would be checked and returns a result row per append, so
 * every caller still gets its own revision, position or error.
 */
import type pg from 'pg';
import { EventStoreUnavailableError, StreamDeletedError, WrongExpectedVersionError, positionOf, type AppendResult, type ExpectedRevision } from '../port.js';
import {
  SQLSTATE_STREAM_DELETED,
  SQLSTATE_WRONG_EXPECTED,
  currentRevisionOf,
  isConnectionError,
  isRetryable,
  toUnavailable,
} from './errors.js';
import { batchElement, type EncodedAppend } from './codec.js';
import { writeLoneAppend, writesAlone } from './lone-append.js';
import type { Touched } from './notifier.js';

export interface PendingAppend {
  /** Validated and encoded once (codec.encodeAppend); its types tell subscriptions what a commit wrote. */
  encoded: EncodedAppend;
  /** As the caller gave it, for WrongExpectedVersionError. */
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

export interface WriterOptions {
  /** Most appends in one batch. */
  maxBatchAppends: number;
  /** Most events in one batch (a single larger append still goes alone). */
  maxBatchEvents: number;
  /** Appends allowed to wait; beyond that callers are refused at once instead of queueing without bound. */
  maxQueuedAppends: number;
  /**
   * Batches sent before the previous one committed. With 2, the next batch locks its streams and checks its
   * expectations while the previous one waits for its WAL flush; it then queues on the global lock.
   */
  maxInFlight: number;
  /** Called after every committed batch with what it wrote (wakes local subscriptions without waiting for NOTIFY). */
  onCommitted(lastPosition: bigint, touched: Touched[]): void;
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
const APPEND_BATCH = 'SELECT idx, error_code, actual_revision, next_expected_revision, last_position FROM es_append_batch($1::jsonb)';

export class GroupCommitWriter {
  private queue: PendingAppend[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Streams of the batches in flight. */
  private readonly busyStreams = new Set<string>();
  readonly stats: WriterStats = { batches: 0, appends: 0, largestBatch: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: WriterOptions,
  ) {}

  enqueue(append: PendingAppend): void {
    if (this.queue.length >= this.options.maxQueuedAppends) {
      append.reject(new EventStoreUnavailableError(`Event store overloaded: ${this.queue.length} appends already waiting`));
      return;
    }
    this.queue.push(append);
    // After the current synchronous code: appends issued together (Promise.all) leave as one batch.
    this.scheduleKick(queueMicrotask);
  }

  private kickScheduled = false;

  private scheduleKick(schedule: (callback: () => void) => void): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    schedule(() => {
      this.kickScheduled = false;
      this.kick();
    });
  }

  /** Start batches while fewer than maxInFlight are running and something can go. */
  private kick(): void {
    while (this.running.size < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return; // everything waiting touches a stream already in flight
      const streams = new Set(batch.map((a) => a.encoded.stream));
      for (const stream of streams) this.busyStreams.add(stream);
      const run: Promise<void> = this.runBatch(batch).finally(() => {
        for (const stream of streams) this.busyStreams.delete(stream);
        this.running.delete(run);
        // Appends waited meanwhile: send them a macrotask later, so callers resumed by this batch can queue their
        // next append and join them. Nothing waiting (a lone writer): the next append kicks itself off at once.
        if (this.queue.length > 0) this.scheduleKick(setImmediate);
      });
      this.running.add(run);
    }
  }

  /** Resolves when everything queued so far has been written (or failed). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /**
   * Take the next batch in arrival order. An append waits for a later batch when its stream is in a batch still in
   * flight (two batches never touch one stream, so a stream's appends commit in arrival order) or when its event
   * ids overlap an append already taken (a retry racing its original then gets the idempotent result). Later
   * appends to a stream that had to wait, wait too.
   */
  private takeBatch(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    const rest: PendingAppend[] = [];
    const ids = new Set<string>();
    const waiting = new Set<string>();
    let events = 0;
    let i = 0;
    for (; i < this.queue.length && batch.length < this.options.maxBatchAppends; i++) {
      const next = this.queue[i]!;
      const { stream, ids: nextIds } = next.encoded;
      if (batch.length > 0 && events + nextIds.length > this.options.maxBatchEvents) break;
      if (this.busyStreams.has(stream) || waiting.has(stream) || nextIds.some((id) => ids.has(id))) {
        waiting.add(stream);
        rest.push(next);
        continue;
      }
      batch.push(next);
      events += nextIds.length;
      for (const id of nextIds) ids.add(id);
    }
    this.queue = rest.concat(this.queue.slice(i));
    return batch;
  }

  /** Never rejects: whatever goes wrong, every caller in the batch hears about it (settling twice is a no-op). */
  private async runBatch(batch: PendingAppend[]): Promise<void> {
    try {
      await this.writeBatch(batch);
    } catch (err) {
      for (const append of batch) append.reject(err);
    }
  }

  private async writeBatch(batch: PendingAppend[]): Promise<void> {
    let rows: ResultRow[];
    try {
      rows = await this.execute(batch);
    } catch (err) {
      if (batch.length > 1 && !isConnectionError(err)) {
        // Something in one append broke the whole statement. Retry one by one so only the culprit sees the
        // error (input is validated before queueing, so this is not expected to happen).
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
    const touched: Touched[] = [];
    const seen = new Set<number>();
    for (const row of rows) {
      const append = batch[row.idx - 1];
      if (!append) continue;
      seen.add(row.idx);
      if (row.error_code === null) {
        const position = BigInt(row.last_position ?? '0');
        if (position > last) last = position;
        for (const type of new Set(append.encoded.types)) touched.push({ stream: append.encoded.stream, type });
        append.resolve({ nextExpectedRevision: BigInt(row.next_expected_revision ?? '-1'), position: positionOf(position) });
      } else {
        append.reject(rowError(row, append));
      }
    }
    batch.forEach((append, i) => {
      if (!seen.has(i + 1)) append.reject(new Error(`Event store returned no result for the append to ${append.encoded.stream}`));
    });
    if (last >= 0n) this.options.onCommitted(last, touched);
  }

  private async execute(batch: PendingAppend[]): Promise<ResultRow[]> {
    // A lone append of one event skips the plpgsql call when it can (lone-append.ts); what it leaves goes on below.
    const lone = batch.length === 1 && writesAlone(batch[0]!.encoded) ? batch[0]!.encoded : undefined;
    // Named, so each connection parses and plans the call once.
    const query = (): pg.QueryConfig => ({
      name: 'syncode_es_append_batch',
      text: APPEND_BATCH,
      values: [`[${batch.map((a) => batchElement(a.encoded)).join(',')}]`],
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const written = lone && (await writeLoneAppend(this.pool, lone));
        if (written) {
          const { revision, position } = written;
          return [{ idx: 1, error_code: null, actual_revision: null, next_expected_revision: `${revision}`, last_position: `${position}` }];
        }
        const result = await this.pool.query<ResultRow>(query());
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
      return new WrongExpectedVersionError(append.encoded.stream, append.expected, currentRevisionOf(BigInt(row.actual_revision ?? '-1')));
    case SQLSTATE_STREAM_DELETED:
      return new StreamDeletedError(append.encoded.stream);
    default:
      return new Error(`Unexpected append result ${String(row.error_code)} for ${append.encoded.stream}`);
  }
}
