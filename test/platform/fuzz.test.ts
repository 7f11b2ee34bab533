/**
 * Property-based fuzzing of every served operation. The OpenAPI document the server publishes (/docs/json) is the
 * map: for each operation, generated requests — valid ones from its schemas and hostile ones (wrong types, huge
 * strings, NUL and lone surrogates, deep nesting, forged cursors, bad UUIDs and date-times, malformed JSON) — are
 * sent as an anonymous caller, a user and an admin (and, on /internal callbacks, the collab plane with the internal
 * secret). Whatever the input, the server must:
 *   - never answer 5xx (a 503 `<AREA>_SERVICE_UNAVAILABLE` of an unconfigured service is the one exception);
 *   - answer every error with the envelope {statusCode, code, message, timestamp} and every answer with X-Trace-Id;
 *   - never answer 2xx to an anonymous caller on an authenticated route, to a user on /admin/*, or to anyone
 *     without the internal secret on /internal/*.
 * Operations added later are walked too: the test reads the served document, not a list.
 *
 * `npm test` runs FUZZ_RUNS (default 10) cases per operation with a fixed seed and again with a random one (its
 * seed is printed when it fails); `npm run fuzz` runs a long campaign (FUZZ_RUNS=300 by default, FUZZ_SEED to
 * replay one).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { createHarness, type Harness } from '../support/harness.js';
import { registerAdmin, registerUser, type TestUser } from '../support/users.js';
import { encodeCursor } from '../../src/http/pagination.js';
import { corruptedObject, cursorSamples, HOSTILE_PATH_SEGMENTS, hostileValue, MALFORMED_BODIES, poisoned, resolveRef, validValue, type Pools, type Schema } from './fuzz-arbitraries.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const FIXED_SEED = 20261207;
const LONG = process.env.FUZZ_RUNS !== undefined;

type Identity = 'anonymous' | 'malformed' | 'user' | 'admin' | 'internal';

interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

interface Operation {
  method: string;
  /** OpenAPI template, e.g. /rooms/{id}. */
  path: string;
  params: Param[];
  body: Schema | undefined;
  isPublic: boolean;
}

interface FuzzCase {
  identity: Identity;
  path: Record<string, string>;
  query: Array<[string, string]>;
  body: { raw: string; contentType: string } | undefined;
}

let h: Harness;
let user: TestUser;
let admin: TestUser;
let operations: Operation[] = [];
let doc: Schema;
const pools: Pools = { ids: [] };
let sent = 0;
let badCursors: string[] = [];
/** Cursors lists really issued during the run, replayed on other lists (a cursor of one list is not another's). */
const issuedCursors = new Set<string>();
const byStatus = new Map<number, number>();

function operationsOf(document: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries((document['paths'] ?? {}) as Record<string, Schema>)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method] as Schema | undefined;
      if (!op) continue;
      const params = [...((item['parameters'] as Param[]) ?? []), ...((op['parameters'] as Param[]) ?? [])].map((p) => resolveRef(p, document) as Param);
      const content = (resolveRef(op['requestBody'], document)['content'] ?? {}) as Record<string, Schema>;
      const body = content['application/json']?.['schema'] as Schema | undefined;
      // Public routes declare `security: []` (no bearer token); every other operation needs one.
      const isPublic = Array.isArray(op['security']) && op['security'].length === 0;
      ops.push({ method: method.toUpperCase(), path, params, body, isPublic });
    }
  }
  return ops;
}

function pathValue(param: Param): fc.Arbitrary<string> {
  const valid = validValue(param.schema, doc, pools).map((v) => encode(String(v)));
  const hostile = fc.oneof(
    hostileValue.map((v) => encode(typeof v === 'string' ? v.slice(0, 2000) : JSON.stringify(v) ?? 'undefined')),
    fc.constantFrom(...HOSTILE_PATH_SEGMENTS),
  );
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: hostile }).map((s) => (s === '' ? '%20' : s));
}

