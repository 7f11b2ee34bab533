/** The bridge from a route to the write side: metadata from the request; `execute`/`settle` live in commands. */
import type { FastifyRequest } from 'fastify';
import type { RequestMetadata } from '../commands/metadata.js';

export { execute, settle } from '../commands/execute.js';

export function requestMetadata(request: FastifyRequest, now = new Date()): RequestMetadata {
  return { actorId: request.principal?.userId ?? null, traceId: request.id, ip: request.ip, now };
}
