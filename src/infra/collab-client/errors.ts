/**
 * Typed failures of the collab client. Map them at the HTTP edge: Unavailable → 503 COLLAB_SERVICE_UNAVAILABLE,
 * Timeout → 504 COLLAB_SERVICE_TIMEOUT, NotFound → recreate the document or 404.
 */
export class CollabClientError extends Error {
  constructor(
    message: string,
    /** HTTP status from the collab, when it answered */
    readonly status: number | null = null,
    /** error code from the collab's envelope, when it answered */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Collab unreachable, answered 5xx, or its circuit breaker is open. */
export class CollabUnavailableError extends CollabClientError {
  constructor(
    message: string,
    status: number | null = null,
    code: string | null = null,
    /** set when the breaker is open: ms until it tries again */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message, status, code);
  }
}

export class CollabTimeoutError extends CollabClientError {
  constructor(readonly timeoutMs: number, operation: string) {
    super(`collab ${operation} timed out after ${timeoutMs} ms`);
  }
}

/** 404 COLLAB_DOCUMENT_NOT_FOUND. */
export class CollabNotFoundError extends CollabClientError {}

/** Any other 4xx (a bug on the caller's side: invalid request, wrong secret). */
export class CollabRequestError extends CollabClientError {}