function queryValue(param: Param): fc.Arbitrary<Array<[string, string]>> {
  const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  const schema = resolveRef(param.schema, doc);
  const valid = validValue(schema, doc, pools).map((v) => (Array.isArray(v) ? v.map((x): [string, string] => [param.name, asText(x)]) : [[param.name, asText(v)] as [string, string]]));
  const hostile = hostileValue.map((v): Array<[string, string]> => [[param.name, asText(v).slice(0, 20_000)]]);
  const poison = validValue(schema, doc, pools).chain((v) => poisoned(asText(v))).map((v): Array<[string, string]> => [[param.name, v]]);
  const repeated = fc.tuple(fc.string(), fc.string()).map(([a, b]): Array<[string, string]> => [[param.name, a], [param.name, b]]);
  const cursor = fc.constantFrom(...badCursors, ...[...issuedCursors].slice(-40)).map((v): Array<[string, string]> => [[param.name, v]]);
  return fc.oneof(
    ...(param.name === 'cursor' ? [{ weight: 4, arbitrary: cursor }] : []),
    { weight: param.required ? 1 : 3, arbitrary: fc.constant<Array<[string, string]>>([]) },
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: hostile },
    { weight: 1, arbitrary: poison },
    { weight: 1, arbitrary: repeated },
  );
}

function bodyOf(op: Operation): fc.Arbitrary<FuzzCase['body']> {
  const json = (v: unknown) => ({ raw: JSON.stringify(v) ?? 'null', contentType: 'application/json' });
  const malformed = fc.constantFrom(...MALFORMED_BODIES).map((raw) => ({ raw, contentType: 'application/json' }));
  const wrongType = fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=latin1', 'multipart/form-data; boundary=x').map((contentType) => ({ raw: 'a=1&b=\u0000', contentType }));
  if (!op.body) {
    const noBody = ['GET', 'DELETE'].includes(op.method) ? 6 : 3;
    return fc.oneof({ weight: noBody, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(json) }, { weight: 1, arbitrary: malformed });
  }
  return fc.oneof(
    { weight: 5, arbitrary: validValue(op.body, doc, pools).map(json) },
    { weight: 3, arbitrary: corruptedObject(op.body, doc, pools).map(json) },
    { weight: 1, arbitrary: hostileValue.map(json) },
    { weight: 1, arbitrary: malformed },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function caseOf(op: Operation): fc.Arbitrary<FuzzCase> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const path = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, pathValue(p)])) as Record<string, fc.Arbitrary<string>>);
  const extraQuery = fc.oneof({ weight: 5, arbitrary: fc.constant([] as Array<[string, string]>) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('unknown', '__proto__', 'constructor'), hostileValue).map(([k, v]): Array<[string, string]> => [[k, String(v).slice(0, 1000)]]) });
  const query = fc.tuple(fc.tuple(...queryParams.map(queryValue)), extraQuery).map(([parts, extra]) => [...parts.flat(), ...extra]);
  const identity = isInternal(op)
    ? fc.constantFrom<Identity>('anonymous', 'user', 'internal', 'internal', 'internal')
    : fc.constantFrom<Identity>('anonymous', 'malformed', 'user', 'user', 'admin', 'admin');
  return fc.record({ identity, path, query, body: bodyOf(op) });
}

/** encodeURIComponent, except that a lone surrogate is sent as the bytes of its code point (as a hostile client would). */
function encode(text: string): string {
  let out = '';
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(char);
  }
  return out;
}

function urlOf(op: Operation, c: FuzzCase): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => c.path[name] ?? 'x');
  const query = c.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return query ? `${path}?${query}` : path;
}

/** Callbacks between the planes: public to the bearer check, guarded by the shared internal secret instead. */
const isInternal = (op: Operation) => op.path.startsWith('/internal/');

function authorizationOf(identity: Identity): Record<string, string> {
  switch (identity) {
    case 'internal':
      return { 'x-internal-secret': h.config.INTERNAL_CALLBACK_SECRET };
    case 'anonymous':
      return {};
    case 'malformed':
      return { authorization: `Bearer ${user.accessToken} ${admin.accessToken}` };
    case 'user':
      return { authorization: `Bearer ${user.accessToken}` };
    case 'admin':
      return { authorization: `Bearer ${admin.accessToken}` };
  }
}

function problemsWith(op: Operation, c: FuzzCase, res: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  const status = res.statusCode;
  let body: any;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = undefined;
  }
  const allowed503 = status === 503 && typeof body?.code === 'string' && /_SERVICE_UNAVAILABLE$/.test(body.code);
  if (status >= 500 && !allowed503) problems.push(`answered ${status}`);
  if (!res.headers['x-trace-id']) problems.push('no X-Trace-Id');
  if (status >= 400) {
    const envelope = body && body.statusCode === status && typeof body.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(body.code) && typeof body.message === 'string' && !Number.isNaN(Date.parse(body.timestamp));
    if (!envelope) problems.push('error without the envelope');
  }
  const denied = isInternal(op)
    ? c.identity !== 'internal'
    : ((c.identity === 'anonymous' || c.identity === 'malformed') && !op.isPublic) || (c.identity === 'user' && op.path.startsWith('/admin'));
  if (denied && status >= 200 && status < 300) problems.push(`${c.identity} got ${status}`);
  return problems;
}

