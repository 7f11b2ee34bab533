import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const VALID = /^[A-Za-z0-9._-]{8,64}$/;

/** Reuse a well-formed incoming X-Trace-Id (a gateway's), otherwise mint one; it becomes fastify's request id. */
export function traceIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-trace-id'];
  return typeof incoming === 'string' && VALID.test(incoming) ? incoming : randomUUID();
}
