/**
 * "Postgres is not reachable" as opposed to "this statement is wrong": connection refused or cut, the server
 * shutting down or starting, too many connections, the pool unable to hand out a connection in time. Such a
 * failure is an outage of a dependency (503 with Retry-After), never a bug of the request (500).
 */
import { EventStoreUnavailableError } from '../eventstore/port.js';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// admin shutdown, crash shutdown, cannot connect now, too many connections, system out of connection slots
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
// pg raises plain Errors without a code for these.
const MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end/i;

export function isDatabaseOutage(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  if (err instanceof EventStoreUnavailableError) return true;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || SERVER_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  return typeof message === 'string' && MESSAGES.test(message);
}
