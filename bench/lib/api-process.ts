/**
 * The API as a process of its own (`syncode serve --role api`), configured as in production: the compiled build with
 * the launcher's memory settings (bench/lib/runtime-settings.ts), NODE_ENV=production, request logging at info
 * (stdout discarded), Redis rate limits on. It serves the schema and Redis prefix of a
 * harness in the benchmark's process, which seeds the data and runs the projections (as a projector role would).
 * Secrets are made per run and shared with the harness, so tokens the harness signs verify in the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config.js';
import { buildCompiled, runtimeSettings } from './runtime-settings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const secret = (name: string) => `${name}-${randomBytes(24).toString('hex')}`;

/** Secrets for one run: give them to the harness (`createHarness({ env })`) and to `startApiProcess`. */
export function runSecrets(): Record<string, string> {
  return {
    AUTH_JWT_SECRET: secret('access'),
    JWT_REFRESH_SECRET: secret('refresh'),
    COLLAB_JWT_SECRET: secret('collab'),
    INTERNAL_CALLBACK_SECRET: secret('internal'),
    STORAGE_SIGNING_SECRET: secret('storage'),
  };
}

export interface ApiProcess {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

let compiled: string | undefined;
/** The compiled build of the current sources, made once per benchmark process. */
const compiledCli = (): string => (compiled ??= buildCompiled());

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the API on `harness`'s schema and waits until /health/live answers. `env` must hold the run's secrets and
 * any limit overrides; `profileDir` adds `--cpu-prof` (the profile is written when the process stops).
 */
export async function startApiProcess(harness: Config, env: Record<string, string>, profileDir?: string): Promise<ApiProcess> {
  const port = await freePort();
  const deployed = runtimeSettings();
  const execArgv = [...deployed.nodeArgs, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const child: ChildProcess = spawn(process.execPath, [...execArgv, compiledCli(), 'serve', '--role', 'api'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ...deployed.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: harness.DATABASE_URL,
      DB_SCHEMA: harness.DB_SCHEMA,
      REDIS_URL: harness.REDIS_URL,
      REDIS_PREFIX: harness.REDIS_PREFIX,
      SEED_ON_START: 'false',
      SCHEDULER_ENABLED: 'false',
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} while starting`);
    const ok = await fetch(`${base}/health/live`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('the API did not start within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The newest main-thread profile in `dir` (node writes one per thread; the main thread's id is 0). */
export function mainThreadProfile(files: readonly string[]): string | undefined {
  return files.filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort().pop();
}
