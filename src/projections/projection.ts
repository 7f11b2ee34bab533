/**
 * A projection turns events into rows of the tables it owns. `apply` must be idempotent (delivery is at least
 * once) and deterministic (use event data and `occurredAt`, never now() or random ids), so a rebuild yields the
 * same rows — `syncode projections verify` checks exactly that.
 */
import type { Transaction } from 'kysely';
import type { RecordedEvent } from '../infra/eventstore/port.js';

export type Trx = Transaction<any>;

export interface Projection {
  /** Stable name; also the checkpoint key. */
  readonly name: string;
  /** Bump when the rows' shape or meaning changes: the next projector start rebuilds it into shadow tables and swaps. */
  readonly version: number;
  /** Event types this projection reads; nothing else is delivered to it. */
  readonly eventTypes: readonly string[];
  /** Tables this projection owns (and nobody else writes). Replaced on rebuild, compared by verify. */
  readonly tables: readonly string[];
  apply(trx: Trx, event: RecordedEvent): Promise<void>;
  /**
   * Optional set-based version of `apply` for a batch in position order (one multi-row statement instead of one
   * per event) — what makes catch-up and rebuilds fast. Must leave the same rows as applying one by one; when a
   * batch fails, the runner falls back to `apply` per event to isolate the culprit.
   */
  applyBatch?(trx: Trx, events: readonly RecordedEvent[]): Promise<void>;
}

/** When the event was produced: the command's clock, falling back to the store's commit time. */
export function occurredAt(event: RecordedEvent): Date {
  const at = event.metadata['occurredAt'];
  return typeof at === 'string' ? new Date(at) : event.createdAt;
}

export function actorOf(event: RecordedEvent): string | null {
  const actor = event.metadata['actorId'];
  return typeof actor === 'string' ? actor : null;
}

/** The id part of `<category>-<id>`. */
export function streamId(event: RecordedEvent): string {
  const i = event.streamName.indexOf('-');
  return i < 0 ? event.streamName : event.streamName.slice(i + 1);
}
