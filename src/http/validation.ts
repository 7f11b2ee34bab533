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
import { isUuid, UUID_PATTERN } from '../domain/shared/ids.js';
import { validationError, truncateForEcho, type FieldError } from './errors.js';

export { isUuid, UUID_PATTERN };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_TIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * RFC 3339 date-time that both `new Date()` and Postgres `timestamptz` accept: `T` separator, seconds required,
 * `Z` or a `±hh:mm` offset, years 0001–9999 (also after applying the offset), no leap second (`:60`).
 */
export function isDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , oh, om] = m;
  if (!validCalendarDate(Number(y), Number(mo), Number(d))) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  const time = Date.parse(value);
  return Number.isFinite(time) && time >= MIN_TIME && time <= MAX_TIME;
}

/** RFC 3339 full-date with a real calendar day and a year 0001–9999. */
export function isDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  return !!m && validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}


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
 * `config.textRule: 'replace'` get those characters replaced with U+FFFD in the body instead.
 */
export async function rejectUnstorableText(request: FastifyRequest): Promise<void> {
  if (request.routeOptions.config?.textRule === 'replace' && request.body !== null && typeof request.body === 'object') {
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
