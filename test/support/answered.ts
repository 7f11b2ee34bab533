/**
 * A coded error as the HTTP edge answers it: the error's code, message and details, with the status the one
 * code → status table gives it (src/http/error-status.ts). Errors carry no status themselves.
 */
import { statusOf } from '../../src/http/error-status.js';

export interface Answered {
  name: string;
  code: unknown;
  message: string;
  details: unknown;
  status: number | undefined;
}

export function answered(err: unknown): Answered | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, details } = err as Error & { code?: unknown; details?: unknown };
  return { name: err.name, code, message: err.message, details, status: statusOf(err) };
}

/** What `fn` throws (undefined when it returns). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** What `promise` rejects with (undefined when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err;
  }
}
