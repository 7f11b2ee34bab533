/**
 * Closed-loop HTTP load generator for bench/rooms-http.ts, in its own process: one keep-alive connection per entry of
 * `connections`, each with its own access token and its own request paths (used in order, wrapping around), sending
 * the next request as soon as the previous answer is read. The config arrives and the result goes back over IPC.
 */
import http from 'node:http';
import { percentile } from './lib/report.js';

export interface RoomsLoadConfig {
  base: string;
  method: 'GET' | 'POST';
  /** JSON body of every request (POST) */
  body?: unknown;
  connections: Array<{ token: string; paths: string[] }>;
  warmupMs: number;
  measureMs: number;
  expectStatus: number;
}

export interface RoomsLoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  unexpected: number;
  statuses: Record<string, number>;
  /** requests sent per connection, warm-up included (how far each path list was used) */
  sent: number[];
}

async function run(cfg: RoomsLoadConfig): Promise<RoomsLoadResult> {
  const url = new URL(cfg.base);
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  const sent = cfg.connections.map(() => 0);
  let unexpected = 0;
  const payload = cfg.body === undefined ? undefined : JSON.stringify(cfg.body);
  const start = performance.now();
  const measureFrom = start + cfg.warmupMs;
  const end = measureFrom + cfg.measureMs;

  const loop = async (c: { token: string; paths: string[] }, index: number) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const headers: Record<string, string> = { authorization: `Bearer ${c.token}` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const once = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path, method: cfg.method, agent, headers }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    while (performance.now() < end) {
      const path = c.paths[sent[index]! % c.paths.length]!;
      sent[index]!++;
      const t0 = performance.now();
      const status = await once(path);
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= end) {
        samples.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== cfg.expectStatus) unexpected++;
      }
    }
    agent.destroy();
  };
  await Promise.all(cfg.connections.map(loop));
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
    sent,
  };
}

if (process.env.ROOMS_LOAD === '1') {
  process.once('message', (m: { type: string; cfg: RoomsLoadConfig }) => {
    if (m.type === 'config') start(m.cfg);
  });
}

function start(cfg: RoomsLoadConfig): void {
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
