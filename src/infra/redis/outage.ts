/**
 * "Redis is not reachable" (refused, cut, not answering) as opposed to a wrong command: an outage of a
 * dependency (503 with Retry-After), never a bug of the request (500).
 */
const MESSAGES = /enableOfflineQueue|Connection is closed|Command timed out|Reached the max retries per request|Stream isn't writeable|Redis is loading/i;

export function isRedisOutage(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && MESSAGES.test(message);
}
