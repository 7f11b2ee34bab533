/**
 * The one way a test waits for something asynchronous (a projection catching up, a worker finishing, a socket
 * closing): poll `check` until it yields a value other than `undefined` or `false`, and fail with what was awaited
 * once the deadline passes. Speed goals belong in bench/, so deadlines here are generous.
 *
 *   const row = await until('the run in the read model', () => findRun(db, id), 10_000);
 *   await until(async () => (await value('p1')) === 120);
 */
export interface UntilOptions {
  /** pause between two checks (ms) */
  everyMs?: number;
  /** a check that throws counts as "not yet" (a dependency being restarted) instead of failing the wait */
  ignoreErrors?: boolean;
}

type Check<T> = () => T | undefined | false | Promise<T | undefined | false>;

export async function until<T>(what: string, check: Check<T>, timeoutMs?: number, options?: UntilOptions): Promise<T>;
export async function until<T>(check: Check<T>, timeoutMs?: number, options?: UntilOptions): Promise<T>;
export async function until<T>(...args: unknown[]): Promise<T> {
  const what = typeof args[0] === 'string' ? (args.shift() as string) : 'condition';
  const [check, timeoutMs = 5000, options = {}] = args as [Check<T>, number | undefined, UntilOptions | undefined];
  const { everyMs = 50, ignoreErrors = false } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = ignoreErrors ? await Promise.resolve().then(check).catch(() => undefined) : await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
