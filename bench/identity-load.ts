/**
 * Closed-loop HTTP load generator for bench/identity-auth.ts, run in its own process so the client does not share
 * the server's event loop: `connections` keep-alive connections, each sending its next request as soon as the
 * previous answer is read; requests are taken round-robin from a list (method, path, headers, JSON body). Config
 * arrives in IDENTITY_LOAD_CONFIG; the result goes back over IPC.
 */
import http from 'node:http';
import { percentile } from './lib/report.js';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface LoadConfig {
  base: string;
  connections: number;
  warmupMs: number;
  measureMs: number;
  requests: LoadRequest[];
  expectStatus: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  unexpected: number;
  statuses: Record<string, number>;
}

async function run(cfg: LoadConfig): Promise<LoadResult> {
  const url = new URL(cfg.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.connections });
  const prepared = cfg.requests.map((r) => {
    const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
    const headers: Record<string, string | number> = { ...r.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return { method: r.method, path: r.path, headers, payload };
  });
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  let next = 0;
  const start = performance.now();
  const measureFrom = start + cfg.warmupMs;
  const end = measureFrom + cfg.measureMs;

  const once = (r: (typeof prepared)[number]) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: r.path, method: r.method, agent, headers: r.headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(r.payload);
    });

  const loop = async () => {
    while (performance.now() < end) {
      const r = prepared[next++ % prepared.length]!;
      const t0 = performance.now();
      const status = await once(r);
      const t1 = performance.now();
      // Every answer that arrives inside the window counts (closed loop: throughput = completions / window),
      // also when its request was sent before the window opened — with multi-second latencies (login at 50
      // connections) counting only requests sent inside the window would undercount.
      if (t1 >= measureFrom && t1 <= end) {
        samples.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== cfg.expectStatus) unexpected++;
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.connections }, loop));
  agent.destroy();
  samples.sort((a, b) => a - b);
  return {
    requests: samples.length,
    rps: samples.length / (cfg.measureMs / 1000),
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1] ?? Number.NaN,
    unexpected,
    statuses,
  };
}

if (process.env.IDENTITY_LOAD_CONFIG) {
  const cfg = JSON.parse(process.env.IDENTITY_LOAD_CONFIG) as LoadConfig;
  run(cfg).then(
    (result) => {
      process.send?.({ type: 'result', ...result });
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
