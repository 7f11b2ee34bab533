/**
 * The API's input rules, end to end over the full route set: one text rule (no NUL, no unpaired surrogate), one
 * UUID, one date-time, signed cursors, the envelope (with a code and X-Trace-Id) on every error the framework
 * produces, and strict `Authorization` parsing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../../src/http/pagination.js';
import { createHarness, type Harness, type TestResponse } from '../support/harness.js';
import { registerAdmin, registerUser, type TestUser } from '../support/users.js';

let h: Harness;
let user: TestUser;
let admin: TestUser;

beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false' } });
  user = await registerUser(h);
  admin = await registerAdmin(h);
});
afterAll(() => h.close());

function expectEnvelope(res: TestResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, code, message: expect.any(String), timestamp: expect.any(String) });
  expect(res.headers['x-trace-id']).toEqual(expect.any(String));
}

function expectField(res: TestResponse, field: string, constraint?: string) {
  expectEnvelope(res, 400, 'VALIDATION_FAILED');
  expect(res.body.details.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(constraint ? { constraint } : {}) })]));
}

describe('text the platform stores', () => {
  it.each([
    ['a NUL character', 'Ada\u0000Lovelace'],
    ['a lone high surrogate', 'Ada \uD83D'],
    ['a lone low surrogate', '\uDE00 Ada'],
    ['a reversed pair', 'x\uDE00\uD83Dy'],
  ])('rejects %s in a stored field, naming it', async (_label, text) => {
    const res = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: { displayName: text } });
    expectField(res, 'displayName', 'text');
  });

  it('accepts paired surrogates (emoji) and other Unicode', async () => {
    const res = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: { displayName: 'Ada 😀 Łovelace' } });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Ada 😀 Łovelace');
  });

  it('rejects the same text in query parameters and in nested fields', async () => {
    const search = await h.request({ method: 'GET', url: `/admin/users?search=${encodeURIComponent('a\u0000b')}`, token: admin.accessToken });
    expectField(search, 'search', 'text');
    const action = await h.request({ method: 'GET', url: '/admin/audit-logs?action=%ED%A0%80', token: admin.accessToken });
    // %ED%A0%80 is a UTF-8-encoded lone surrogate: decoded as U+FFFD, it is ordinary text and must not fail.
    expect(action.status).toBeLessThan(500);
    const nested = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: { displayName: 'ok', extra: { deep: ['\u0000'] } } });
    expectField(nested, 'extra.deep.0', 'text');
  });
});

describe('one UUID and one date-time', () => {
  it('accepts only canonical UUIDs in paths', async () => {
    const urn = await h.request({ method: 'GET', url: `/users/urn:uuid:${randomUUID()}`, token: user.accessToken });
    expectField(urn, 'id', 'format');
    const braces = await h.request({ method: 'GET', url: `/users/%7B${randomUUID()}%7D`, token: user.accessToken });
    expectField(braces, 'id', 'format');
    const unknown = await h.request({ method: 'GET', url: `/users/${randomUUID()}`, token: user.accessToken });
    expect(unknown.status).toBe(404);
  });

  it.each([
    ['a leap second', '2024-06-30T23:59:60Z'],
    ['an hour-only offset', '2024-06-30T10:00:00+02'],
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['Feb 30', '2024-02-30T00:00:00Z'],
    ['a five-digit year', '+275761-01-01T00:00:00Z'],
    ['a missing offset', '2024-06-30T10:00:00'],
    ['hour 24', '2024-06-30T24:00:00Z'],
  ])('rejects %s as a date-time', async (_label, value) => {
    const res = await h.request({ method: 'GET', url: `/admin/audit-logs?from=${encodeURIComponent(value)}`, token: admin.accessToken });
    expectField(res, 'from', 'format');
  });

  it('accepts RFC 3339 date-times with offsets and fractions', async () => {
    for (const value of ['2024-06-30T10:00:00Z', '2024-06-30T10:00:00.123456+05:30', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      const res = await h.request({ method: 'GET', url: `/admin/audit-logs?from=${encodeURIComponent(value)}`, token: admin.accessToken });
      expect(res.status).toBe(200);
    }
  });
});

describe('cursors', () => {
  const lists = ['/admin/users', '/admin/audit-logs', '/admin/rooms', '/rooms', '/rooms/public', '/problems', '/sessions', '/users/me/bookmarks', 'runs', 'submissions'];

  it.each(lists)('%s rejects cursors it did not issue, well-formed or not', async (list) => {
    let url = list;
    if (!list.startsWith('/')) {
      const room = await h.request({ method: 'POST', url: '/rooms', token: admin.accessToken, body: { mode: 'peer', language: 'python' } });
      expect(room.status).toBe(201);
      url = `/rooms/${room.body.roomId}/${list}`;
    }
    const forged = Buffer.from(JSON.stringify(['1', randomUUID()])).toString('base64url');
    for (const cursor of [forged, `${forged}.AAAAAAAAAAAAAAAAAAAAAA`, '!!!', 'a.b']) {
      const res = await h.request({ method: 'GET', url: `${url}?cursor=${encodeURIComponent(cursor)}`, token: admin.accessToken });
      expectField(res, 'cursor', 'cursor');
    }
  });

  it('rejects a signed cursor whose values are not what the list issues', async () => {
    const wrong = [['2024-02-30T00:00:00.000Z', randomUUID()], ['0000-01-01T00:00:00.000Z', randomUUID()], [2 ** 40, randomUUID()], [1.5, randomUUID()], ['1', randomUUID()]];
    const signedLists = ['/admin/users', '/admin/audit-logs', '/admin/rooms', '/rooms', '/rooms?sortBy=status', '/rooms/public', '/problems', '/sessions', '/users/me/bookmarks'];
    for (const values of wrong) {
      for (const list of signedLists) {
        const res = await h.request({ method: 'GET', url: `${list}${list.includes('?') ? '&' : '?'}cursor=${encodeCursor(values)}`, token: admin.accessToken });
        expectField(res, 'cursor', 'cursor');
      }
    }
  });

  it('walks a list with the cursors it issued', async () => {
    const first = await h.request({ method: 'GET', url: '/admin/users?limit=1', token: admin.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.pagination.hasMore).toBe(true);
    const second = await h.request({ method: 'GET', url: `/admin/users?limit=1&cursor=${first.body.pagination.nextCursor}`, token: admin.accessToken });
    expect(second.status).toBe(200);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });
});

describe('the envelope on every error', () => {
  it('limits JSON nesting and truncates echoed values', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: deep, headers: { 'content-type': 'application/json' } });
    expectField(res, 'body', 'maxDepth');

    const nested = { displayName: JSON.parse(`${'['.repeat(40)}"x"${']'.repeat(40)}`) };
    const echoed = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: nested });
    expectField(echoed, 'displayName');
    expect(JSON.stringify(echoed.body.details.fields[0].value).length).toBeLessThan(260);

    const huge = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: { displayName: 'x'.repeat(100_000) } });
    expectField(huge, 'displayName', 'maxLength');
    expect(String(huge.body.details.fields[0].value).length).toBeLessThan(260);
  });

  it('names the body for malformed JSON and empty bodies', async () => {
    const malformed = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: '{"displayName":', headers: { 'content-type': 'application/json' } });
    expectField(malformed, 'body', 'json');
    const empty = await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, headers: { 'content-type': 'application/json' } });
    expectField(empty, 'body', 'required');
  });

  it('answers router errors with the envelope', async () => {
    expectField(await h.request({ method: 'GET', url: '/users/%ZZ', token: user.accessToken }), 'url', 'encoding');
    const long = await h.request({ method: 'GET', url: `/users/${'a'.repeat(150)}`, token: user.accessToken });
    expectEnvelope(long, 414, 'URI_TOO_LONG');
  });

  it('answers a CORS preflight without Origin, and the docs, with the envelope', async () => {
    const preflight = await h.request({ method: 'OPTIONS', url: '/rooms', headers: { 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expectEnvelope(preflight, preflight.status, preflight.body.code);
    for (const url of ['/docs/static/..%2f..%2fpackage.json', '/docs/static/.hidden', '/docs/static/%2e%2e/x', '/docs/static/nope.js']) {
      const res = await h.request({ method: 'GET', url });
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expectEnvelope(res, res.status, res.body.code);
    }
  });

  it('answers methods the router does not know with the envelope', async () => {
    const res = await h.app.inject({ method: 'PROPFIND' as 'GET', url: '/rooms' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: res.statusCode, code: expect.any(String) });
    expect(res.headers['x-trace-id']).toEqual(expect.any(String));
  });
});

describe('Authorization', () => {
  it('accepts exactly "Bearer <token>"', async () => {
    const ok = await h.request({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(ok.status).toBe(200);
    const lower = await h.request({ method: 'GET', url: '/users/me', headers: { authorization: `bearer ${user.accessToken}` } });
    expect(lower.status).toBe(200);
  });

  it.each([
    ['trailing junk', (t: string) => `Bearer ${t} junk`],
    ['two spaces', (t: string) => `Bearer  ${t}`],
    ['a trailing space', (t: string) => `Bearer ${t} `],
    ['another scheme', (t: string) => `Basic ${t}`],
    ['no scheme', (t: string) => t],
    ['a tab', (t: string) => `Bearer\t${t}`],
    ['a comma-joined second token', (t: string) => `Bearer ${t}, Bearer ${t}`],
  ])('rejects %s with 401 and the envelope', async (_label, header) => {
    const res = await h.request({ method: 'GET', url: '/users/me', headers: { authorization: header(user.accessToken) } });
    expectEnvelope(res, 401, 'UNAUTHORIZED');
  });
});
