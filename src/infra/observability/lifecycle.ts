/**
 * Where a process is in its life, for orchestrators: `starting` (migrating, wiring, catching up), `running`, then
 * `stopping` once a shutdown began. Readiness (`GET /health/ready`) is false outside `running`, so a load balancer
 * stops sending traffic before the listener closes. Kept beside the context rather than on it: every role has one.
 */
export type Phase = 'starting' | 'running' | 'stopping';

export interface Lifecycle {
  role: string;
  phase: Phase;
}

const lifecycles = new WeakMap<object, Lifecycle>();

export function lifecycleOf(owner: object): Lifecycle {
  let lifecycle = lifecycles.get(owner);
  if (!lifecycle) {
    // A context nobody started through `serve` (tests, CLI) is running as soon as it exists.
    lifecycle = { role: 'all', phase: 'running' };
    lifecycles.set(owner, lifecycle);
  }
  return lifecycle;
}

export function markStarting(owner: object, role: string): void {
  lifecycles.set(owner, { role, phase: 'starting' });
}

export function markRunning(owner: object): void {
  lifecycleOf(owner).phase = 'running';
}

export function markStopping(owner: object): void {
  lifecycleOf(owner).phase = 'stopping';
}
