/**
 * Read-your-writes: after a command appended events at `position`, wait (bounded) until every projection that
 * reads those event types has passed it. A GET issued after the command's response then reflects the command.
 * On timeout the response goes out anyway and the miss is logged (the projections are behind, faulted or being
 * rebuilt); the caller then answers from the command's own result (its events and state), never from a read
 * model that does not show the command yet. Resolves whether the read models caught up.
 */
import type { Logger } from 'pino';
import type { Position } from '../infra/eventstore/port.js';
import type { ProgressTracker } from '../projections/progress.js';
import type { Projection } from '../projections/projection.js';
import { projectionsReading } from '../projections/registry.js';

export interface ReadYourWritesDeps {
  progress: ProgressTracker;
  projections: readonly Projection[];
  logger: Logger;
  timeoutMs: number;
}

export async function waitForProjections(
  deps: ReadYourWritesDeps,
  position: Position | undefined,
  eventTypes: readonly string[],
): Promise<boolean> {
  if (!position || eventTypes.length === 0 || deps.timeoutMs === 0) return true;
  const names = projectionsReading(deps.projections, eventTypes);
  if (names.length === 0) return true;
  const reached = await deps.progress.waitFor(position.commit, names, deps.timeoutMs);
  if (!reached) {
    deps.logger.warn({ position: position.commit.toString(), projections: names }, 'read-your-writes wait timed out');
  }
  return reached;
}
