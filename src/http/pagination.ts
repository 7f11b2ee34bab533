/**
 * One cursor format for every list: base64url of a JSON array of the sort key values of the last row returned
 * (the tie-breaking id last), followed by `.` and an HMAC of it under `CURSOR_SIGNING_SECRET`. A cursor the server
 * did not issue — edited, truncated, hand-made — fails the signature and is a 400 VALIDATION_FAILED, so the values
 * a list's query receives are always ones a row of that database once had. Lists still check the decoded shape
 * (arity and kinds) so a cursor issued by another list or sort is a 400 too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type TSchema } from '@sinclair/typebox';
import { invalidCursor, isSortKeyValue, type SortKeyKind } from '../domain/shared/sort-keys.js';

export type CursorValue = string | number | null;

const SIGNATURE_CHARS = 22; // 128 bits of HMAC-SHA256 in base64url
const CURSOR_SHAPE = new RegExp(`^([A-Za-z0-9_-]{1,900})\\.([A-Za-z0-9_-]{${SIGNATURE_CHARS}})$`);
let signingKey = 'syncode-cursor-key-until-configured';

/** Sets the HMAC key (the app does it from the config at start). */
export function configureCursorSigning(secret: string): void {
  signingKey = secret;
}

function signatureOf(payload: string): string {
  return createHmac('sha256', signingKey).update(payload).digest('base64url').slice(0, SIGNATURE_CHARS);
}

export function encodeCursor(values: readonly CursorValue[]): string {
  const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
  return `${payload}.${signatureOf(payload)}`;
}

/** The kinds of value a cursor position can hold (src/domain/shared/sort-keys.ts); `?` suffix = may also be null. */
export type CursorKind = SortKeyKind | 'timestamp?' | 'number?' | 'text?';

/** Is `value` a well-formed value of `kind` (one Postgres accepts for the matching column type)? */
function isCursorValue(kind: CursorKind, value: unknown): boolean {
  if (kind.endsWith('?')) return value === null || isSortKeyValue(kind.slice(0, -1) as SortKeyKind, value);
  return isSortKeyValue(kind as SortKeyKind, value);
}

/**
 * Decodes a cursor issued by `encodeCursor`: `shape` is either its arity or the kind of each position.
 * Throws 400 VALIDATION_FAILED on anything else (bad signature, wrong arity, a value of the wrong kind).
 */
export function decodeCursor(cursor: string | undefined, shape: number | readonly CursorKind[]): CursorValue[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const match = CURSOR_SHAPE.exec(cursor);
  if (!match) throw invalidCursor(cursor);
  const [, payload, signature] = match as unknown as [string, string, string];
  const expected = Buffer.from(signatureOf(payload));
  if (!timingSafeEqual(expected, Buffer.from(signature))) throw invalidCursor(cursor);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor(cursor);
  }
  const arity = typeof shape === 'number' ? shape : shape.length;
  if (!Array.isArray(parsed) || parsed.length !== arity) throw invalidCursor(cursor);
  if (!parsed.every((v) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) throw invalidCursor(cursor);
  if (typeof shape !== 'number' && !shape.every((kind, i) => isCursorValue(kind, parsed[i]))) throw invalidCursor(cursor);
  return parsed as CursorValue[];
}

export interface Page<T> {
  data: T[];
  pagination: { nextCursor: string | null; hasMore: boolean };
}

/** Rows were fetched with `limit + 1`; the extra row only says there is more. */
export function toPage<Row, T>(rows: Row[], limit: number, map: (row: Row) => T, cursorOf: (row: Row) => CursorValue[]): Page<T> {
  const hasMore = rows.length > limit;
  const visible = hasMore ? rows.slice(0, limit) : rows;
  const last = visible[visible.length - 1];
  return {
    data: visible.map(map),
    pagination: { nextCursor: hasMore && last ? encodeCursor(cursorOf(last)) : null, hasMore },
  };
}

export const PaginationSchema = Type.Object({ nextCursor: Type.Union([Type.String(), Type.Null()]), hasMore: Type.Boolean() });

export const pageOf = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), pagination: PaginationSchema });

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
};
