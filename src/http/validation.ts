/**
 * Request validation. Query strings, path params and headers arrive as text, so their validator coerces
 * ("20" → 20, a single value → a one-element array). JSON bodies already carry types, so theirs does not:
 * `{"password": 12345678}` is a 400, not a silently stringified password.
 *
 * "Validated" means "usable": every value that passes must also be accepted by `new Date()` and by Postgres.
 * Hence one definition of a UUID, of a date-time and of storable text for the whole API (docs/conventions.md,
 * "Input rules").
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { isStorableText, toStorableText } from '../domain/shared/text.js';
import { isDate, isDateTime } from '../domain/shared/date-time.js';
import { isUuid, UUID_PATTERN } from '../domain/shared/ids.js';
import { validationError, truncateForEcho, type FieldError } from './errors.js';

export { isDate, isDateTime, isUuid, UUID_PATTERN };

function compiler(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, verbose: true, strict: false });
  addFormats.default(ajv);
  ajv.addFormat('uuid', { type: 'string', validate: (v: string) => UUID_PATTERN.test(v) });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addFormat('date', { type: 'string', validate: isDate });
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<any> {
  const forText = compiler('array');
  const forBody = compiler(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? forBody : forText).compile(schema as object);
}

const TEXT_CONSTRAINT = 'text';

/** Every string (and object key) in a parsed value that is not storable text, with its dotted path. */
function unstorableFields(value: unknown, path: string, out: FieldError[], root: string): void {
  if (out.length >= 10) return;
  if (typeof value === 'string') {
    if (!isStorableText(value)) out.push({ field: path, constraint: TEXT_CONSTRAINT, value: truncateForEcho(value) });
    return;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, child] of entries) {
    const childPath = path ? `${path}.${key}` : key;
    if (!isStorableText(key)) out.push({ field: path || root, constraint: TEXT_CONSTRAINT, value: truncateForEcho(key) });
    else unstorableFields(child, childPath, out, root);
  }
}

/** A copy of a parsed body with unstorable characters replaced (routes carrying text the server must not refuse). */
function replaceUnstorable(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return toStorableText(value);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => replaceUnstorable(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toStorableText(k), replaceUnstorable(v, depth + 1)]));
}

/**
 * The text rule, applied before schema validation to the params, the query and the body of every route (with a
 * schema or without): a NUL or a lone surrogate anywhere is a 400 VALIDATION_FAILED naming the field. Routes with
 * `config.textRule: 'replace'` get those characters replaced with U+FFFD in the body instead. A callback hook: it
 * never waits, so it costs no promise.
 */
export function rejectUnstorableText(request: FastifyRequest, _reply: unknown, done: (err?: Error) => void): void {
  try {
    checkStorableText(request);
  } catch (err) {
    done(err as Error);
    return;
  }
  done();
}

function checkStorableText(request: FastifyRequest): void {
  if (request.body !== null && typeof request.body === 'object' && request.routeOptions.config?.textRule === 'replace') {
    request.body = replaceUnstorable(request.body);
  }
  const fields: FieldError[] = [];
  unstorableFields(request.params, '', fields, 'params');
  unstorableFields(request.query, '', fields, 'query');
  unstorableFields(request.body, typeof request.body === 'string' ? 'body' : '', fields, 'body');
  if (fields.length > 0) {
    throw validationError(fields, `Validation failed: ${fields[0]!.field} contains a NUL character or an unpaired surrogate`);
  }
}
