/**
 * Where a process is in its life, for orchestrators: `starting` (migrating, wiring, catching up), `running`, then
 * `stopping` once a shutdown began. Readiness (`GET /health/ready`) is false outside `running`, so a load balancer
 * stops sending traffic before the listener closes. Every context has one, created by the composition root.
 */
export type Phase = 'starting' | 'running' | 'stopping';

export interface Lifecycle {
  role: string;
  phase: Phase;
}

/** A context nobody started through `serve` (tests, CLI) is running as soon as it exists. */
export function createLifecycle(): Lifecycle {
  return { role: 'all', phase: 'running' };
}

/** What has a lifecycle: a process's context. */
export interface LifecycleOwner {
  lifecycle: Lifecycle;
}

export function markStarting(owner: LifecycleOwner, role: string): void {
  owner.lifecycle.role = role;
  owner.lifecycle.phase = 'starting';
}

export function markRunning(owner: LifecycleOwner): void {
  owner.lifecycle.phase = 'running';
}

export function markStopping(owner: LifecycleOwner): void {
  owner.lifecycle.phase = 'stopping';
}
