/**
 * One cursor format for every list: base64url of a JSON array of the sort key values of the last row returned
 * (the tie-breaking id last). A cursor that does not decode to what the list expects is a 400.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { validationError } from './errors.js';

export type CursorValue = string | number | null;

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made of `arity` values; throws 400 VALIDATION_FAILED on anything else. */
export function decodeCursor(cursor: string | undefined, arity: number): CursorValue[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () => validationError([{ field: 'cursor', constraint: 'cursor', value: cursor }], 'Invalid cursor');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== arity) throw invalid();
  if (!parsed.every((v) => v === null || typeof v === 'string' || typeof v === 'number')) throw invalid();
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
