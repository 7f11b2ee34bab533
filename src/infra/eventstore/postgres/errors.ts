/**
 * Mapping of Postgres failures onto the port's errors. The append functions raise custom SQLSTATEs (see
 * migrations/0001_event_store.migration.ts); anything that means "the database is not reachable" becomes
 * EventStoreUnavailableError so callers can answer 503 instead of 500.
 */
import {
  EventStoreUnavailableError,
  StreamDeletedError,
  WrongExpectedVersionError,
  type CurrentRevision,
  type ExpectedRevision,
} from '../port.js';

export const SQLSTATE_WRONG_EXPECTED = 'ES409';
export const SQLSTATE_STREAM_DELETED = 'ES410';

interface PgErrorLike {
  code?: string;
  detail?: string;
  message?: string;
}

const NODE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
// admin/crash shutdown, cannot connect now, too many connections, database starting/stopping
const SERVER_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/** True when the failure is about reaching Postgres rather than about the statement. */
export function isConnectionError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  if (err instanceof EventStoreUnavailableError) return true;
  const { code, message } = err as PgErrorLike;
  if (code && (code.startsWith('08') || SERVER_UNAVAILABLE_CODES.has(code) || NODE_NETWORK_CODES.has(code))) return true;
  // pg raises plain Errors without a code for these.
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end/i.test(
    message ?? '',
  );
}

/** Deadlocks and serialisation failures: the whole statement can simply be retried. */
export function isRetryable(err: unknown): boolean {
  const code = (err as PgErrorLike | undefined)?.code;
  return code === '40P01' || code === '40001';
}

export function currentRevisionOf(value: bigint): CurrentRevision {
  return value < 0n ? 'no_stream' : value;
}

/** Translate a failure of one of the plpgsql functions (or of the connection) for `stream`. */
export function mapPgError(err: unknown, stream: string, expected: ExpectedRevision): unknown {
  const e = err as PgErrorLike | undefined;
  switch (e?.code) {
    case SQLSTATE_WRONG_EXPECTED: {
      let actual: bigint = -1n;
      try {
        const detail = JSON.parse(e.detail ?? '{}') as { actual?: number | string };
        if (detail.actual !== undefined) actual = BigInt(detail.actual);
      } catch {
        // keep no_stream; the message still names the stream
      }
      return new WrongExpectedVersionError(stream, expected, currentRevisionOf(actual));
    }
    case SQLSTATE_STREAM_DELETED:
      return new StreamDeletedError(stream);
  }
  return toUnavailable(err);
}

/** Connection failures become EventStoreUnavailableError; anything else is returned unchanged. */
export function toUnavailable(err: unknown): unknown {
  if (err instanceof EventStoreUnavailableError) return err;
  if (isConnectionError(err)) {
    return new EventStoreUnavailableError(`Postgres event store unavailable: ${(err as Error).message}`, err);
  }
  return err;
}
