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
import { EventStoreUnavailableError, positionOf, type SubscribeOptions, type SubscriptionMessage } from '../port.js';
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

/** What one read of the log yields, and where the subscription stands after it. */
interface Page {
  messages: SubscriptionMessage[];
  position: bigint;
  /** The log is read to its head: wait for a wake-up before reading again. */
  drained: boolean;
  /** Something moved the subscription forward (the next drain reports `caughtUp` again). */
  advanced: boolean;
}

interface Reader {
  filter: SubscribeOptions['filter'];
  patterns: string[];
  /** Widest span of positions one filtered read covers. */
  window: bigint;
}

const eventOf = (row: EventRow): SubscriptionMessage => ({ kind: 'event', event: toRecordedEvent(row) });
const lastPosition = (messages: SubscriptionMessage[], otherwise: bigint): bigint => {
  const last = messages[messages.length - 1];
  return last?.kind === 'event' ? last.event.position.commit : otherwise;
};

async function unfilteredPage(deps: SubscriptionDeps, position: bigint): Promise<Page> {
  const rows = await readPage(deps, position);
  const messages = rows.map(eventOf);
  return { messages, position: lastPosition(messages, position), drained: rows.length < deps.batchSize, advanced: rows.length > 0 };
}

async function filteredPage(deps: SubscriptionDeps, position: bigint, reader: Reader): Promise<Page> {
  const limit = position + reader.window;
  const { head, rows } = await readFilteredPage(deps, position, limit, filterCondition(reader.filter!, 4), reader.patterns);
  const windowEnd = head < limit ? head : limit;
  if (windowEnd <= position) return { messages: [], position, drained: true, advanced: false };
  const messages = rows.map(eventOf);
  const reached = lastPosition(messages, position);
  if (rows.length >= deps.batchSize) return { messages, position: reached, drained: false, advanced: true };
  // Nothing else in this window matches: move past it.
  if (windowEnd <= reached) return { messages, position: reached, drained: windowEnd === head, advanced: true };
  messages.push({ kind: 'checkpoint', position: positionOf(windowEnd) });
  return { messages, position: windowEnd, drained: windowEnd === head, advanced: true };
}

/** After a failed read: wait longer each time on connection trouble, give up past the limit, rethrow anything else. */
async function backOff(err: unknown, failures: number, signal: AbortSignal): Promise<void> {
  if (!isConnectionError(err)) throw err;
  if (failures >= MAX_CONSECUTIVE_FAILURES) {
    throw new EventStoreUnavailableError(`Subscription gave up after ${failures} failed reads: ${(err as Error).message}`, err);
  }
  await sleep(100 * 2 ** failures, signal);
}

async function startPosition(deps: SubscriptionDeps, from: SubscribeOptions['fromPosition']): Promise<bigint> {
  if (from === undefined || from === 'start') return 0n;
  return from === 'end' ? headPosition(deps.pool) : from.commit;
}

export async function* subscribeToAll(deps: SubscriptionDeps, options: SubscribeOptions = {}): AsyncGenerator<SubscriptionMessage> {
  const { signal, dispose } = linkedAbort([deps.closed, options.signal]);
  try {
    if (signal.aborted) return;
    deps.ensureListening();
    let position = await startPosition(deps, options.fromPosition);
    const filter = options.filter;
    const reader: Reader = {
      filter,
      patterns: filter ? likePatterns(filter) : [],
      window: BigInt(Math.max(1, deps.searchWindow * Math.max(1, options.checkpointInterval ?? 1))),
    };
    let reportCaughtUp = true; // the first drain always reports; later ones after anything was delivered
    let failures = 0;

    while (!signal.aborted) {
      const generation = deps.wakeups.generation;
      let page: Page;
      try {
        page = filter ? await filteredPage(deps, position, reader) : await unfilteredPage(deps, position);
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        await backOff(err, ++failures, signal);
        continue;
      }
      if (signal.aborted) return;
      for (const message of page.messages) {
        yield message;
        if (signal.aborted) return;
      }
      position = page.position;
      if (page.advanced) reportCaughtUp = true;
      if (!page.drained) continue;
      if (reportCaughtUp) {
        yield { kind: 'caughtUp', position: position > 0n ? positionOf(position) : undefined };
        reportCaughtUp = false;
        if (signal.aborted) return;
      }
      await deps.wakeups.wait(generation, deps.pollIntervalMs, signal, filter);
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
