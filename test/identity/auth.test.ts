import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { outboxFor } from '../../src/infra/mail/outbox.js';
import { jwtKeys, signToken } from '../../src/infra/jwt/keyring.js';
import { createHarness, type Harness, type TestResponse } from '../support/harness.js';
import { cookieFrom, DEFAULT_PASSWORD, makeAdmin, registerUser, type TestUser } from '../support/users.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_AUTH_PER_MIN: '10000', RATE_LIMIT_GLOBAL_PER_MIN: '10000' } });
});
afterAll(() => h.close());

const tag = () => randomBytes(4).toString('hex');
const fresh = () => {
  const t = tag();
  return { username: `user_${t}`, email: `user.${t}@example.test`, password: 'long-enough-password' };
};

function expectError(res: TestResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, code, message: expect.any(String), timestamp: expect.any(String) });
}

function expectFields(res: TestResponse, ...fields: string[]) {
  expectError(res, 400, 'VALIDATION_FAILED');
  const got = (res.body.details.fields as Array<{ field: string; constraint: string }>).map((f) => f.field);
  for (const f of fields) expect(got).toContain(f);
}

const post = (url: string, body?: unknown, cookie?: string, token?: string) =>
  h.request({ method: 'POST', url, ...(body !== undefined ? { body } : {}), ...(token ? { token } : {}), ...(cookie ? { headers: { cookie } } : {}) });

const setCookieOf = (res: TestResponse) => {
  const raw = res.headers['set-cookie'];
  return (Array.isArray(raw) ? raw : [raw]).filter(Boolean).join('\n');
};

