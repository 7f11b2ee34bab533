/**
 * Catch-up subscription over the global log. Positions are handed out in commit order (see the migration), so
 * `global_position > position` never skips an event that commits later: there is nothing below the last seen
 * position still to come.
 *
 * Filtered subscriptions read the head together with the matching events up to it, in windows of at most
 * `searchWindow × checkpointInterval` positions; when a window holds no more matches they emit a checkpoint at its
 * end. A consumer of a quiet filter therefore still moves its stored position forward, as with ESDB's
 * checkpointReached.
 *
 * `caughtUp` is emitted each time the subscription has drained the log after delivering something (and once at
 * the start), then it waits for a wake-up or the poll interval.
 */
import type pg from 'pg';
import { EventStoreUnavailableError, positionOf, type Position, type SubscribeOptions, type SubscriptionMessage } from '../port.js';
import { EVENT_COLUMNS, filterCondition, likePatterns, toRecordedEvent, type EventRow } from './codec.js';
import { isConnectionError } from './errors.js';
import type { Wakeups } from './notifier.js';
import { headPosition } from './reads.js';

export interface SubscriptionDeps {
  pool: pg.Pool;
  wakeups: Wakeups;
  pollIntervalMs: number;
  batchSize: number;
  searchWindow: number;
  /** Aborted when the store closes. */
  closed: AbortSignal;
  /** Start the shared LISTEN connection if it is not running yet. */
  ensureListening(): void;
}

/** Consecutive failed reads (connection trouble) tolerated before the subscription gives up. */
const MAX_CONSECUTIVE_FAILURES = 5;

function linkedAbort(signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  for (const s of live) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', abort, { once: true });
  }
  return { signal: controller.signal, dispose: () => live.forEach((s) => s.removeEventListener('abort', abort)) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function* subscribeToAll(deps: SubscriptionDeps, options: SubscribeOptions = {}): AsyncGenerator<SubscriptionMessage> {
  const { signal, dispose } = linkedAbort([deps.closed, options.signal]);
  try {
    if (signal.aborted) return;
    deps.ensureListening();
    const from = options.fromPosition ?? 'start';
    let position = from === 'start' ? 0n : from === 'end' ? await headPosition(deps.pool) : from.commit;
    const filter = options.filter;
    const patterns = filter ? likePatterns(filter) : undefined;
    const window = BigInt(Math.max(1, deps.searchWindow * Math.max(1, options.checkpointInterval ?? 1)));
    let reportCaughtUp = true; // the first drain always reports; later ones after anything was delivered
    let failures = 0;

    while (!signal.aborted) {
      const generation = deps.wakeups.generation;
      let drained: boolean;
      try {
        if (!filter) {
          const rows = await readPage(deps, position);
          if (signal.aborted) return;
          for (const row of rows) {
            const event = toRecordedEvent(row);
            position = event.position.commit;
            yield { kind: 'event', event };
            if (signal.aborted) return;
          }
          if (rows.length > 0) reportCaughtUp = true;
          drained = rows.length < deps.batchSize;
        } else {
          const { head, rows } = await readFilteredPage(deps, position, position + window, filterCondition(filter, 4), patterns!);
          if (signal.aborted) return;
          const windowEnd = head < position + window ? head : position + window;
          drained = windowEnd <= position;
          if (!drained) {
            for (const row of rows) {
              const event = toRecordedEvent(row);
              position = event.position.commit;
              yield { kind: 'event', event };
              if (signal.aborted) return;
            }
            if (rows.length < deps.batchSize) {
              // Nothing else in this window matches: move past it.
              if (windowEnd > position) {
                position = windowEnd;
                yield { kind: 'checkpoint', position: positionOf(position) };
                if (signal.aborted) return;
              }
              drained = windowEnd === head;
            }
            reportCaughtUp = true;
          }
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        failures += 1;
        if (!isConnectionError(err)) throw err;
        if (failures >= MAX_CONSECUTIVE_FAILURES) {
          throw new EventStoreUnavailableError(`Subscription gave up after ${failures} failed reads: ${(err as Error).message}`, err);
        }
        await sleep(100 * 2 ** failures, signal);
        continue;
      }

      if (drained) {
        if (reportCaughtUp) {
          const at: Position | undefined = position > 0n ? positionOf(position) : undefined;
          yield { kind: 'caughtUp', position: at };
          reportCaughtUp = false;
          if (signal.aborted) return;
        }
        await deps.wakeups.wait(generation, deps.pollIntervalMs, signal, filter);
      }
    }
  } finally {
    dispose();
  }
}

async function readPage(deps: SubscriptionDeps, after: bigint): Promise<EventRow[]> {
  const { rows } = await deps.pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM es_events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
    [after.toString(), deps.batchSize],
  );
  return rows;
}

/**
 * The head and the matching events in (after, min(head, windowLimit)], in one statement: one snapshot sees the
 * head's transaction committed, hence every lower position too (positions are handed out in commit order).
 */
async function readFilteredPage(
  deps: SubscriptionDeps,
  after: bigint,
  windowLimit: bigint,
  condition: string,
  patterns: string[],
): Promise<{ head: bigint; rows: EventRow[] }> {
  const { rows } = await deps.pool.query<EventRow & { head: string }>(
    `SELECT h.head, e.*
     FROM (SELECT coalesce(max(global_position), 0) AS head FROM es_events) AS h
     LEFT JOIN LATERAL (
       SELECT ${EVENT_COLUMNS} FROM es_events
       WHERE global_position > $1 AND global_position <= least(h.head, $2::bigint) AND ${condition}
       ORDER BY global_position LIMIT $3
     ) AS e ON true
     ORDER BY e.global_position`,
    [after.toString(), windowLimit.toString(), deps.batchSize, patterns],
  );
  return { head: BigInt(rows[0]?.head ?? '0'), rows: rows.filter((r) => r.global_position !== null) };
}
