/**
 * The closed-loop HTTP load generator every HTTP benchmark uses, run in a process of its own so the client does not
 * share the server's event loop or CPU accounting.
 *
 * Each connection is one keep-alive socket that sends its next request as soon as the previous answer is read,
 * walking its own request list in order (wrapping around). `spreadRequests` deals one shared list out round-robin.
 *
 * Counting window (the same for every benchmark): after `warmupMs`, for `measureMs`. A request counts - in the
 * throughput and in the latency percentiles - when its answer arrives inside the window, also when it was sent
 * before the window opened. In a closed loop, throughput is completions per unit of time; counting only requests
 * sent inside the window would undercount when latencies are long next to the window (logins at 50 connections).
 *
 * The server side calls runHttpLoad(); it gets the result plus its own CPU time over exactly the measured window
 * (the generator reports the window's start and end over IPC as they happen).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { percentile } from './report.js';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface HttpLoadConfig {
  base: string;
  /** One request list per connection. */
  connections: LoadRequest[][];
  warmupMs: number;
  measureMs: number;
  expectStatus: number;
}

export interface HttpLoadResult {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  unexpected: number;
  statuses: Record<string, number>;
  /** Requests each connection sent, warm-up included (how far it got through its list). */
  sent: number[];
}

export interface ServerWindow {
  /** Server process CPU time (user + system) inside the measured window, ms. */
  cpuMs: number;
  /** Length of the window as the server saw it, ms. */
  ms: number;
  /** cpuMs / ms, as a percentage of one core. */
  cpuPercent: number;
  cpuMsPerRequest: number;
}

/** The columns every HTTP load table prints for one scenario: throughput, latency percentiles, server CPU. */
export function loadRow(scenario: string, result: HttpLoadResult, server: ServerWindow): Record<string, string | number> {
  return {
    scenario,
    'req/s': Math.round(result.rps),
    'p50 ms': result.p50,
    'p90 ms': result.p90,
    'p99 ms': result.p99,
    'max ms': result.max,
    requests: result.requests,
    'bad status': result.unexpected,
    'server cpu %': Math.round(server.cpuPercent),
    'cpu ms/req': server.cpuMsPerRequest,
  };
}

/** `count` connections that share `requests` round-robin: connection c gets requests c, c + count, ... */
export function spreadRequests(requests: readonly LoadRequest[], count: number): LoadRequest[][] {
  return Array.from({ length: count }, (_, c) => {
    const mine = requests.filter((_r, i) => i % count === c);
    return mine.length > 0 ? mine : [requests[c % requests.length]!];
  });
}

/** CPU time (user + system, ms) of another process on this machine, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] and [12] are utime and stime (the 14th and 15th of the whole line), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Runs the generator in a child process against `cfg.base` and samples the server's CPU over the window: this
 * process's, or the process `serverPid` names when the server runs in a process of its own.
 */
export async function runHttpLoad(cfg: HttpLoadConfig, serverPid?: number): Promise<{ result: HttpLoadResult; server: ServerWindow }> {
  const cpuNow = (): number => {
    if (serverPid !== undefined) return processCpuMs(serverPid);
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, HTTP_LOAD_CHILD: '1' },
  });
  let cpu0 = cpuNow();
  let t0 = performance.now();
  let window: { cpuMs: number; ms: number } | undefined;
  const result = await new Promise<HttpLoadResult>((resolve, reject) => {
    child.on('message', (m: { type: string; result?: HttpLoadResult }) => {
      if (m.type === 'measure-start') {
        cpu0 = cpuNow();
        t0 = performance.now();
      } else if (m.type === 'measure-end') {
        window = { cpuMs: cpuNow() - cpu0, ms: performance.now() - t0 };
      } else if (m.type === 'result' && m.result) resolve(m.result);
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send({ type: 'config', cfg });
  });
  const w = window ?? { cpuMs: Number.NaN, ms: Number.NaN };
  return { result, server: { ...w, cpuPercent: (w.cpuMs / w.ms) * 100, cpuMsPerRequest: w.cpuMs / result.requests } };
}

interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string | number>;
  payload: Buffer | undefined;
}

function prepare(r: LoadRequest): Prepared {
  const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
  const headers: Record<string, string | number> = { ...r.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  return { method: r.method, path: r.path, headers, payload };
}

async function generate(cfg: HttpLoadConfig): Promise<HttpLoadResult> {
  const url = new URL(cfg.base);
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  const sent = cfg.connections.map(() => 0);
  let unexpected = 0;
  const start = performance.now();
  const measureFrom = start + cfg.warmupMs;
  const end = measureFrom + cfg.measureMs;
  let ended = false;
  const endMeasure = () => {
    if (ended) return;
    ended = true;
    process.send?.({ type: 'measure-end' });
  };
  const marks = [
    setTimeout(() => process.send?.({ type: 'measure-start' }), cfg.warmupMs),
    setTimeout(endMeasure, cfg.warmupMs + cfg.measureMs),
  ];

  const loop = async (list: LoadRequest[], index: number): Promise<void> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const requests = list.map(prepare);
    const once = (r: Prepared) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: r.path, method: r.method, agent, headers: r.headers }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(r.payload);
      });
    while (performance.now() < end) {
      const r = requests[sent[index]! % requests.length]!;
      sent[index]! += 1;
      const t0 = performance.now();
      const status = await once(r);
      const t1 = performance.now();
      if (t1 >= measureFrom && t1 <= end) {
        samples.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== cfg.expectStatus) unexpected++;
      }
    }
    agent.destroy();
  };
  await Promise.all(cfg.connections.map(loop));
  // A busy loop can finish the last requests before the end-of-window timer fires: the window still ends.
  endMeasure();
  marks.forEach(clearTimeout);
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

if (process.env.HTTP_LOAD_CHILD === '1' && process.send) {
  process.once('message', (m: { type: string; cfg: HttpLoadConfig }) => {
    if (m.type !== 'config') return;
    generate(m.cfg).then(
      (result) => process.send!({ type: 'result', result }, () => process.exit(0)),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
