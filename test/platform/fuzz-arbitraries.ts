/**
 * fast-check arbitraries for the fuzz test: values that follow an OpenAPI (JSON Schema) fragment, and hostile
 * values that do not — wrong types, text Postgres cannot store, formats the database rejects, huge and deeply
 * nested values, forged cursors, prototype keys.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

export type Schema = Record<string, any>;

export interface Pools {
  /** Ids of things that exist (users, rooms, problems), so valid requests reach past the 404s. */
  ids: string[];
}

const MAX_DEPTH = 4;

export function resolveRef(schema: Schema | undefined, doc: Schema): Schema {
  let current = schema ?? {};
  for (let i = 0; i < 10 && typeof current['$ref'] === 'string'; i++) {
    const path = (current['$ref'] as string).replace(/^#\//, '').split('/');
    current = path.reduce<any>((node, key) => node?.[key], doc) ?? {};
  }
  return current;
}

function stringFor(schema: Schema, pools: Pools): fc.Arbitrary<string> {
  const min = Math.max(0, schema['minLength'] ?? 0);
  const max = Math.max(min, Math.min(schema['maxLength'] ?? 40, min + 40));
  switch (schema['format']) {
    case 'uuid':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pools.ids) }, { weight: 1, arbitrary: fc.uuid() });
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uri':
    case 'url':
      return fc.webUrl();
  }
  if (typeof schema['pattern'] === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema['pattern'])).filter((s) => s.length >= min && s.length <= (schema['maxLength'] ?? Infinity));
    } catch {
      // a pattern JavaScript cannot compile: fall through to plain strings
    }
  }
  return fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }));
}

function numberFor(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const lo = schema['minimum'] ?? (schema['exclusiveMinimum'] !== undefined ? Number(schema['exclusiveMinimum']) + 1 : -1000);
  const hi = schema['maximum'] ?? (schema['exclusiveMaximum'] !== undefined ? Number(schema['exclusiveMaximum']) - 1 : 100_000);
  if (integer) return fc.integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(Math.max(hi, lo), 2 ** 31 - 1) });
  return fc.double({ min: lo, max: Math.max(hi, lo), noNaN: true, noDefaultInfinity: true });
}

function objectFor(schema: Schema, doc: Schema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set<string>((schema['required'] as string[] | undefined) ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, child] of Object.entries(properties)) model[key] = validValue(child, doc, pools, depth + 1);
  if (Object.keys(model).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
}

/** Values that satisfy `schema` (as far as a generator can tell). */
export function validValue(raw: Schema | undefined, doc: Schema, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolveRef(raw, doc);
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (schema['const'] !== undefined) return fc.constant(schema['const']);
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const union = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map((s) => validValue(s, doc, pools, depth)));
  const base = valueOfType(schema, doc, pools, depth);
  return schema['nullable'] ? fc.option(base, { nil: null }) : base;
}

function valueOfType(schema: Schema, doc: Schema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema['type']) ? schema['type'][0] : schema['type'];
  switch (type) {
    case 'string':
      return stringFor(schema, pools);
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = Math.max(0, schema['minItems'] ?? 0);
      return fc.array(validValue(schema['items'], doc, pools, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema['maxItems'] ?? 3, 3)) });
    }
    case 'object':
      return objectFor(schema, doc, pools, depth);
    default:
      return schema['properties'] ? objectFor(schema, doc, pools, depth) : fc.jsonValue({ maxDepth: 2 });
  }
}

const forged = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** Text that JSON carries but Postgres, `new Date()` or the router choke on. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\uDE00\uD83D',
  '😀',
  '\u202Eevil',
  `urn:uuid:${randomUUID()}`,
  `{${randomUUID()}}`,
  randomUUID().toUpperCase(),
  randomUUID().replace(/-/g, ''),
  '00000000-0000-0000-0000-000000000000',
  '2024-06-30T23:59:60Z',
  '2024-06-30T10:00:00+02',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '275761-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '1',
  '-1',
  '1.5',
  '2147483648',
  '9999999999999999999999',
  '1e309',
  'NaN',
  'Infinity',
  'true',
  'null',
  '[]',
  '{}',
  '../../../etc/passwd',
  '%00',
  '%ZZ',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '$where',
  '__proto__',
  'constructor',
  forged(['1', randomUUID()]),
  forged(['2024-02-30T00:00:00.000Z', randomUUID()]),
  forged([2 ** 40, randomUUID()]),
  forged([1.5, randomUUID()]),
  `${forged(['2024-01-01T00:00:00.000Z', randomUUID()])}.AAAAAAAAAAAAAAAAAAAAAA`,
  'x'.repeat(5000),
];

