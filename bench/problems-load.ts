/**
 * Closed-loop HTTP load generator for bench/problems-read.ts, run in its own process so the client does not share
 * the server's event loop: `connections` keep-alive connections, each sending its next request as soon as the
 * previous answer is read. Config arrives in PROBLEMS_LOAD_CONFIG; the result goes back over IPC.
 */
import http from 'node:http';
import { percentile } from './lib/report.js';

export interface LoadConfig {
  base: string;
  token: string;
  connections: number;
  warmupMs: number;
  measureMs: number;
  /** Request paths, used round-robin across all connections. */
  paths: string[];
  headers?: Record<string, string>;
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
  const headers = { authorization: `Bearer ${cfg.token}`, ...cfg.headers };
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  let next = 0;
  const start = performance.now();
  const measureFrom = start + cfg.warmupMs;
  const end = measureFrom + cfg.measureMs;

  const once = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path, method: 'GET', agent, headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  const loop = async () => {
    while (performance.now() < end) {
      const path = cfg.paths[next++ % cfg.paths.length]!;
      const t0 = performance.now();
      const status = await once(path);
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= end) {
        samples.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== cfg.expectStatus) unexpected++;
      }
    }
  };
  // The server samples its own CPU between these two marks.
  const marks = [
    setTimeout(() => process.send?.({ type: 'measure-start' }), cfg.warmupMs),
    setTimeout(() => process.send?.({ type: 'measure-end' }), cfg.warmupMs + cfg.measureMs),
  ];
  await Promise.all(Array.from({ length: cfg.connections }, loop));
  marks.forEach(clearTimeout);
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

if (process.env.PROBLEMS_LOAD_CONFIG) {
  const cfg = JSON.parse(process.env.PROBLEMS_LOAD_CONFIG) as LoadConfig;
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
