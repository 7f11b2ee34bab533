/**
 * Applies a batch of events to one projection inside the caller's transaction. The fast path runs the batch
 * without savepoints; if any event fails, the batch is rolled back by the caller and re-run in isolated mode with
 * a savepoint per event, so the failing event is identified and handled by policy: `stop` (fault the projection,
 * checkpoint stays before the event) or `skip` (dead-letter it and go on).
 */
import { sql } from 'kysely';
import type { RecordedEvent } from '../infra/eventstore/port.js';
import type { Projection, Trx } from './projection.js';

export type PoisonPolicy = 'stop' | 'skip';

export class PoisonEventError extends Error {
  constructor(
    readonly projection: string,
    readonly event: RecordedEvent,
    override readonly cause: unknown,
  ) {
    super(`Projection ${projection} failed on ${event.type} at ${event.position.commit}: ${errorText(cause)}`);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const TRANSIENT = new Set(['40001', '40P01', '57P01', '08006', '08003', '08000', '53300']);
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return (typeof code === 'string' && TRANSIENT.has(code)) || /Connection terminated|ECONNRESET|ECONNREFUSED|not queryable|timeout exceeded when trying to connect/.test(errorText(err));
}

export async function applyFast(trx: Trx, projection: Projection, events: readonly RecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (projection.applyBatch) return projection.applyBatch(trx, events);
  for (const event of events) await projection.apply(trx, event);
}

export async function applyIsolated(
  trx: Trx,
  projection: Projection,
  events: readonly RecordedEvent[],
  policy: PoisonPolicy,
): Promise<void> {
  for (const event of events) {
    await sql`SAVEPOINT projection_event`.execute(trx);
    try {
      await projection.apply(trx, event);
      await sql`RELEASE SAVEPOINT projection_event`.execute(trx);
    } catch (err) {
      await sql`ROLLBACK TO SAVEPOINT projection_event`.execute(trx);
      if (isTransient(err) || policy === 'stop') throw isTransient(err) ? err : new PoisonEventError(projection.name, event, err);
      await sql`
        INSERT INTO projection_dead_letters (projection, event_id, position, stream_name, event_type, error)
        VALUES (${projection.name}, ${event.id}, ${event.position.commit.toString()}, ${event.streamName}, ${event.type}, ${errorText(err)})
        ON CONFLICT (projection, event_id) DO UPDATE SET attempts = projection_dead_letters.attempts + 1, error = EXCLUDED.error`.execute(trx);
    }
  }
}
