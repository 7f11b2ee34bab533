/** Starts and stops the runners of a set of projections (role `projector` and `all`), sharing one lock connection. */
import { createLeadership } from './leadership.js';
import { startProjection, type RunnerDeps, type RunningProjection } from './runner.js';
import type { Projection } from './projection.js';

export interface ProjectionHost {
  runners: readonly RunningProjection[];
  stop(): Promise<void>;
}

export function startProjections(deps: Omit<RunnerDeps, 'leadership'> & { databaseUrl: string }, all: readonly Projection[]): ProjectionHost {
  const leadership = createLeadership(deps.databaseUrl, deps.schema);
  const runners = all.map((p) => startProjection({ ...deps, leadership }, p));
  return {
    runners,
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
      await leadership.close();
    },
  };
}
