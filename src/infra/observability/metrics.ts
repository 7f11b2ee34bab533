/** Prometheus metrics of one process, exposed at GET /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpErrors: Counter<'method' | 'route' | 'code'>;
  httpDuration: Histogram<'method' | 'route'>;
  projectionLag: Gauge<'projection'>;
  queueDepth: Gauge<'queue' | 'state'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'syncode_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'syncode_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpErrors: new Counter({ name: 'syncode_http_errors_total', help: 'HTTP error responses by code', labelNames: ['method', 'route', 'code'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'syncode_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    projectionLag: new Gauge({ name: 'syncode_projection_lag_events', help: 'Global positions between the head and a projection checkpoint', labelNames: ['projection'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'syncode_queue_jobs', help: 'BullMQ jobs by queue and state', labelNames: ['queue', 'state'], registers: [registry] }),
  };
}
