/**
 * Keyset pagination in SQL for the read models: the sort keys of a list, the check of a decoded cursor against them
 * (kinds Postgres accepts for the key's column; a 400 otherwise), the "rows after the cursor" condition and the
 * ORDER BY. The cursor itself (signed, opaque) is encoded and decoded at the HTTP edge (src/http/pagination.ts).
 */
import { sql, type RawBuilder } from 'kysely';
import { invalidCursor, isSortKeyValue, type SortKeyKind as KeyKind } from '../domain/shared/sort-keys.js';

export type KeyValue = string | number;

/** One key of a list's order: its SQL expression, direction, column kind, and how a row yields its value. */
export interface SortKey<Row = unknown> {
  expr: RawBuilder<unknown>;
  dir: 'asc' | 'desc';
  kind: KeyKind;
  /** The cursor value of a row for this key. */
  of(row: Row): KeyValue;
}

function literal(kind: KeyKind, value: KeyValue): RawBuilder<unknown> {
  switch (kind) {
    case 'text':
      return sql`${value}::text`;
    case 'int':
      return sql`${value}::int`;
    case 'number':
      return sql`${value}::float8`;
    case 'timestamp':
      return sql`${value}::timestamptz`;
    case 'uuid':
      return sql`${value}::uuid`;
  }
}

/** Checks decoded cursor values against the keys of the sort they claim to continue. */
export function checkCursor(keys: readonly SortKey[], values: readonly unknown[] | undefined): KeyValue[] | undefined {
  if (values === undefined) return undefined;
  if (values.length !== keys.length || !keys.every((k, i) => isSortKeyValue(k.kind, values[i]))) throw invalidCursor(null);
  return values as KeyValue[];
}

/** Rows strictly after the cursor in the order of `keys`. */
export function after(keys: readonly SortKey[], values: readonly KeyValue[]): RawBuilder<unknown> {
  const uniform = keys.every((k) => k.dir === keys[0]!.dir);
  if (uniform) {
    const op = keys[0]!.dir === 'asc' ? sql`>` : sql`<`;
    return sql`(${sql.join(keys.map((k) => k.expr))}) ${op} (${sql.join(keys.map((k, i) => literal(k.kind, values[i]!)))})`;
  }
  const branches = keys.map((key, i) => {
    const equal = keys.slice(0, i).map((k, j) => sql`${k.expr} = ${literal(k.kind, values[j]!)}`);
    const beyond = key.dir === 'asc' ? sql`${key.expr} > ${literal(key.kind, values[i]!)}` : sql`${key.expr} < ${literal(key.kind, values[i]!)}`;
    return sql`(${sql.join([...equal, beyond], sql` AND `)})`;
  });
  return sql`(${sql.join(branches, sql` OR `)})`;
}

export function orderBy(keys: readonly SortKey[]): RawBuilder<unknown> {
  return sql.join(keys.map((k) => (k.dir === 'asc' ? sql`${k.expr} ASC` : sql`${k.expr} DESC`)));
}
