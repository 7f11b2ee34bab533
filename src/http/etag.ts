/** Conditional GETs (docs/api.md, "ETags and conditional requests"). */

/**
 * Whether an If-None-Match header matches `etag`: `*`, or any listed tag. Tags compare weakly (a `W/` prefix on
 * either side is ignored), as RFC 9110 says for GET and HEAD; a match answers 304.
 */
export function ifNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