async function send(op: Operation, c: FuzzCase): Promise<void> {
  const url = urlOf(op, c);
  const headers: Record<string, string> = { ...authorizationOf(c.identity), ...(c.body ? { 'content-type': c.body.contentType } : {}) };
  const res = await h.app.inject({ method: op.method as 'GET', url, headers, ...(c.body ? { payload: c.body.raw } : {}) });
  sent++;
  byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
  const next = res.statusCode === 200 ? /"nextCursor":"([^"]+)"/.exec(res.body)?.[1] : undefined;
  if (next) issuedCursors.add(next);
  const problems = problemsWith(op, c, res);
  if (problems.length > 0) {
    const shown = c.body && c.body.raw.length > 300 ? `${c.body.raw.slice(0, 300)}… (${c.body.raw.length} chars)` : c.body?.raw;
    throw new Error(`${op.method} ${op.path} as ${c.identity}: ${problems.join(', ')}\n  request: ${op.method} ${url.slice(0, 500)} body=${JSON.stringify(shown)}\n  answer: ${res.statusCode} ${res.body.slice(0, 500)}`);
  }
}

/** Fuzzing can ban, demote or delete the test accounts: bring them back before the next operation. */
async function ensureIdentities(): Promise<void> {
  const me = async (who: TestUser) => h.app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${who.accessToken}` } });
  if ((await me(user)).statusCode !== 200) user = await registerUser(h);
  const adminMe = await me(admin);
  if (adminMe.statusCode !== 200 || JSON.parse(adminMe.body).role !== 'admin') admin = await registerAdmin(h);
}

async function campaign(seed: number): Promise<void> {
  for (const op of operations) {
    await ensureIdentities();
    await fc.assert(
      fc.asyncProperty(caseOf(op), (c) => send(op, c)),
      { seed, numRuns: RUNS, endOnFailure: true, verbose: fc.VerbosityLevel.None },
    );
  }
}

beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false' } });
  user = await registerUser(h);
  admin = await registerAdmin(h);
  const problem = await h.app.inject({
    method: 'POST',
    url: '/problems',
    headers: { authorization: `Bearer ${admin.accessToken}` },
    payload: { title: 'Fuzz sum', description: 'Add two numbers.', difficulty: 'easy', isPublished: true, testCases: [{ input: '1 2', expectedOutput: '3' }] },
  });
  const room = await h.app.inject({ method: 'POST', url: '/rooms', headers: { authorization: `Bearer ${user.accessToken}` }, payload: { mode: 'peer', language: 'python' } });
  pools.ids = [user.id, admin.id, JSON.parse(problem.body).id, JSON.parse(room.body).roomId].filter((id): id is string => typeof id === 'string');
  badCursors = cursorSamples(encodeCursor);
  const served = await h.app.inject({ method: 'GET', url: '/docs/json' });
  if (served.statusCode !== 200) throw new Error(`GET /docs/json answered ${served.statusCode}: ${served.body.slice(0, 500)}`);
  doc = JSON.parse(served.body) as Schema;
  operations = operationsOf(doc);
}, 60_000);

afterAll(async () => {
  const statuses = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
  console.log(`fuzz: ${sent} requests over ${operations.length} operations (${RUNS} cases per operation and seed): ${statuses}`);
  await h?.close();
});

describe('fuzzing every served operation', () => {
  const timeout = LONG ? 24 * 3600_000 : 300_000;

  it('walks the served OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.filter((op) => op.isPublic).length).toBeGreaterThan(3);
    expect(operations.some((op) => op.path.startsWith('/admin'))).toBe(true);
  });

  it(`holds for the fixed seed ${process.env.FUZZ_SEED ?? FIXED_SEED}`, () => campaign(Number(process.env.FUZZ_SEED ?? FIXED_SEED)), timeout);

  it('holds for a random seed', async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    try {
      await campaign(seed);
    } catch (err) {
      throw new Error(`random seed ${seed} (replay: FUZZ_SEED=${seed} npm run fuzz)\n${(err as Error).message}`);
    }
  }, timeout);

  it('reaches past validation: some generated requests succeed', () => {
    const succeeded = [...byStatus.entries()].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
    expect(succeeded).toBeGreaterThan(sent / 20);
  });

  it('leaves every projection healthy', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(JSON.parse(health.body).services.projections).toBe('ok');
  });
});
