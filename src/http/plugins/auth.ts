/**
 * Authentication and rate limiting for every route, secure by default: a route is public only if it says so.
 * Order: per-IP scope limit (auth routes) → access token → global per-user (or per-IP) limit.
 * `X-RateLimit-*` go on every response (Reset in epoch seconds); every 429 carries Retry-After.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import type { RateDecision } from '../../infra/redis/rate-limiter.js';
import type { AppContext } from '../../composition/context.js';
import type { RouteConfig } from '../types.js';

export function setRateHeaders(reply: FastifyReply, d: RateDecision): void {
  reply.header('X-RateLimit-Limit', String(d.limit));
  reply.header('X-RateLimit-Remaining', String(d.remaining));
  reply.header('X-RateLimit-Reset', String(d.resetAt));
}

/** The catalogue codes of an exhausted limit (all answer 429). */
export type RateLimitCode = Extract<ErrorCode, 'RATE_LIMIT_EXCEEDED' | `${string}_RATE_LIMIT`>;

export function rateLimited(code: RateLimitCode, d: RateDecision, message = 'Too many requests'): DomainError {
  return new DomainError(code, message, { retryAfter: d.retryAfter, limit: d.limit, resetAt: d.resetAt });
}

/** Consume one unit of a named per-user or per-IP limit; throws 429 with `code` when exhausted. */
export async function enforceLimit(
  ctx: AppContext,
  reply: FastifyReply,
  scope: string,
  key: string,
  limit: number,
  windowSeconds: number,
  code: RateLimitCode = 'RATE_LIMIT_EXCEEDED',
): Promise<void> {
  if (!ctx.config.RATE_LIMIT_ENABLED) return;
  const d = await ctx.rateLimiter.consume(scope, key, limit, windowSeconds);
  setRateHeaders(reply, d);
  if (!d.allowed) throw rateLimited(code, d);
}

// RFC 6750 §2.1: `Bearer` (case-insensitive), one space, one token68 — nothing before, between or after.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The access token of an `Authorization` header: undefined when there is none; a 401 when it is present but is
 * not exactly `Bearer <token>` (a second token, trailing junk, another scheme, a repeated header).
 */
export function parseBearer(header: string | string[] | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw new DomainError('UNAUTHORIZED', 'Authorization header must be exactly "Bearer <token>"');
  return match[1];
}

function bearer(request: FastifyRequest): string | undefined {
  return parseBearer(request.headers.authorization);
}

/**
 * The authentication and rate-limit hook of one route, decided from its config when the route is registered
 * (app.ts installs it first among the route's own onRequest hooks). It runs in onRequest, before the body is
 * parsed and validated: every answer to an authenticated request — a 400 for a malformed body included — carries
 * the X-RateLimit-* headers, and an unauthenticated one is a 401 whatever it sent. Undefined: the route needs
 * neither (the API documentation is public).
 */
export function authHookFor(ctx: AppContext, url: string, config: RouteConfig): onRequestAsyncHookHandler | undefined {
  if (url.startsWith('/docs')) return undefined;
  const ipLimit = config.ipRateLimit;
  const needsToken = !config.public;
  const globalLimit = !config.skipGlobalRateLimit && !ipLimit;
  const peekGlobal = config.skipGlobalRateLimit === true;
  return async (request, reply) => {
    if (ipLimit) await enforceLimit(ctx, reply, ipLimit.scope, request.ip, ipLimit.limit, ipLimit.windowSeconds);
    if (needsToken) {
      const token = bearer(request);
      if (!token) throw new DomainError('UNAUTHORIZED', 'Authentication required');
      request.principal = await ctx.authenticate(token);
    }
    if (globalLimit) {
      const key = request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`;
      await enforceLimit(ctx, reply, 'global', key, ctx.config.RATE_LIMIT_GLOBAL_PER_MIN, 60);
    } else if (peekGlobal && request.principal && ctx.config.RATE_LIMIT_ENABLED && ctx.rateLimiter.peek) {
      // not throttled, but an authenticated caller still learns where their limit stands
      setRateHeaders(reply, await ctx.rateLimiter.peek('global', `user:${request.principal.userId}`, ctx.config.RATE_LIMIT_GLOBAL_PER_MIN, 60));
    }
  };
}

export function principalOf(request: FastifyRequest) {
  if (!request.principal) throw new DomainError('UNAUTHORIZED', 'Authentication required');
  return request.principal;
}
