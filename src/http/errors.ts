/**
 * The error envelope of every error response (docs/api.md, "Errors"):
 * `{statusCode, code, message, timestamp, details?}`; validation errors list `details.fields[{field, constraint, value}]`.
 * Framework errors get codes too, and unexpected errors never leak their message. Echoed values are truncated so
 * a huge or deeply nested input is never copied back whole.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError, type FieldError } from '../domain/shared/errors.js';
import { isDatabaseOutage } from '../infra/db/outage.js';
import { isServiceError } from '../infra/errors.js';
import { isRedisOutage } from '../infra/redis/outage.js';
import { ERROR_STATUS } from './error-status.js';

export interface ErrorEnvelope {
  statusCode: number;
  code: string;
  message: string;
  timestamp: string;
  details?: Record<string, unknown>;
}

export function envelope(statusCode: number, code: string, message: string, details?: Record<string, unknown>): ErrorEnvelope {
  return { statusCode, code, message, timestamp: new Date().toISOString(), ...(details ? { details } : {}) };
}

export { validationError, type FieldError } from '../domain/shared/errors.js';

const ECHO_MAX_CHARS = 200;

/**
 * A value safe to echo in `details.fields[].value`: short strings and scalars as they are, long strings cut,
 * objects and arrays kept only when their JSON is short (otherwise a cut preview of it).
 */
export function truncateForEcho(value: unknown): unknown {
  if (typeof value === 'string') return value.length > ECHO_MAX_CHARS ? `${value.slice(0, ECHO_MAX_CHARS)}…` : value;
  if (value === null || typeof value !== 'object') return value === undefined ? null : value;
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}';
  }
  return json.length > ECHO_MAX_CHARS ? `${json.slice(0, ECHO_MAX_CHARS)}…` : value;
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

function fieldOf(issue: AjvIssue, context: string | undefined): string {
  const path = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = (issue.params?.['missingProperty'] ?? issue.params?.['additionalProperty']) as string | undefined;
  const field = [path, extra].filter(Boolean).join('.');
  return field || (context ?? 'body');
}

export function fieldsFromValidation(issues: AjvIssue[], context: string | undefined): FieldError[] {
  return issues.map((issue) => ({
    field: fieldOf(issue, context),
    constraint: issue.keyword ?? 'invalid',
    value: truncateForEcho(issue.params?.['additionalProperty'] !== undefined ? issue.params['additionalProperty'] : issue.data ?? null),
  }));
}

const bodyField = (constraint: string): FieldError[] => [{ field: 'body', constraint, value: null }];

const FRAMEWORK: Record<string, [number, string, string, FieldError[]?]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'VALIDATION_FAILED', 'Body cannot be empty when content-type is application/json', bodyField('required')],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'VALIDATION_FAILED', 'Body is not valid JSON', bodyField('json')],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'VALIDATION_FAILED', 'Invalid content length', [{ field: 'content-length', constraint: 'length', value: null }]],
  FST_ERR_CTP_EMPTY_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  FST_ERR_CTP_INVALID_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  FST_ERR_BAD_URL: [400, 'VALIDATION_FAILED', 'The URL is not validly percent-encoded', [{ field: 'url', constraint: 'encoding', value: null }]],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'A path parameter is too long', [{ field: 'url', constraint: 'maxLength', value: null }]],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'VALIDATION_FAILED', 'Malformed request'],
};

/** The code of a status the framework (or Node) produced without one. */
const GENERIC: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  417: 'EXPECTATION_FAILED',
  429: 'RATE_LIMIT_EXCEEDED',
  431: 'HEADERS_TOO_LARGE',
  501: 'NOT_IMPLEMENTED',
  503: 'SERVICE_UNAVAILABLE',
};

/** An envelope for a bare status (a framework or Node answer that carried no code). */
export function statusEnvelope(statusCode: number, message?: string): ErrorEnvelope {
  if (statusCode >= 500 && statusCode !== 501 && statusCode !== 503) return envelope(500, 'INTERNAL_ERROR', 'Internal server error');
  const code = GENERIC[statusCode] ?? (statusCode >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
  return envelope(statusCode, code, message ?? STATUS_CODES[statusCode] ?? 'Request failed');
}

export function toEnvelope(err: unknown): ErrorEnvelope {
  // Coded errors take their status from the one code → status table (src/http/error-status.ts).
  // A key outside the table can only come from a cast; it is a bug, answered as one.
  if (err instanceof DomainError && ERROR_STATUS[err.key] !== undefined) return envelope(ERROR_STATUS[err.key], err.code, err.message, err.details);
  if (isServiceError(err)) return envelope(ERROR_STATUS[err.code], err.code, err.message, err.details);
  const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe?.validation) {
    const fields = fieldsFromValidation(fe.validation, fe.validationContext);
    const first = fields[0];
    const message = first ? `Validation failed: ${first.field} ${fe.validation[0]?.message ?? 'is invalid'}` : 'Validation failed';
    return envelope(400, 'VALIDATION_FAILED', message, { fields });
  }
  const known = fe?.code ? FRAMEWORK[fe.code] : undefined;
  if (known) return envelope(known[0], known[1], known[2], known[3] ? { fields: known[3] } : undefined);
  if (fe instanceof SyntaxError) return envelope(400, 'VALIDATION_FAILED', 'Malformed request', { fields: bodyField('json') });
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 400) return envelope(400, 'VALIDATION_FAILED', 'Malformed request', { fields: bodyField('invalid') });
  if (status >= 400 && status < 500) return statusEnvelope(status);
  // A dependency outage is not the request's fault: 503 with Retry-After, named after the /health dependency.
  if (isRedisOutage(err)) return envelope(ERROR_STATUS.CACHE_SERVICE_UNAVAILABLE, 'CACHE_SERVICE_UNAVAILABLE', 'Service temporarily unavailable', { dependency: 'cache', retryAfter: 5 });
  if (isDatabaseOutage(err)) return envelope(ERROR_STATUS.DATABASE_SERVICE_UNAVAILABLE, 'DATABASE_SERVICE_UNAVAILABLE', 'Service temporarily unavailable', { dependency: 'database', retryAfter: 5 });
  return envelope(500, 'INTERNAL_ERROR', 'Internal server error');
}

export function sendError(reply: FastifyReply, request: FastifyRequest, err: unknown): FastifyReply {
  const body = toEnvelope(err);
  if (body.statusCode === 503) request.log.warn({ err: (err as Error)?.message, code: body.code }, 'dependency unavailable');
  else if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: body.code }, 'request rejected');
  if (body.statusCode === 429 || body.statusCode === 503) {
    const retry = body.details?.['retryAfter'];
    if (typeof retry === 'number') reply.header('Retry-After', String(retry));
  }
  // Errors raised before the onRequest hooks (router, framework) still carry the trace id.
  reply.header('X-Trace-Id', request.id);
  return reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/** Is this (serialised) payload already an envelope with a code? */
export function isEnvelopePayload(payload: unknown): boolean {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(payload) as Partial<ErrorEnvelope>;
    return typeof parsed.code === 'string' && typeof parsed.statusCode === 'number' && typeof parsed.timestamp === 'string';
  } catch {
    return false;
  }
}
