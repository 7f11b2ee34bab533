/**
 * Fault-test cluster: the roles (api, collab, worker, projector) as separate processes (`src/cli.ts serve --role`)
 * on a schema and Redis prefix of their own, optionally reaching Postgres and Redis through TCP proxies the test
 * can cut and restore (an outage of the shared servers, without stopping them for everyone else on the machine).
 * The test process keeps a context of its own, connected directly, to read the event store and verify read models.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/infra/observability/logger.js';
import type { AppContext } from '../../src/composition/context.js';
import { closeContext, createContext } from '../../src/composition/create-context.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { until as poll } from '../support/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A TCP proxy to a local server. `cut()` drops every connection and refuses new ones until `restore()`. */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
    return this;
  }

  /** The target's URL with host and port replaced by the proxy's. */
  url(of: string): string {
    const u = new URL(of);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type Role = 'api' | 'collab' | 'worker' | 'projector' | 'all';

export interface RoleProcess {
  role: Role;
  child: ChildProcess;
  /** PGAPPNAME of its pool connections (to find its backends in pg_stat_activity). */
  appName: string;
  alive(): boolean;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Reach Postgres / Redis through proxies the test can cut. */
  proxyPostgres?: boolean;
  proxyRedis?: boolean;
  env?: Record<string, string>;
  /** Node flags of the role processes, before the entry point (benchmarks: --import a probe, --expose-gc). */
  nodeArgs?: string[];
}

export interface Cluster {
  schema: string;
  config: Config;
  /** The test's own context (direct connections, migrated schema, no roles running in it). */
  ctx: AppContext;
  pgProxy: TcpProxy | undefined;
  redisProxy: TcpProxy | undefined;
  apiUrl: string;
  processes: RoleProcess[];
  /**
   * `nodeArgs` replaces the cluster's `nodeArgs` for this process. `cli` is the entry point: the sources
   * (src/cli.ts, run through tsx) by default, or a compiled one (dist/cli.js, run by Node alone).
   */
  start(role: Role, env?: Record<string, string>, nodeArgs?: string[], cli?: string): Promise<RoleProcess>;
  close(): Promise<void>;
}

let counter = 0;

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const schema = `fault_${randomBytes(5).toString('hex')}`;
  const prefix = `test:${schema}`;
  const pgProxy = options.proxyPostgres ? await new TcpProxy({ host: '127.0.0.1', port: Number(new URL(TEST_DATABASE_URL).port || 5432) }).start() : undefined;
  const redisProxy = options.proxyRedis ? await new TcpProxy({ host: '127.0.0.1', port: Number(new URL(TEST_REDIS_URL).port || 6379) }).start() : undefined;
  const apiPort = await freePort();
  const collabPort = await freePort();
  const base: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: pgProxy ? pgProxy.url(TEST_DATABASE_URL) : TEST_DATABASE_URL,
    REDIS_URL: redisProxy ? redisProxy.url(TEST_REDIS_URL) : TEST_REDIS_URL,
    DB_SCHEMA: schema,
    REDIS_PREFIX: prefix,
    DB_POOL_SIZE: '5',
    PORT: String(apiPort),
    COLLAB_PORT: String(collabPort),
    COLLAB_PLANE_URL: `http://127.0.0.1:${collabPort}`,
    CONTROL_PLANE_URL: `http://127.0.0.1:${apiPort}`,
    SEED_ON_START: 'false',
    SCHEDULER_ENABLED: 'false',
    PROJECTION_POLL_MS: '200',
    RATE_LIMIT_GLOBAL_PER_MIN: '100000',
    RATE_LIMIT_AUTH_PER_MIN: '100000',
    RATE_LIMIT_RUN_PER_MIN: '100000',
    RATE_LIMIT_SUBMIT_PER_MIN: '100000',
    RATE_LIMIT_JOIN_PER_MIN: '100000',
    EXECUTION_JOB_LOCK_MS: '2000',
    EXECUTION_STALLED_CHECK_MS: '1000',
    SWEEPER_INTERVAL_MS: '1000',
    SWEEPER_GRACE_MS: '2000',
    ...options.env,
  };
  const config = loadConfig({ ...base, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'silent' });
  const ctx = await createContext(config, { logger: createLogger('silent') });
  const processes: RoleProcess[] = [];

  async function start(role: Role, env: Record<string, string> = {}, nodeArgs: string[] = options.nodeArgs ?? [], cli = path.join(ROOT, 'src/cli.ts')): Promise<RoleProcess> {
    const appName = `${schema}_${role}_${++counter}`;
    const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...base, PGAPPNAME: appName, ...env };
    for (const [k, port] of [['WORKER_OPS_PORT', await freePort()], ['PROJECTOR_OPS_PORT', await freePort()], ['COLLAB_OPS_PORT', await freePort()]] as const) {
      childEnv[k] = String(port);
    }
    delete childEnv.NODE_OPTIONS; // jest's flags are not for the child
    const loader = cli.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, ...nodeArgs, cli, 'serve', '--role', role], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const proc: RoleProcess = {
      role,
      child,
      appName,
      alive: () => child.exitCode === null && child.signalCode === null,
      output: () => out,
      async kill9() {
        child.kill('SIGKILL');
        await exited;
      },
      async stop() {
        if (!proc.alive()) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      },
    };
    processes.push(proc);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start in time:\n${out}`)), 60_000);
      const onData = () => {
        if (!out.includes('"syncode started"')) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${role} exited early (${code ?? signal}):\n${out}`));
      });
    });
    return proc;
  }

  return {
    schema,
    config,
    ctx,
    pgProxy,
    redisProxy,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    processes,
    start,
    async close() {
      await Promise.all(processes.map((p) => (p.alive() ? p.kill9() : undefined)));
      await pgProxy?.close();
      await redisProxy?.close();
      const keys = await ctx.redis.keys(`${prefix}:*`);
      if (keys.length > 0) await ctx.redis.del(...keys);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(ctx.db).catch(() => undefined);
      await closeContext(ctx);
    },
  };
}

// ---- HTTP against the api process ----

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export async function http(base: string, method: string, url: string, options: { token?: string; body?: unknown; cookie?: string } = {}): Promise<Reply> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

export interface ClusterUser {
  id: string;
  token: string;
  refreshCookie: string;
}

export async function register(base: string): Promise<ClusterUser> {
  const tag = randomBytes(5).toString('hex');
  const res = await http(base, 'POST', '/auth/register', { body: { username: `u_${tag}`, email: `u_${tag}@example.test`, password: 'correct-horse-battery-staple' } });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith('refreshToken='));
  return { id: res.body.user.id, token: res.body.accessToken, refreshCookie: cookie ?? '' };
}

/** Polls through a fault: a check that throws (the dependency is down) counts as "not yet". */
export function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  return poll(what, fn, timeoutMs, { everyMs, ignoreErrors: true });
}

/** Prints a fault's recovery time (the figure the fault tests report) and returns it. */
export function recovered(fault: string, sinceMs: number): number {
  const ms = Date.now() - sinceMs;
  process.stdout.write(`[fault] ${fault}: recovered in ${ms} ms\n`);
  return ms;
}
