/**
 * The values a list's sort key can hold, as Postgres accepts them for the key's column. A cursor position is
 * checked against its key's kind before it reaches SQL, where a value of the wrong kind would fail (a 500) instead of
 * being refused (a 400): both the cursor decoding at the HTTP edge and the keyset queries use this one check.
 */
import { isDateTime } from './date-time.js';
import { validationError, type DomainError } from './errors.js';
import { isUuid } from './ids.js';

export type SortKeyKind = 'timestamp' | 'uuid' | 'text' | 'int' | 'number';

/** Postgres `int`. */
const INT32_MAX = 2_147_483_647;

export function isSortKeyValue(kind: SortKeyKind, value: unknown): boolean {
  switch (kind) {
    case 'timestamp':
      return isDateTime(value);
    case 'uuid':
      return isUuid(value);
    case 'text':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT32_MAX;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

/** 400 VALIDATION_FAILED on `cursor`: echoes the cursor as given (cut short), never decoded values. */
export function invalidCursor(cursor: unknown): DomainError {
  return validationError([{ field: 'cursor', constraint: 'cursor', value: typeof cursor === 'string' ? cursor.slice(0, 200) : null }], 'Invalid cursor');
}
