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
import type { Projection, Trx } from './projection.js';
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
  const runner = new ProjectionRunner(deps, projection);
  const done = runner.run().catch((err) => deps.logger.error({ err, projection: projection.name }, 'projection runner crashed'));
  return {
    name: projection.name,
    isLeader: () => runner.leader,
    async stop() {
      runner.abort.abort();
      await done;
    },
  };
}

class ProjectionRunner {
  readonly abort = new AbortController();
  leader = false;
  private readonly key: string;
  /** The quiet window not written yet, and when it may be (see follow). */
  private quiet: { through: bigint; due: number } | undefined;
  private lastQuietWrite = 0;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly projection: Projection,
  ) {
    this.key = `${deps.schema}:projection:${projection.name}`;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Stand by until leader, follow the log; a poison event faults the projection, anything else restarts it. */
  async run(): Promise<void> {
    while (!this.stopped) {
      if (!(await this.acquireLeadership())) return;
      this.leader = true;
      try {
        await this.follow();
        return;
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof PoisonEventError) return this.fault(err);
        if (!(err instanceof LeadershipLostError)) this.deps.logger.warn({ err, projection: this.projection.name }, 'projection runner restarting');
        await sleep(500, this.abort.signal);
      } finally {
        this.leader = false;
        await this.deps.leadership.release(this.key);
      }
    }
  }

  /** Faulted even if recording it fails (the checkpoint stays before the event either way). */
  private async fault(err: PoisonEventError): Promise<void> {
    const name = this.projection.name;
    await markFaulted(this.deps.db, name, err.message).catch((e: Error) =>
      this.deps.logger.error({ err: e.message, projection: name }, 'could not record the projection fault'),
    );
    this.deps.logger.error({ projection: name, eventId: err.event.id, err: errorText(err.cause) }, 'projection faulted');
  }

  private async acquireLeadership(): Promise<boolean> {
    while (!this.stopped) {
      const won = await this.deps.leadership.tryAcquire(this.key).catch(() => false);
      if (won) return true;
      await sleep(this.deps.standbyRetryMs ?? 2000, this.abort.signal);
    }
    return false;
  }

  /**
   * Events are applied in batches as they come. A quiet window (a checkpoint or catch-up with nothing of this
   * projection's in it) only moves the stored position, and that is written at most once per
   * QUIET_CHECKPOINT_MS: a subscription is woken by commits it does not read too (an announcement that names no
   * event types, a poll, a catch-up), and without the limit each busy second (sign-ins, say) could cost every
   * projection a checkpoint transaction per commit. The last quiet window is still written when its time comes, also if nothing follows.
   */
  private async follow(): Promise<void> {
    const { deps, projection } = this;
    const from = await this.prepareCheckpoint();
    const subscription = deps.store.subscribeToAll({
      fromPosition: from === 0n ? 'start' : positionOf(from),
      filter: { on: 'eventType', prefixes: projection.eventTypes },
      signal: this.abort.signal,
    });
    const messages = subscription[Symbol.asyncIterator]();
    let buffer: RecordedEvent[] = [];
    let pending = messages.next();
    try {
      for (;;) {
        const next = await nextOrDue(pending, this.quiet?.due);
        if (next === DUE) {
          await this.commitQuiet(this.quiet!.through);
          continue; // `pending` is still the message to wait for
        }
        if (next.done || this.stopped) return;
        const message = next.value;
        if (message.kind === 'event') {
          if (projection.eventTypes.includes(message.event.type)) buffer.push(message.event);
          if (buffer.length >= deps.batchSize) {
            await this.commit(buffer, buffer[buffer.length - 1]!.position.commit);
            buffer = [];
          }
        } else {
          const through = message.position?.commit ?? buffer[buffer.length - 1]?.position.commit;
          if (through !== undefined && buffer.length > 0) {
            await this.commit(buffer, through);
            buffer = [];
          } else if (through !== undefined) await this.quietWindow(through);
        }
        pending = messages.next();
      }
    } finally {
      this.quiet = undefined;
      void messages.return?.(undefined)?.catch(() => undefined);
    }
  }

  private async quietWindow(through: bigint): Promise<void> {
    if (through <= (this.quiet?.through ?? this.deps.progress.positionOf(this.projection.name))) return;
    const due = this.lastQuietWrite + QUIET_CHECKPOINT_MS;
    if (Date.now() >= due) await this.commitQuiet(through);
    else this.quiet = { through, due };
  }

  private async commitQuiet(through: bigint): Promise<void> {
    this.quiet = undefined;
    this.lastQuietWrite = Date.now();
    await this.commit([], through);
  }

  /**
   * Where to follow from. A new version is rebuilt into shadow tables and swapped in (rebuild.ts): until the swap,
   * readers keep the previous version's complete rows, never an empty or half-replayed table. A projection with no
   * checkpoint yet starts from zero in place (there is nothing to hide).
   */
  private async prepareCheckpoint(): Promise<bigint> {
    const { deps, projection } = this;
    const before = await readCheckpoint(deps.db, projection.name);
    if (before && before.version !== projection.version) {
      deps.logger.info({ projection: projection.name, from: before.version, to: projection.version }, 'projection version changed: rebuilding into shadow tables');
      const { position } = await rebuildProjection(deps.db, deps.store, projection, this.abort.signal);
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
  private async commit(events: RecordedEvent[], through: bigint): Promise<void> {
    let isolated = false;
    for (let attempt = 0; ; attempt++) {
      if (!this.deps.leadership.isHeld(this.key)) throw new LeadershipLostError();
      try {
        await this.applyAndCheckpoint(events, through, isolated);
        this.deps.progress.report(this.projection.name, through);
        if (this.quiet && this.quiet.through <= through) this.quiet = undefined;
        return;
      } catch (err) {
        if (err instanceof PoisonEventError) throw err;
        if (isTransient(err) && attempt < 5) {
          await sleep(100 * 2 ** attempt, this.abort.signal);
          continue;
        }
        if (isolated) throw err;
        isolated = true; // find the failing event with a savepoint per event
      }
    }
  }

  /** One transaction: the events after the stored checkpoint, then the checkpoint and its notification. */
  private async applyAndCheckpoint(events: RecordedEvent[], through: bigint, isolated: boolean): Promise<void> {
    const { deps, projection } = this;
    // A quiet window only moves the position: its own statement, no transaction around it (see moveCheckpoint).
    if (events.length === 0) return this.moveCheckpoint(deps.db, through);
    await deps.db.transaction().execute(async (trx) => {
      const checkpoint = await readCheckpoint(trx, projection.name, true);
      const fresh = events.filter((e) => e.position.commit > (checkpoint?.position ?? 0n));
      if (isolated) await applyIsolated(trx, projection, fresh, deps.onPoison);
      else await applyFast(trx, projection, fresh);
      await this.moveCheckpoint(trx, through);
    });
  }

  /**
   * The checkpoint moved to `through` and its notification (sent at commit), in one statement: one round trip. It
   * never moves the checkpoint back. Quiet windows run it alone, not in a transaction of four round trips, since they
   * are the most frequent commits of a busy system — every projection stores one up to twice a second while others
   * write.
   */
  private async moveCheckpoint(db: Db | Trx, through: bigint): Promise<void> {
    const { deps, projection } = this;
    await sql`
      WITH moved AS (
        UPDATE projection_checkpoints SET position = ${through.toString()}, updated_at = now()
        WHERE name = ${projection.name} AND position < ${through.toString()} RETURNING name
      )
      SELECT pg_notify(${progressChannel(deps.schema)}, ${`${projection.name}:${through}`}) FROM moved`.execute(db);
  }
}

/** How often a projection with nothing to apply stores its position (the default subscription poll interval). */
export const QUIET_CHECKPOINT_MS = 500;

const DUE = Symbol('due');

/** The next message, or DUE when `due` (epoch ms) comes first. */
async function nextOrDue<T>(pending: Promise<T>, due: number | undefined): Promise<T | typeof DUE> {
  if (due === undefined) return pending;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof DUE>((resolve) => {
    timer = setTimeout(() => resolve(DUE), Math.max(0, due - Date.now()));
  });
  try {
    return await Promise.race([pending, deadline]);
  } finally {
    clearTimeout(timer);
  }
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
