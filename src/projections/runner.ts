/**
 * Runs one projection: a catch-up subscription from its checkpoint, events applied in batches, and the checkpoint
 * written in the same transaction as the rows (exactly-once effects on top of at-least-once delivery).
 * One active runner per projection across all processes (leadership.ts); a standby takes over when the leader goes.
 */
import type pg from 'pg';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../infra/db/database.js';
import { positionOf, type EventStore, type RecordedEvent } from '../infra/eventstore/port.js';
import { applyFast, applyIsolated, errorText, isTransient, PoisonEventError, type PoisonPolicy } from './apply-batch.js';
import { markFaulted, readCheckpoint, resetProjection } from './checkpoints.js';
import type { Leadership } from './leadership.js';
import { progressChannel, type ProgressTracker } from './progress.js';
import type { Projection } from './projection.js';
import { rebuildProjection } from './rebuild.js';

export interface RunnerDeps {
  db: Db;
  pool: pg.Pool;
  store: EventStore;
  schema: string;
  progress: ProgressTracker;
  logger: Logger;
  batchSize: number;
  onPoison: PoisonPolicy;
  /** The process's shared lock connection (see leadership.ts). */
  leadership: Leadership;
  /** How often a standby retries the leadership lock. */
  standbyRetryMs?: number;
}

class LeadershipLostError extends Error {}

export interface RunningProjection {
  readonly name: string;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function startProjection(deps: RunnerDeps, projection: Projection): RunningProjection {
  const abort = new AbortController();
  let leader = false;
  const key = `${deps.schema}:projection:${projection.name}`;
  const done = run().catch((err) => deps.logger.error({ err, projection: projection.name }, 'projection runner crashed'));

  async function run(): Promise<void> {
    while (!abort.signal.aborted) {
      if (!(await acquireLeadership())) return;
      leader = true;
      try {
        await follow();
        return;
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof PoisonEventError) {
          // Faulted even if recording it fails (the checkpoint stays before the event either way).
          await markFaulted(deps.db, projection.name, err.message).catch((e: Error) =>
            deps.logger.error({ err: e.message, projection: projection.name }, 'could not record the projection fault'),
          );
          deps.logger.error({ projection: projection.name, eventId: err.event.id, err: errorText(err.cause) }, 'projection faulted');
          return;
        }
        if (!(err instanceof LeadershipLostError)) deps.logger.warn({ err, projection: projection.name }, 'projection runner restarting');
        await sleep(500, abort.signal);
      } finally {
        leader = false;
        await deps.leadership.release(key);
      }
    }
  }

  async function acquireLeadership(): Promise<boolean> {
    while (!abort.signal.aborted) {
      const won = await deps.leadership.tryAcquire(key).catch(() => false);
      if (won) return true;
      await sleep(deps.standbyRetryMs ?? 2000, abort.signal);
    }
    return false;
  }

  async function follow(): Promise<void> {
    const from = await prepareCheckpoint();
    const subscription = deps.store.subscribeToAll({
      fromPosition: from === 0n ? 'start' : positionOf(from),
      filter: { on: 'eventType', prefixes: projection.eventTypes },
      signal: abort.signal,
    });
    let buffer: RecordedEvent[] = [];
    for await (const message of subscription) {
      if (abort.signal.aborted) break;
      if (message.kind === 'event') {
        if (projection.eventTypes.includes(message.event.type)) buffer.push(message.event);
        if (buffer.length >= deps.batchSize) {
          await commit(buffer, buffer[buffer.length - 1]!.position.commit);
          buffer = [];
        }
        continue;
      }
      const through = message.position?.commit ?? buffer[buffer.length - 1]?.position.commit;
      if (through !== undefined && (buffer.length > 0 || through > deps.progress.positionOf(projection.name))) {
        await commit(buffer, through);
        buffer = [];
      }
    }
  }

  /**
   * Where to follow from. A new version is rebuilt into shadow tables and swapped in (rebuild.ts): until the swap,
   * readers keep the previous version's complete rows, never an empty or half-replayed table. A projection with no
   * checkpoint yet starts from zero in place (there is nothing to hide).
   */
  async function prepareCheckpoint(): Promise<bigint> {
    const before = await readCheckpoint(deps.db, projection.name);
    if (before && before.version !== projection.version) {
      deps.logger.info({ projection: projection.name, from: before.version, to: projection.version }, 'projection version changed: rebuilding into shadow tables');
      const { position } = await rebuildProjection(deps.db, deps.store, projection, abort.signal);
      deps.progress.report(projection.name, position);
      return position;
    }
    return deps.db.transaction().execute(async (trx) => {
      const current = await readCheckpoint(trx, projection.name, true);
      if (!current || current.version !== projection.version) {
        await resetProjection(trx, projection);
        return 0n;
      }
      if (current.status !== 'running') {
        await sql`UPDATE projection_checkpoints SET status = 'running', last_error = NULL WHERE name = ${projection.name}`.execute(trx);
      }
      deps.progress.report(projection.name, current.position);
      return current.position;
    });
  }

  /** Apply `events` and move the checkpoint to `through`, retrying transient failures before the poison policy. */
  async function commit(events: RecordedEvent[], through: bigint): Promise<void> {
    let isolated = false;
    for (let attempt = 0; ; attempt++) {
      if (!deps.leadership.isHeld(key)) throw new LeadershipLostError();
      try {
        await deps.db.transaction().execute(async (trx) => {
          const checkpoint = await readCheckpoint(trx, projection.name, true);
          const fresh = events.filter((e) => e.position.commit > (checkpoint?.position ?? 0n));
          if (isolated) await applyIsolated(trx, projection, fresh, deps.onPoison);
          else await applyFast(trx, projection, fresh);
          const target = through > (checkpoint?.position ?? 0n) ? through : checkpoint!.position;
          await sql`UPDATE projection_checkpoints SET position = ${target.toString()}, updated_at = now() WHERE name = ${projection.name}`.execute(trx);
          await sql`SELECT pg_notify(${progressChannel(deps.schema)}, ${`${projection.name}:${target}`})`.execute(trx);
        });
        deps.progress.report(projection.name, through);
        return;
      } catch (err) {
        if (err instanceof PoisonEventError) throw err;
        if (isTransient(err) && attempt < 5) {
          await sleep(100 * 2 ** attempt, abort.signal);
          continue;
        }
        if (!isolated) {
          isolated = true; // find the failing event with a savepoint per event
          continue;
        }
        throw err;
      }
    }
  }

  return {
    name: projection.name,
    isLeader: () => leader,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

/** Waits `ms`, or less when `signal` aborts; the abort listener goes away with the timer (standbys sleep often). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
