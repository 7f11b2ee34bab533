/** Starts and stops the runners of a set of projections (role `projector` and `all`). */
import { startProjection, type RunnerDeps, type RunningProjection } from './runner.js';
import type { Projection } from './projection.js';

export interface ProjectionHost {
  runners: readonly RunningProjection[];
  stop(): Promise<void>;
}

export function startProjections(deps: RunnerDeps, all: readonly Projection[]): ProjectionHost {
  const runners = all.map((p) => startProjection(deps, p));
  return {
    runners,
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