function deepArray(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** Values of the wrong type, shape or size for (almost) any field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 0.1, -0) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], {}, [null], { a: 1 }, deepArray(30), 'y'.repeat(300_000)) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Characters JSON carries and Postgres cannot store. */
export const UNSTORABLE: readonly string[] = ['\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF'];

/** A valid-looking text with one unstorable character spliced in. */
export function poisoned(text: unknown): fc.Arbitrary<string> {
  const base = typeof text === 'string' && text.length > 0 ? text : 'text';
  return fc.tuple(fc.constantFrom(...UNSTORABLE), fc.nat({ max: base.length })).map(([bad, at]) => `${base.slice(0, at)}${bad}${base.slice(at)}`);
}

/**
 * An object following `schema` with one field replaced by a hostile value, one string field poisoned with an
 * unstorable character (everything else valid, so the request reaches the write), or an unknown field added.
 */
export function corruptedObject(raw: Schema | undefined, doc: Schema, pools: Pools): fc.Arbitrary<unknown> {
  const schema = resolveRef(raw, doc);
  const keys = Object.keys(schema['properties'] ?? {});
  return fc.tuple(validValue(schema, doc, pools), fc.constantFrom('', ...keys), fc.boolean()).chain(([value, key, poison]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return hostileValue;
    const field = key || 'unexpectedField';
    const current = (value as Record<string, unknown>)[field];
    const replacement = poison && typeof current === 'string' ? poisoned(current) : hostileValue;
    return replacement.map((bad) => ({ ...(value as object), [field]: bad }));
  });
}

/**
 * Cursors a list did not issue: forged (unsigned or badly signed) and validly signed ones whose values are of the
 * wrong kind, arity or range for any list (`sign` is the server's encoder, keyed once the app is built).
 */
export function cursorSamples(sign: (values: Array<string | number | null>) => string): string[] {
  const id = randomUUID();
  const wrongValues: Array<Array<string | number | null>> = [
    ['1', id],
    ['2024-02-30T00:00:00.000Z', id],
    ['0000-01-01T00:00:00.000Z', id],
    [2 ** 40, id],
    [1.5, id],
    [-1, id],
    [null, id],
    [id, '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T00:00:00.000Z', 'not-a-uuid'],
    ['2024-01-01T00:00:00.000Z'],
    ['a', 'b', 'c', id],
    [],
  ];
  return [
    forged(['2024-01-01T00:00:00.000Z', id]),
    `${forged(['2024-01-01T00:00:00.000Z', id])}.AAAAAAAAAAAAAAAAAAAAAA`,
    ...wrongValues.map(sign),
  ];
}

/** Raw request bodies a JSON parser must survive. */
export const MALFORMED_BODIES: readonly string[] = [
  '',
  '{',
  '{"a":',
  '[1,]',
  '{"a":1}}',
  'nul',
  '\u0000',
  '"\\ud800"',
  '{"a":"\\u0000"}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  JSON.stringify({ pad: 'z'.repeat(1_200_000) }),
];

/** Path parameter values the router itself must turn into an envelope (already URL-encoded where needed). */
export const HOSTILE_PATH_SEGMENTS: readonly string[] = [
  '%ZZ',
  '%00',
  '%ED%A0%80',
  '%F0%9F',
  '%C0%AF',
  'a'.repeat(150),
  `urn%3Auuid%3A${randomUUID()}`,
  '..%2F..%2Fetc',
  '%20',
  '-1',
  '9999999999999999999',
];
