/**
 * The error envelope of every error response (seed 001):
 * `{statusCode, code, message, timestamp, details?}`; validation errors list `details.fields[{field, constraint, value}]`.
 * Framework errors get codes too, and unexpected errors never leak their message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/shared/errors.js';

export interface ErrorEnvelope {
  statusCode: number;
  code: string;
  message: string;
  timestamp: string;
  details?: Record<string, unknown>;
}

export interface FieldError {
  field: string;
  constraint: string;
  value: unknown;
}

export function envelope(statusCode: number, code: string, message: string, details?: Record<string, unknown>): ErrorEnvelope {
  return { statusCode, code, message, timestamp: new Date().toISOString(), ...(details ? { details } : {}) };
}

export function validationError(fields: FieldError[], message = 'Validation failed'): DomainError {
  return new DomainError('VALIDATION_FAILED', 400, message, { fields });
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
    value: issue.params?.['additionalProperty'] !== undefined ? issue.params['additionalProperty'] : issue.data ?? null,
  }));
}

const FRAMEWORK: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'VALIDATION_FAILED', 'Body cannot be empty when content-type is application/json'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'VALIDATION_FAILED', 'Body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'VALIDATION_FAILED', 'Invalid content length'],
};

export function toEnvelope(err: unknown): ErrorEnvelope {
  if (err instanceof DomainError) return envelope(err.status, err.code, err.message, err.details);
  const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe?.validation) {
    const fields = fieldsFromValidation(fe.validation, fe.validationContext);
    const first = fields[0];
    const message = first ? `Validation failed: ${first.field} ${fe.validation[0]?.message ?? 'is invalid'}` : 'Validation failed';
    return envelope(400, 'VALIDATION_FAILED', message, { fields });
  }
  const known = fe?.code ? FRAMEWORK[fe.code] : undefined;
  if (known) return envelope(known[0], known[1], known[2]);
  if (fe instanceof SyntaxError || fe?.statusCode === 400) return envelope(400, 'VALIDATION_FAILED', 'Malformed request');
  if (fe?.statusCode === 404) return envelope(404, 'NOT_FOUND', 'Not found');
  if (fe?.statusCode === 413) return envelope(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (fe?.statusCode === 415) return envelope(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type');
  return envelope(500, 'INTERNAL_ERROR', 'Internal server error');
}

export function sendError(reply: FastifyReply, request: FastifyRequest, err: unknown): FastifyReply {
  const body = toEnvelope(err);
  if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: body.code }, 'request rejected');
  if (body.statusCode === 429 || body.statusCode === 503) {
    const retry = body.details?.['retryAfter'];
    if (typeof retry === 'number') reply.header('Retry-After', String(retry));
  }
  return reply.status(body.statusCode).send(body);
}
