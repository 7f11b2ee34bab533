/**
 * The ceiling of sign-in throughput: bare scrypt verifies (the API's parameters, src/infra/password.ts) in
 * `concurrency` closed loops, in a process of its own whose libuv threadpool — where node runs scrypt — has the
 * same size as the API process's (UV_THREADPOOL_SIZE, inherited; 4 by default). Same window rule as
 * bench/lib/http-load.ts: an operation counts when it completes inside the measured window.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hashPassword, verifyPassword } from '../../src/infra/password.js';

export interface ScryptLoopResult {
  perSec: number;
  /** CPU of the whole process (the threadpool included) per verify, ms. */
  cpuMsPerOp: number;
  cpuPercent: number;
}

/** `env`: more environment for the loop's process (glibc's malloc settings, say). */
export function runScryptLoop(concurrency: number, warmupMs: number, measureMs: number, env: Record<string, string> = {}): Promise<ScryptLoopResult> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env, SCRYPT_LOOP_CHILD: '1' },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: ScryptLoopResult) => resolve(m));
    child.once('exit', (code) => code !== 0 && reject(new Error(`scrypt loop exited with ${code}`)));
    child.send({ concurrency, warmupMs, measureMs });
  });
}

async function loop({ concurrency, warmupMs, measureMs }: { concurrency: number; warmupMs: number; measureMs: number }): Promise<ScryptLoopResult> {
  const stored = await hashPassword('verify-me-please');
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + measureMs;
  let done = 0;
  let cpuAt: NodeJS.CpuUsage | undefined;
  let cpuMs = 0;
  const opened = setTimeout(() => (cpuAt = process.cpuUsage()), warmupMs);
  const closed = setTimeout(() => {
    const c = process.cpuUsage(cpuAt);
    cpuMs = (c.user + c.system) / 1000;
  }, warmupMs + measureMs);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await verifyPassword('verify-me-please', stored);
        const t = performance.now();
        if (t >= measureFrom && t <= end) done++;
      }
    }),
  );
  clearTimeout(opened);
  clearTimeout(closed);
  return { perSec: done / (measureMs / 1000), cpuMsPerOp: cpuMs / done, cpuPercent: (cpuMs / measureMs) * 100 };
}

if (process.env.SCRYPT_LOOP_CHILD === '1' && process.send) {
  process.once('message', (m: { concurrency: number; warmupMs: number; measureMs: number }) => {
    loop(m).then(
      (result) => process.send!(result, () => process.exit(0)),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
