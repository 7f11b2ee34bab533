/** Canonical 8-4-4-4-12 hex; no `urn:uuid:` prefix, no braces (Postgres' `uuid` accepts those, clients must not rely on it). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
