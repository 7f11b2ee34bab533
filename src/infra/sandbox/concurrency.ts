/**
 * Caps how many sandboxed processes this worker runs at once. Time limits are CPU limits, and more runs than
 * cores makes wall clocks (and timing-sensitive verdicts) noisy, so the default is one slot per core.
 */
import { availableParallelism } from 'node:os';

const limit = Math.max(1, Number(process.env.SANDBOX_MAX_CONCURRENCY) || availableParallelism());
let active = 0;
const waiting: Array<() => void> = [];

export async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  else active += 1;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next(); // hand the slot over without releasing it
    else active -= 1;
  }
}