describe('POST /auth/register', () => {
  it('creates the account: 201 {accessToken, user: UserProfile} and the refresh cookie', async () => {
    const input = fresh();
    const res = await post('/auth/register', { ...input, email: `  ${input.email.toUpperCase()} ` });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: input.email,
        username: input.username,
        displayName: null,
        role: 'user',
        avatarUrl: null,
        bio: null,
        stats: { totalSessions: 0, totalProblems: 0, streakDays: 0 },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const claims = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: res.body.user.id, email: input.email, tokenType: 'access' });
    expect(claims.exp - claims.iat).toBe(900);
    // Non-production cookie: HttpOnly, SameSite=Lax, Path=/, not Secure, 7 days.
    const cookie = setCookieOf(res);
    expect(cookie).toMatch(/^refreshToken=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/(;|$)/);
    expect(cookie).toMatch(/Max-Age=604800/);
    expect(cookie).not.toMatch(/Secure/);
    const me = await h.request({ method: 'GET', url: '/users/me', token: res.body.accessToken });
    expect(me.body).toEqual(res.body.user);
  });

  it('answers 409 AUTH_EMAIL_TAKEN (checked first) and AUTH_USERNAME_TAKEN', async () => {
    const a = fresh();
    expect((await post('/auth/register', a)).status).toBe(201);
    expectError(await post('/auth/register', { ...fresh(), email: a.email.toUpperCase() }), 409, 'AUTH_EMAIL_TAKEN');
    expectError(await post('/auth/register', { ...fresh(), username: a.username }), 409, 'AUTH_USERNAME_TAKEN');
    expectError(await post('/auth/register', { ...fresh(), username: a.username, email: a.email }), 409, 'AUTH_EMAIL_TAKEN');
  });

  it('keeps usernames case-sensitive', async () => {
    const a = fresh();
    expect((await post('/auth/register', a)).status).toBe(201);
    expect((await post('/auth/register', { ...fresh(), username: a.username.toUpperCase() })).status).toBe(201);
  });

  it('validates the body: missing fields, wrong types, bad formats, oversize strings, unknown fields', async () => {
    const ok = fresh();
    expectFields(await post('/auth/register', {}), 'username');
    expectFields(await post('/auth/register', { email: ok.email, password: ok.password }), 'username');
    // Scalars are coerced by the platform's validator (42 → "42", too short here); objects never are.
    expectFields(await post('/auth/register', { ...ok, username: 42 }), 'username');
    expectFields(await post('/auth/register', { ...ok, email: { address: ok.email } }), 'email');
    expectFields(await post('/auth/register', { ...ok, password: { value: ok.password } }), 'password');
    expectFields(await post('/auth/register', { ...ok, username: 'ab' }), 'username');
    expectFields(await post('/auth/register', { ...ok, username: 'a'.repeat(31) }), 'username');
    expectFields(await post('/auth/register', { ...ok, username: 'bad name!' }), 'username');
    expectFields(await post('/auth/register', { ...ok, email: 'not-an-email' }), 'email');
    expectFields(await post('/auth/register', { ...ok, email: `${'a'.repeat(251)}@x.io` }), 'email');
    expectFields(await post('/auth/register', { ...ok, password: 'short' }), 'password');
    expectFields(await post('/auth/register', { ...ok, password: 'x'.repeat(129) }), 'password');
    expectFields(await post('/auth/register', { ...ok, role: 'admin' }), 'role');
    const res = await post('/auth/register', { ...ok, email: 'nope' });
    expect(res.body.details.fields[0]).toEqual({ field: 'email', constraint: 'format', value: 'nope' });
  });

  it('lets exactly one of 20 parallel registrations of one email through; the rest are 409, none 5xx', async () => {
    const email = `race.${tag()}@example.test`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post('/auth/register', { username: `race_${tag()}_${i}`, email, password: 'long-enough-password' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('AUTH_EMAIL_TAKEN');
    expect(statuses.filter((s) => s >= 500)).toHaveLength(0);
  });

  it('lets exactly one of 10 parallel registrations of one username through', async () => {
    const username = `same_${tag()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => post('/auth/register', { ...fresh(), username })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'AUTH_USERNAME_TAKEN')).toHaveLength(9);
  });
});

describe('POST /auth/login', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(h);
  });

  it('signs in by email (any case, trimmed) or exact username', async () => {
    for (const identifier of [user.email, ` ${user.email.toUpperCase()} `, user.username]) {
      const res = await post('/auth/login', { identifier, password: user.password });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accessToken: expect.any(String), user: { id: user.id, email: user.email, username: user.username } });
      expect(cookieFrom(res.headers['set-cookie'])).toMatch(/^refreshToken=.+/);
    }
  });

  it('answers 401 AUTH_INVALID_CREDENTIALS for a wrong password, an unknown account or a wrong-case username', async () => {
    expectError(await post('/auth/login', { identifier: user.email, password: 'wrong-password' }), 401, 'AUTH_INVALID_CREDENTIALS');
    expectError(await post('/auth/login', { identifier: 'nobody@example.test', password: user.password }), 401, 'AUTH_INVALID_CREDENTIALS');
    expectError(await post('/auth/login', { identifier: 'nobody_here', password: user.password }), 401, 'AUTH_INVALID_CREDENTIALS');
    expectError(await post('/auth/login', { identifier: user.username.toUpperCase(), password: user.password }), 401, 'AUTH_INVALID_CREDENTIALS');
  });

  it('answers 403 USER_BANNED for a banned account with the right password (401 with a wrong one)', async () => {
    const admin = await registerUser(h);
    await makeAdmin(h, admin.id);
    const banned = await registerUser(h);
    expect((await h.request({ method: 'PATCH', url: `/admin/users/${banned.id}/ban`, token: admin.accessToken, body: {} })).status).toBe(200);
    expectError(await post('/auth/login', { identifier: banned.email, password: banned.password }), 403, 'USER_BANNED');
    expectError(await post('/auth/login', { identifier: banned.email, password: 'wrong-password' }), 401, 'AUTH_INVALID_CREDENTIALS');
    // And its refresh token died with the ban.
    expectError(await post('/auth/refresh', undefined, banned.refreshCookie), 403, 'USER_BANNED');
  });

  it('signs in whoever holds a username or email now, after it was handed on to another account', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h, { password: 'b-has-its-own-password' });
    const oldName = a.username;
    expect((await post('/auth/login', { identifier: oldName, password: a.password })).status).toBe(200);
    const renamed = `moved_${oldName.slice(2)}`;
    expect((await h.request({ method: 'PATCH', url: '/users/me', token: a.accessToken, body: { username: renamed } })).status).toBe(200);
    expectError(await post('/auth/login', { identifier: oldName, password: a.password }), 401, 'AUTH_INVALID_CREDENTIALS');
    expect((await h.request({ method: 'PATCH', url: '/users/me', token: b.accessToken, body: { username: oldName } })).status).toBe(200);
    expectError(await post('/auth/login', { identifier: oldName, password: a.password }), 401, 'AUTH_INVALID_CREDENTIALS');
    expect((await post('/auth/login', { identifier: oldName, password: b.password })).body.user.id).toBe(b.id);
    expect((await post('/auth/login', { identifier: renamed, password: a.password })).body.user.id).toBe(a.id);

    // A deleted account's email, signed in with before, goes to the account registered with it afterwards.
    expect((await post('/auth/login', { identifier: a.email, password: a.password })).status).toBe(200);
    expect((await h.request({ method: 'DELETE', url: '/users/me', token: a.accessToken })).status).toBe(204);
    const again = await post('/auth/register', { username: `again_${tag()}`, email: a.email, password: 'another-long-password' });
    expect(again.status).toBe(201);
    expectError(await post('/auth/login', { identifier: a.email, password: a.password }), 401, 'AUTH_INVALID_CREDENTIALS');
    expect((await post('/auth/login', { identifier: a.email, password: 'another-long-password' })).body.user.id).toBe(again.body.user.id);
  });

  it('validates the body', async () => {
    expectFields(await post('/auth/login', {}), 'identifier');
    expectFields(await post('/auth/login', { identifier: '', password: 'x' }), 'identifier');
    expectFields(await post('/auth/login', { identifier: user.email }), 'password');
    expectFields(await post('/auth/login', { identifier: user.email, password: { secret: 1 } }), 'password');
    expectFields(await post('/auth/login', { identifier: [1, 2], password: 'x' }), 'identifier');
    expectFields(await post('/auth/login', { identifier: user.email, password: 'x', remember: true }), 'remember');
    expectFields(await post('/auth/login', { identifier: 'x'.repeat(256), password: 'x' }), 'identifier');
  });
});

describe('POST /auth/refresh and /auth/logout', () => {
  it('rotates: a new access token and a new cookie; the old refresh token is spent', async () => {
    const user = await registerUser(h);
    const res = await post('/auth/refresh', undefined, user.refreshCookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String) });
    const next = cookieFrom(res.headers['set-cookie'])!;
    expect(next).not.toBe(user.refreshCookie);
    expect((await h.request({ method: 'GET', url: '/users/me', token: res.body.accessToken })).status).toBe(200);
    expect((await post('/auth/refresh', undefined, next)).status).toBe(200);
  });

  it('detects reuse: presenting a rotated token revokes the whole family (the newest token dies too)', async () => {
    const user = await registerUser(h);
    const first = await post('/auth/refresh', undefined, user.refreshCookie);
    const second = cookieFrom(first.headers['set-cookie'])!;
    const reuse = await post('/auth/refresh', undefined, user.refreshCookie);
    expectError(reuse, 401, 'AUTH_TOKEN_REVOKED');
    expect(setCookieOf(reuse)).toMatch(/refreshToken=;.*Max-Age=0/);
    expectError(await post('/auth/refresh', undefined, second), 401, 'AUTH_TOKEN_REVOKED');
    // Other sessions of the user are not affected.
    const login = await post('/auth/login', { identifier: user.email, password: user.password });
    expect((await post('/auth/refresh', undefined, cookieFrom(login.headers['set-cookie']))).status).toBe(200);
  });

  it('answers 401 without a cookie, with a tampered, expired, alg-none or access token', async () => {
    const user = await registerUser(h);
    expectError(await post('/auth/refresh'), 401, 'UNAUTHORIZED');
    const jwt = decodeURIComponent(user.refreshCookie.slice('refreshToken='.length));
    const [hd, p, s] = jwt.split('.') as [string, string, string];
    expectError(await post('/auth/refresh', undefined, `refreshToken=${hd}.${p}.${s.slice(0, -3)}abc`), 401, 'UNAUTHORIZED');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expectError(await post('/auth/refresh', undefined, `refreshToken=${none}`), 401, 'UNAUTHORIZED');
    const expired = signToken({ ...claims, iat: undefined, exp: undefined }, jwtKeys(h.config, 'refresh'), 60, Date.now() - 3600_000);
    expectError(await post('/auth/refresh', undefined, `refreshToken=${expired}`), 401, 'AUTH_TOKEN_EXPIRED');
    expectError(await post('/auth/refresh', undefined, `refreshToken=${user.accessToken}`), 401, 'UNAUTHORIZED');
    // None of that spent the real token.
    expect((await post('/auth/refresh', undefined, user.refreshCookie)).status).toBe(200);
  });

  it('logout: 204, cookie cleared (Max-Age=0), then the token no longer refreshes', async () => {
    const user = await registerUser(h);
    const res = await post('/auth/logout', undefined, user.refreshCookie);
    expect(res.status).toBe(204);
    expect(setCookieOf(res)).toMatch(/refreshToken=;.*Max-Age=0/);
    expectError(await post('/auth/refresh', undefined, user.refreshCookie), 401, 'AUTH_TOKEN_REVOKED');
    expectError(await post('/auth/logout', undefined, user.refreshCookie), 401, 'AUTH_TOKEN_REVOKED');
    expectError(await post('/auth/logout'), 401, 'UNAUTHORIZED');
  });

  it('answers 401 for the refresh token of a deleted account', async () => {
    const user = await registerUser(h);
    expect((await h.request({ method: 'DELETE', url: '/users/me', token: user.accessToken })).status).toBe(204);
    expectError(await post('/auth/refresh', undefined, user.refreshCookie), 401, 'UNAUTHORIZED');
  });
});

describe('POST /auth/change-password', () => {
  it('changes the password, keeps the caller signed in and kills every other session', async () => {
    const user = await registerUser(h);
    const other = await post('/auth/login', { identifier: user.email, password: user.password });
    const otherCookie = cookieFrom(other.headers['set-cookie'])!;
    const res = await post('/auth/change-password', { currentPassword: user.password, newPassword: 'brand-new-password' }, undefined, user.accessToken);
    expect(res.status).toBe(204);
    expectError(await post('/auth/refresh', undefined, otherCookie), 401, 'AUTH_TOKEN_REVOKED');
    expect((await post('/auth/refresh', undefined, user.refreshCookie)).status).toBe(200);
    expectError(await post('/auth/login', { identifier: user.email, password: user.password }), 401, 'AUTH_INVALID_CREDENTIALS');
    expect((await post('/auth/login', { identifier: user.email, password: 'brand-new-password' })).status).toBe(200);
  });

  it('answers 401 AUTH_INVALID_CREDENTIALS for a wrong current password, 401 without a token, 400 for a short new one', async () => {
    const user = await registerUser(h);
    expectError(await post('/auth/change-password', { currentPassword: 'wrong-one', newPassword: 'brand-new-password' }, undefined, user.accessToken), 401, 'AUTH_INVALID_CREDENTIALS');
    expectError(await post('/auth/change-password', { currentPassword: user.password, newPassword: 'brand-new-password' }), 401, 'UNAUTHORIZED');
    expectFields(await post('/auth/change-password', { currentPassword: user.password, newPassword: 'short' }, undefined, user.accessToken), 'newPassword');
    expectFields(await post('/auth/change-password', { currentPassword: user.password }, undefined, user.accessToken), 'newPassword');
  });
});

describe('forgot / reset password', () => {
  async function mailedToken(email: string, count = 1): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const mails = await outboxFor(h.ctx.db, email);
      if (mails.length >= count) return /Reset token: ([A-Za-z0-9_-]+)/.exec(mails[0]!.body)![1]!;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no reset mail');
  }

  it('answers 202 whether or not the account exists, and mails a single-use token to real accounts', async () => {
    const user = await registerUser(h);
    const unknown = await post('/auth/forgot-password', { email: `ghost.${tag()}@example.test` });
    const known = await post('/auth/forgot-password', { email: user.email.toUpperCase() });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const token = await mailedToken(user.email);
    const mail = (await outboxFor(h.ctx.db, user.email))[0]!;
    expect(mail).toMatchObject({ kind: 'password_reset', subject: expect.stringContaining('Reset') });
    expect(mail.body).toContain(`/reset-password?token=${token}`);

    expect((await post('/auth/reset-password', { token, newPassword: 'reset-new-password' })).status).toBe(204);
    expect((await post('/auth/login', { identifier: user.email, password: 'reset-new-password' })).status).toBe(200);
    expectError(await post('/auth/login', { identifier: user.email, password: DEFAULT_PASSWORD }), 401, 'AUTH_INVALID_CREDENTIALS');
    // Single use; and the reset revoked the sessions that existed before it.
    expectFields(await post('/auth/reset-password', { token, newPassword: 'another-password' }), 'token');
    expectError(await post('/auth/refresh', undefined, user.refreshCookie), 401, 'AUTH_TOKEN_REVOKED');
  });

  it('refuses expired, unknown and malformed tokens with 400 VALIDATION_FAILED', async () => {
    const short = await createHarness({ env: { PASSWORD_RESET_TTL_SECONDS: '1', RATE_LIMIT_AUTH_PER_MIN: '1000' } });
    try {
      const user = await registerUser(short);
      await short.request({ method: 'POST', url: '/auth/forgot-password', body: { email: user.email } });
      let token: string | undefined;
      for (let i = 0; i < 100 && !token; i++) {
        const mails = await outboxFor(short.ctx.db, user.email);
        token = mails[0] ? /Reset token: ([A-Za-z0-9_-]+)/.exec(mails[0].body)![1] : undefined;
        if (!token) await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await short.request({ method: 'POST', url: '/auth/reset-password', body: { token, newPassword: 'reset-new-password' } });
      expect(expired.status).toBe(400);
      expect(expired.body.code).toBe('VALIDATION_FAILED');
    } finally {
      await short.close();
    }
    expectFields(await post('/auth/reset-password', { token: 'garbage', newPassword: 'reset-new-password' }), 'token');
    expectFields(await post('/auth/reset-password', { token: 'A'.repeat(64), newPassword: 'reset-new-password' }), 'token');
    expectFields(await post('/auth/reset-password', { token: 'A'.repeat(64), newPassword: 'short' }), 'newPassword');
    expectFields(await post('/auth/forgot-password', { email: 'nope' }), 'email');
    expectFields(await post('/auth/forgot-password', {}), 'email');
  });
});

describe('production cookie', () => {
  it('is HttpOnly; Secure; SameSite=Strict; Path=/auth; Max-Age=604800', async () => {
    const secret = (n: string) => `${n}-${'s'.repeat(40)}`;
    const prod = await createHarness({
      env: {
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: secret('a'),
        JWT_REFRESH_SECRET: secret('r'),
        COLLAB_JWT_SECRET: secret('c'),
        INTERNAL_CALLBACK_SECRET: secret('i'),
        STORAGE_SIGNING_SECRET: secret('st'),
      },
    });
    try {
      const t = tag();
      const res = await prod.request({ method: 'POST', url: '/auth/register', body: { username: `p_${t}`, email: `p.${t}@example.test`, password: 'long-enough-password' } });
      expect(res.status).toBe(201);
      const cookie = setCookieOf(res);
      for (const part of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/auth', 'Max-Age=604800']) expect(cookie).toContain(part);
      const out = await prod.request({ method: 'POST', url: '/auth/logout', headers: { cookie: cookieFrom(res.headers['set-cookie'])! } });
      expect(out.status).toBe(204);
      expect(setCookieOf(out)).toMatch(/Max-Age=0/);
      expect(setCookieOf(out)).toMatch(/Path=\/auth/);
    } finally {
      await prod.close();
    }
  });
});
