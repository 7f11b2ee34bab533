/**
 * Circuit breakers (opossum) around remote dependencies. An open breaker throws a ServiceUnavailableError
 * (`<AREA>_SERVICE_UNAVAILABLE`, 503 at the edge), a timeout an UpstreamTimeoutError (`<AREA>_SERVICE_TIMEOUT`,
 * 504), with the circuit name in `details`.
 */
import CircuitBreaker from 'opossum';
import { ServiceUnavailableError, UpstreamTimeoutError, type TimedServiceArea } from './errors.js';

export interface BreakerOptions {
  timeoutMs: number;
  resetMs?: number;
  volumeThreshold?: number;
}

export type Guarded = <T>(fn: () => Promise<T>) => Promise<T>;

export function createBreaker(area: TimedServiceArea, name: string, options: BreakerOptions): Guarded & { breaker: CircuitBreaker } {
  const breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
    timeout: options.timeoutMs,
    resetTimeout: options.resetMs ?? 10_000,
    errorThresholdPercentage: 50,
    volumeThreshold: options.volumeThreshold ?? 5,
  });
  const guarded = (async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return (await breaker.fire(fn)) as T;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EOPENBREAKER') {
        throw new ServiceUnavailableError(area, 'Service temporarily unavailable', { circuit: name, retryAfter: Math.ceil((options.resetMs ?? 10_000) / 1000) });
      }
      if (code === 'ETIMEDOUT') {
        throw new UpstreamTimeoutError(area, 'Operation timed out', { circuit: name, timeout: options.timeoutMs });
      }
      throw err;
    }
  }) as Guarded & { breaker: CircuitBreaker };
  guarded.breaker = breaker;
  return guarded;
}
