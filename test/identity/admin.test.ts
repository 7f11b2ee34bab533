import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { adminCli } from '../../src/commands/identity/cli.js';
import { settle } from '../../src/http/command.js';
import { encodeCursor } from '../../src/http/pagination.js';
import { createHarness, type Harness, type TestResponse } from '../support/harness.js';
import { loginUser, registerAdmin, registerUser, type TestUser } from '../support/users.js';

let h: Harness;
let admin: TestUser;
let plain: TestUser;

beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_AUTH_PER_MIN: '10000', RATE_LIMIT_GLOBAL_PER_MIN: '10000' } });
  admin = await registerAdmin(h);
  plain = await registerUser(h);
});
afterAll(() => h.close());

function expectError(res: TestResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, code, message: expect.any(String), timestamp: expect.any(String) });
}
function expectFields(res: TestResponse, ...fields: string[]) {
  expectError(res, 400, 'VALIDATION_FAILED');
  const got = (res.body.details.fields as Array<{ field: string }>).map((f) => f.field);
  for (const f of fields) expect(got).toContain(f);
}
const get = (url: string, token = admin.accessToken) => h.request({ method: 'GET', url, token });
const patch = (url: string, body?: unknown, token = admin.accessToken, headers?: Record<string, string>) =>
  h.request({ method: 'PATCH', url, token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

describe('GET /admin/users', () => {
  it('lists users newest first with cursor pagination (AdminUser shape)', async () => {
    const tag = randomBytes(3).toString('hex');
    const made: TestUser[] = [];
    for (let i = 0; i < 5; i++) made.push(await registerUser(h, { username: `page_${tag}_${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: TestResponse = await get(`/admin/users?limit=2&search=page_${tag}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((u: { username: string }) => u.username));
      cursor = res.body.pagination.nextCursor;
      expect(res.body.pagination.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(made.map((u) => u.username).reverse());

    const one = await get(`/admin/users?search=${made[0]!.username}`);
    expect(one.body.data).toEqual([
      {
        id: made[0]!.id,
        email: made[0]!.email,
        username: made[0]!.username,
        displayName: null,
        role: 'user',
        avatarUrl: null,
        bannedAt: null,
        bannedReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
  });

  it('filters by search (email, username or display name, case-insensitive) and status', async () => {
    const tag = randomBytes(3).toString('hex');
    const a = await registerUser(h, { username: `filt_${tag}_a` });
    const b = await registerUser(h, { username: `filt_${tag}_b` });
    await h.request({ method: 'PATCH', url: '/users/me', token: b.accessToken, body: { displayName: `Display ${tag.toUpperCase()}` } });
    await patch(`/admin/users/${a.id}/ban`, { reason: 'spam' });
    const banned = await get(`/admin/users?search=FILT_${tag}&status=banned`);
    expect(banned.body.data.map((u: { id: string }) => u.id)).toEqual([a.id]);
    expect(banned.body.data[0]).toMatchObject({ bannedAt: expect.any(String), bannedReason: 'spam' });
    const active = await get(`/admin/users?search=filt_${tag}&status=active`);
    expect(active.body.data.map((u: { id: string }) => u.id)).toEqual([b.id]);
    const byDisplay = await get(`/admin/users?search=${encodeURIComponent(`display ${tag}`)}`);
    expect(byDisplay.body.data.map((u: { id: string }) => u.id)).toEqual([b.id]);
    const byEmail = await get(`/admin/users?search=${encodeURIComponent(a.email.toUpperCase())}`);
    expect(byEmail.body.data.map((u: { id: string }) => u.id)).toEqual([a.id]);
    // LIKE wildcards are literal.
    expect((await get('/admin/users?search=%25')).body.data).toEqual([]);
  });

  it('excludes deleted users', async () => {
    const gone = await registerUser(h);
    await h.request({ method: 'DELETE', url: '/users/me', token: gone.accessToken });
    expect((await get(`/admin/users?search=${gone.username}`)).body.data).toEqual([]);
  });

  it('rejects non-admins (403 FORBIDDEN), malformed cursors and cursors with invalid fields (400), bad params', async () => {
    expectError(await get('/admin/users', plain.accessToken), 403, 'FORBIDDEN');
    expectError(await h.request({ method: 'GET', url: '/admin/users' }), 401, 'UNAUTHORIZED');
    expectFields(await get('/admin/users?cursor=***'), 'cursor');
    expectFields(await get(`/admin/users?cursor=${Buffer.from('not json').toString('base64url')}`), 'cursor');
    expectFields(await get(`/admin/users?cursor=${encodeCursor(['yesterday', randomUUID()])}`), 'cursor');
    expectFields(await get(`/admin/users?cursor=${encodeCursor([new Date().toISOString(), 'not-a-uuid'])}`), 'cursor');
    expectFields(await get(`/admin/users?cursor=${encodeCursor([new Date().toISOString()])}`), 'cursor');
    expectFields(await get('/admin/users?status=deleted'), 'status');
    expectFields(await get('/admin/users?limit=0'), 'limit');
    expectFields(await get('/admin/users?limit=101'), 'limit');
    expectFields(await get(`/admin/users?search=${'x'.repeat(101)}`), 'search');
    expectFields(await get('/admin/users?sort=name'), 'sort');
  });
});

describe('GET /admin/users/:id', () => {
  it('returns AdminUserDetail, deleted users included', async () => {
    const u = await registerUser(h);
    await loginUser(h, u.email, u.password);
    const res = await get(`/admin/users/${u.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: u.id,
      email: u.email,
      role: 'user',
      lastActiveAt: expect.any(String),
      deletedAt: null,
      stats: { totalSessions: 0, totalProblems: 0, streakDays: 0 },
      recentSessions: [],
    });
    await h.request({ method: 'DELETE', url: '/users/me', token: u.accessToken });
    expect((await get(`/admin/users/${u.id}`)).body.deletedAt).toEqual(expect.any(String));
  });

  it('answers 404 USER_NOT_FOUND, 400 for a malformed id, 403 for non-admins', async () => {
    expectError(await get(`/admin/users/${randomUUID()}`), 404, 'USER_NOT_FOUND');
    expectFields(await get('/admin/users/123'), 'id');
    expectError(await get(`/admin/users/${plain.id}`, plain.accessToken), 403, 'FORBIDDEN');
  });
});

describe('ban / unban', () => {
  it('bans with a reason (persisted and returned), re-banning refreshes it, unban clears both', async () => {
    const u = await registerUser(h);
    const res = await patch(`/admin/users/${u.id}/ban`, { reason: '  spamming rooms  ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, bannedAt: expect.any(String), bannedReason: 'spamming rooms' });
    expect((await get(`/admin/users/${u.id}`)).body).toMatchObject({ bannedReason: 'spamming rooms' });
    const again = await patch(`/admin/users/${u.id}/ban`, { reason: 'still spamming' });
    expect(again.body.bannedReason).toBe('still spamming');
    const noBody = await patch(`/admin/users/${u.id}/ban`);
    expect(noBody.status).toBe(200);
    expect(noBody.body.bannedReason).toBeNull();
    const unban = await patch(`/admin/users/${u.id}/unban`);
    expect(unban.status).toBe(200);
    expect(unban.body).toMatchObject({ bannedAt: null, bannedReason: null });
    // Unbanning someone not banned is a no-op.
    expect((await patch(`/admin/users/${u.id}/unban`)).status).toBe(200);
  });

  it('cuts a banned user off at once: access token → 403 USER_BANNED, refresh revoked', async () => {
    const u = await registerUser(h);
    await patch(`/admin/users/${u.id}/ban`, {});
    expectError(await h.request({ method: 'GET', url: '/users/me', token: u.accessToken }), 403, 'USER_BANNED');
    await patch(`/admin/users/${u.id}/unban`);
    // The refresh token issued before the ban stays dead after the unban.
    expectError(await h.request({ method: 'POST', url: '/auth/refresh', headers: { cookie: u.refreshCookie } }), 401, 'AUTH_TOKEN_REVOKED');
  });

  it('refuses self-ban (400), malformed ids (400), unknown users (404), non-admins (403), bad reasons (400)', async () => {
    expectFields(await patch(`/admin/users/${admin.id}/ban`, {}), 'id');
    expectFields(await patch('/admin/users/nope/ban', {}), 'id');
    expectFields(await patch('/admin/users/nope/unban'), 'id');
    expectError(await patch(`/admin/users/${randomUUID()}/ban`, {}), 404, 'USER_NOT_FOUND');
    expectError(await patch(`/admin/users/${randomUUID()}/unban`), 404, 'USER_NOT_FOUND');
    expectError(await patch(`/admin/users/${admin.id}/ban`, {}, plain.accessToken), 403, 'FORBIDDEN');
    expectError(await patch(`/admin/users/${admin.id}/unban`, undefined, plain.accessToken), 403, 'FORBIDDEN');
    expectFields(await patch(`/admin/users/${plain.id}/ban`, { reason: '' }), 'reason');
    expectFields(await patch(`/admin/users/${plain.id}/ban`, { reason: '   ' }), 'reason');
    expectFields(await patch(`/admin/users/${plain.id}/ban`, { reason: 'x'.repeat(501) }), 'reason');
    expectFields(await patch(`/admin/users/${plain.id}/ban`, { reason: 'x', until: 'tomorrow' }), 'until');
  });
});

describe('PATCH /admin/users/:id', () => {
  it('changes the role and the ban state', async () => {
    const u = await registerUser(h);
    const promoted = await patch(`/admin/users/${u.id}`, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('admin');
    // The new admin can use admin endpoints at once.
    expect((await get('/admin/users?limit=1', u.accessToken)).status).toBe(200);
    const both = await patch(`/admin/users/${u.id}`, { role: 'user', banned: true, reason: 'abuse' });
    expect(both.body).toMatchObject({ role: 'user', bannedAt: expect.any(String), bannedReason: 'abuse' });
    const unbanned = await patch(`/admin/users/${u.id}`, { banned: false });
    expect(unbanned.body).toMatchObject({ bannedAt: null, bannedReason: null });
  });

  it('refuses empty updates, self-demotion, self-ban, bad values, unknown users and non-admins', async () => {
    expectFields(await patch(`/admin/users/${plain.id}`, {}), 'body');
    expectFields(await patch(`/admin/users/${plain.id}`, { reason: 'only a reason' }), 'body');
    expectFields(await patch(`/admin/users/${admin.id}`, { role: 'user' }), 'role');
    expectFields(await patch(`/admin/users/${admin.id}`, { banned: true }), 'id');
    expectFields(await patch(`/admin/users/${plain.id}`, { role: 'owner' }), 'role');
    expectFields(await patch(`/admin/users/${plain.id}`, { banned: 'maybe' }), 'banned');
    expectFields(await patch(`/admin/users/${plain.id}`, { role: 'user', email: 'x@y.z' }), 'email');
    expectFields(await patch('/admin/users/not-a-uuid', { role: 'user' }), 'id');
    expectError(await patch(`/admin/users/${randomUUID()}`, { role: 'admin' }), 404, 'USER_NOT_FOUND');
    expectError(await patch(`/admin/users/${plain.id}`, { role: 'admin' }, plain.accessToken), 403, 'FORBIDDEN');
  });
});

describe('syncode admin grant <email>', () => {
  it('makes an account an administrator (case-insensitive email), and reports unknown emails', async () => {
    const u = await registerUser(h);
    const log = console.log;
    const error = console.error;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => lines.push(a.join(' '));
    console.error = (...a: unknown[]) => lines.push(a.join(' '));
    try {
      expect(await adminCli(h.ctx, ['grant', u.email.toUpperCase()])).toBe(0);
      expect(await adminCli(h.ctx, ['grant', 'nobody@example.test'])).toBe(1);
      expect(await adminCli(h.ctx, ['frobnicate'])).toBe(2);
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(lines[0]).toContain('administrator');
    await settle(h.ctx, await h.ctx.store.headPosition(), ['UserRoleChanged']);
    expect((await get('/admin/users?limit=1', u.accessToken)).status).toBe(200);
  });
});
