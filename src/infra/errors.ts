/**
 * A dependency that cannot serve a request now: an open circuit breaker, a queue past its budget, a service that is
 * down or not configured (ServiceUnavailableError), or one that did not answer in time (UpstreamTimeoutError).
 * Not the request's fault and not a business rule: the HTTP edge maps their codes to 503 / 504
 * (src/http/error-status.ts), with `details.retryAfter` as the Retry-After header.
 */

/** The dependencies a request can wait on, as they appear in the error codes. */
export type ServiceArea = 'AI' | 'COLLAB' | 'EXECUTION' | 'MEDIA' | 'CACHE' | 'DATABASE';
/** The dependencies whose calls have a deadline of their own (breakers, queue enqueues). */
export type TimedServiceArea = 'AI' | 'COLLAB' | 'EXECUTION' | 'MEDIA';

export type ServiceUnavailableCode = `${ServiceArea}_SERVICE_UNAVAILABLE`;
export type UpstreamTimeoutCode = `${TimedServiceArea}_SERVICE_TIMEOUT`;
export type ServiceErrorCode = ServiceUnavailableCode | UpstreamTimeoutCode;

export class ServiceUnavailableError extends Error {
  readonly code: ServiceUnavailableCode;

  constructor(
    readonly area: ServiceArea,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ServiceUnavailableError';
    this.code = `${area}_SERVICE_UNAVAILABLE`;
  }
}

export class UpstreamTimeoutError extends Error {
  readonly code: UpstreamTimeoutCode;

  constructor(
    readonly area: TimedServiceArea,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'UpstreamTimeoutError';
    this.code = `${area}_SERVICE_TIMEOUT`;
  }
}

export type ServiceError = ServiceUnavailableError | UpstreamTimeoutError;

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceUnavailableError || err instanceof UpstreamTimeoutError;
}
