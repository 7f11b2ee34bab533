/**
 * What text the platform stores: Postgres keeps neither a NUL character nor an unpaired UTF-16 surrogate in `text`
 * or `jsonb`. Input from clients that break this is refused at the HTTP edge; text the platform must not refuse
 * (code typed into the shared editor) has those characters replaced with U+FFFD before it is recorded.
 */

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE_ALL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** The text with every NUL and unpaired surrogate replaced by U+FFFD (the replacement character). */
export function toStorableText(value: string): string {
  return isStorableText(value) ? value : value.replace(UNSTORABLE_ALL, '\uFFFD');
}
