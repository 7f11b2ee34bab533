/**
 * What the sweeper looks after: kinds of requested work that a queue job carries out. Each kind finds its
 * unfinished work in the read models (the event store decides whether it really is unfinished), rebuilds the job
 * from the events when Redis lost it, and fails the work through its command handler when it is past the
 * deadline. Modules with queued work of their own (AI requests, reports) add a kind with `registerSweepKind`.
 */
import type { JobsOptions } from 'bullmq';
import type { AppContext } from '../../composition/context.js';

export interface UnfinishedWork {
  id: string;
  requestedAt: Date;
}

export interface SweepKind {
  /** Name in logs and results (e.g. `run`, `submission`, `hint`). */
  readonly name: string;
  /** BullMQ queue the work's job lives in; the job id is the work's id. */
  readonly queue: string;
  /** Unfinished work requested before `before`, oldest first (read model; may be stale). */
  findUnfinished(ctx: AppContext, before: Date, limit: number): Promise<UnfinishedWork[]>;
  /**
   * The job that carries the work out, rebuilt from the event store — or undefined when the work is finished
   * after all (the read model lagged), so nothing is enqueued.
   */
  jobFor(ctx: AppContext, id: string): Promise<{ name: string; data: unknown; opts: JobsOptions } | undefined>;
  /** Complete the work as failed with `reason` (through its command handler: a visible failed result). */
  fail(ctx: AppContext, id: string, reason: string): Promise<void>;
}

const kinds = new Map<string, SweepKind>();

/** Add (or replace, by name) a kind of work the sweeper looks after. */
export function registerSweepKind(kind: SweepKind): void {
  kinds.set(kind.name, kind);
}

export function sweepKinds(): SweepKind[] {
  return [...kinds.values()];
}
