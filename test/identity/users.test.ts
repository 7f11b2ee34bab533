import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { findUserSummaries, resolveAvatarUrl } from '../../src/projections/users/queries.js';
import { createHarness, type Harness, type TestResponse } from '../support/harness.js';
import { registerUser, type TestUser } from '../support/users.js';

let h: Harness;
const storageDir = `/tmp/syncode-test-storage-${randomUUID()}`;

beforeAll(async () => {
  h = await createHarness({ env: { RATE_LIMIT_AUTH_PER_MIN: '10000', RATE_LIMIT_GLOBAL_PER_MIN: '10000', STORAGE_DIR: storageDir } });
});
afterAll(async () => {
  await h.close();
  await rm(storageDir, { recursive: true, force: true });
});

function expectError(res: TestResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, code, message: expect.any(String), timestamp: expect.any(String) });
}
function expectFields(res: TestResponse, ...fields: string[]) {
  expectError(res, 400, 'VALIDATION_FAILED');
  const got = (res.body.details.fields as Array<{ field: string }>).map((f) => f.field);
  for (const f of fields) expect(got).toContain(f);
}

const get = (url: string, token?: string, headers?: Record<string, string>) => h.request({ method: 'GET', url, ...(token ? { token } : {}), ...(headers ? { headers } : {}) });
const patch = (url: string, token: string, body: unknown, headers?: Record<string, string>) => h.request({ method: 'PATCH', url, token, body, ...(headers ? { headers } : {}) });

describe('GET /users/me', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(h);
  });

  it('returns the UserProfile with a weak ETag from the stream revision', async () => {
    const res = await get('/users/me', user.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.id,
      email: user.email,
      username: user.username,
      displayName: null,
      role: 'user',
      avatarUrl: null,
      bio: null,
      stats: { totalSessions: 0, totalProblems: 0, streakDays: 0 },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.headers['etag']).toBe('W/"0"');
  });

  it('answers 304 to a matching If-None-Match (weak or strong form, or in a list), 200 otherwise', async () => {
    const etag = (await get('/users/me', user.accessToken)).headers['etag'] as string;
    for (const inm of [etag, etag.replace('W/', ''), `"x", ${etag}`]) {
      const res = await get('/users/me', user.accessToken, { 'if-none-match': inm });
      expect(res.status).toBe(304);
      expect(res.raw.body).toBe('');
      expect(res.headers['etag']).toBe(etag);
    }
    expect((await get('/users/me', user.accessToken, { 'if-none-match': 'W/"999"' })).status).toBe(200);
  });

  it('requires a token', async () => {
    expectError(await get('/users/me'), 401, 'UNAUTHORIZED');
  });
});

describe('PATCH /users/me', () => {
  it('updates the profile, stores blank displayName/bio as null, and moves the ETag', async () => {
    const user = await registerUser(h);
    const res = await patch('/users/me', user.accessToken, { displayName: '  Ada Lovelace ', bio: 'Counts things' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, displayName: 'Ada Lovelace', bio: 'Counts things' });
    expect(res.headers['etag']).toBe('W/"1"');
    expect((await get('/users/me', user.accessToken)).body).toEqual(res.body);
    const blank = await patch('/users/me', user.accessToken, { displayName: '   ', bio: '' });
    expect(blank.body).toMatchObject({ displayName: null, bio: null });
    const nulls = await patch('/users/me', user.accessToken, { displayName: 'X', bio: null });
    expect(nulls.body).toMatchObject({ displayName: 'X', bio: null });
  });

  it('honours If-Match: the current tag (weak or strong) passes, a stale one is 412 PRECONDITION_FAILED', async () => {
    const user = await registerUser(h);
    const etag = (await get('/users/me', user.accessToken)).headers['etag'] as string;
    const ok = await patch('/users/me', user.accessToken, { bio: 'one' }, { 'if-match': etag });
    expect(ok.status).toBe(200);
    expectError(await patch('/users/me', user.accessToken, { bio: 'two' }, { 'if-match': etag }), 412, 'PRECONDITION_FAILED');
    const strong = (ok.headers['etag'] as string).replace('W/', '');
    expect((await patch('/users/me', user.accessToken, { bio: 'two' }, { 'if-match': strong })).status).toBe(200);
    expectError(await patch('/users/me', user.accessToken, { bio: 'three' }, { 'if-match': 'garbage' }), 412, 'PRECONDITION_FAILED');
    expect((await patch('/users/me', user.accessToken, { bio: 'three' }, { 'if-match': '*' })).status).toBe(200);
    expect((await get('/users/me', user.accessToken)).body.bio).toBe('three');
  });

  it('changes the username: the old one becomes free, a taken one is 409 USER_USERNAME_TAKEN', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    const newName = `renamed_${a.username.slice(2)}`;
    expectError(await patch('/users/me', a.accessToken, { username: b.username }), 409, 'USER_USERNAME_TAKEN');
    const res = await patch('/users/me', a.accessToken, { username: newName });
    expect(res.status).toBe(200);
    expect(res.body.username).toBe(newName);
    // Sign in with the new name; the old name is free for someone else.
    const login = await h.request({ method: 'POST', url: '/auth/login', body: { identifier: newName, password: a.password } });
    expect(login.status).toBe(200);
    expect((await patch('/users/me', b.accessToken, { username: a.username })).status).toBe(200);
    // Keeping one's own name is not a conflict.
    expect((await patch('/users/me', a.accessToken, { username: newName })).status).toBe(200);
  });

  it('gives a claimed username back when the update is refused (412)', async () => {
    const a = await registerUser(h);
    const wanted = `want_${a.username.slice(2)}`;
    expectError(await patch('/users/me', a.accessToken, { username: wanted }, { 'if-match': 'W/"42"' }), 412, 'PRECONDITION_FAILED');
    const b = await registerUser(h);
    expect((await patch('/users/me', b.accessToken, { username: wanted })).status).toBe(200);
  });

  it('validates: bad username, oversize strings, wrong types, unknown fields', async () => {
    const user = await registerUser(h);
    expectFields(await patch('/users/me', user.accessToken, { username: 'no spaces allowed' }), 'username');
    expectFields(await patch('/users/me', user.accessToken, { username: 'ab' }), 'username');
    expectFields(await patch('/users/me', user.accessToken, { displayName: 'x'.repeat(101) }), 'displayName');
    expectFields(await patch('/users/me', user.accessToken, { bio: 'x'.repeat(501) }), 'bio');
    expectFields(await patch('/users/me', user.accessToken, { bio: { text: 'x' } }), 'bio');
    expectFields(await patch('/users/me', user.accessToken, { email: 'new@x.io' }), 'email');
    expectFields(await patch('/users/me', user.accessToken, { role: 'admin' }), 'role');
  });
});

describe('DELETE /users/me', () => {
  it('soft-deletes: 204, the token stops working, the email and username become reusable', async () => {
    const user = await registerUser(h);
    const res = await h.request({ method: 'DELETE', url: '/users/me', token: user.accessToken });
    expect(res.status).toBe(204);
    expectError(await get('/users/me', user.accessToken), 401, 'UNAUTHORIZED');
    const again = await h.request({ method: 'POST', url: '/auth/register', body: { username: user.username, email: user.email, password: 'another-password' } });
    expect(again.status).toBe(201);
    expect(again.body.user.id).not.toBe(user.id);
    const login = await h.request({ method: 'POST', url: '/auth/login', body: { identifier: user.email, password: user.password } });
    expectError(login, 401, 'AUTH_INVALID_CREDENTIALS');
  });

  it('requires a token', async () => {
    expectError(await h.request({ method: 'DELETE', url: '/users/me' }), 401, 'UNAUTHORIZED');
  });
});

describe('GET /users/:id', () => {
  it('returns public fields only', async () => {
    const viewer = await registerUser(h);
    const target = await registerUser(h);
    await patch('/users/me', target.accessToken, { displayName: 'Target', bio: 'Hello' });
    const res = await get(`/users/${target.id}`, viewer.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: target.id, username: target.username, displayName: 'Target', avatarUrl: null, bio: 'Hello', createdAt: expect.any(String) });
  });

  it('answers 404 USER_NOT_FOUND for unknown and deleted users, 400 for a malformed id, 401 without a token', async () => {
    const viewer = await registerUser(h);
    expectError(await get(`/users/${randomUUID()}`, viewer.accessToken), 404, 'USER_NOT_FOUND');
    const gone = await registerUser(h);
    await h.request({ method: 'DELETE', url: '/users/me', token: gone.accessToken });
    expectError(await get(`/users/${gone.id}`, viewer.accessToken), 404, 'USER_NOT_FOUND');
    expectFields(await get('/users/not-a-uuid', viewer.accessToken), 'id');
    expectError(await get(`/users/${viewer.id}`), 401, 'UNAUTHORIZED');
  });
});

describe('avatar', () => {
  const pathOf = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };
  // A tiny RIFF/WEBP header is enough: the storage does not inspect images.
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16, 7)]);

  it('upload URL → PUT → confirm → signed avatarUrl that serves the bytes → delete', async () => {
    const user = await registerUser(h);
    const up = await h.request({ method: 'POST', url: '/users/me/avatar/upload-url', token: user.accessToken });
    expect(up.status).toBe(201);
    expect(up.body).toEqual({ uploadUrl: expect.stringContaining('/storage/avatars/'), key: `avatars/${user.id}.webp` });

    expectError(await h.request({ method: 'POST', url: '/users/me/avatar/confirm', token: user.accessToken }), 404, 'NOT_FOUND');

    // The signature binds the content type and the method.
    const wrongType = await h.app.inject({ method: 'PUT', url: pathOf(up.body.uploadUrl), payload: webp, headers: { 'content-type': 'image/png' } });
    expect(wrongType.statusCode).toBe(403);
    const put = await h.app.inject({ method: 'PUT', url: pathOf(up.body.uploadUrl), payload: webp, headers: { 'content-type': 'image/webp' } });
    expect(put.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: pathOf(up.body.uploadUrl) })).statusCode).toBe(403);

    const confirmed = await h.request({ method: 'POST', url: '/users/me/avatar/confirm', token: user.accessToken });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.avatarUrl).toEqual(expect.stringContaining(`/storage/avatars/${user.id}.webp?`));
    const image = await h.app.inject({ method: 'GET', url: pathOf(confirmed.body.avatarUrl) });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.rawPayload.equals(webp)).toBe(true);
    const other = await registerUser(h);
    expect((await get(`/users/${user.id}`, other.accessToken)).body.avatarUrl).toEqual(expect.stringContaining('/storage/avatars/'));

    // Tampered signature or key.
    const tampered = pathOf(confirmed.body.avatarUrl).replace(/sig=([^&]+)/, 'sig=AAAA');
    expect((await h.app.inject({ method: 'GET', url: tampered })).statusCode).toBe(403);
    const foreign = pathOf(confirmed.body.avatarUrl).replace(user.id, other.id);
    expect((await h.app.inject({ method: 'GET', url: foreign })).statusCode).toBe(403);

    expect((await h.request({ method: 'DELETE', url: '/users/me/avatar', token: user.accessToken })).status).toBe(204);
    expect((await get('/users/me', user.accessToken)).body.avatarUrl).toBeNull();
    expect((await h.app.inject({ method: 'GET', url: pathOf(confirmed.body.avatarUrl) })).statusCode).toBe(404);
    // Deleting again is fine.
    expect((await h.request({ method: 'DELETE', url: '/users/me/avatar', token: user.accessToken })).status).toBe(204);
  });

  it('requires a token', async () => {
    expectError(await h.request({ method: 'POST', url: '/users/me/avatar/upload-url' }), 401, 'UNAUTHORIZED');
    expectError(await h.request({ method: 'POST', url: '/users/me/avatar/confirm' }), 401, 'UNAUTHORIZED');
    expectError(await h.request({ method: 'DELETE', url: '/users/me/avatar' }), 401, 'UNAUTHORIZED');
  });
});

describe('quotas and stats', () => {
  it('GET /users/me/quotas reports usage, limits of 100 and the next UTC midnight', async () => {
    const user = await registerUser(h);
    const res = await get('/users/me/quotas', user.accessToken);
    expect(res.status).toBe(200);
    const now = new Date();
    const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
    expect(res.body).toEqual({
      ai: { used: 0, limit: 100, resetsAt: midnight },
      execution: { used: 0, limit: 100, resetsAt: midnight },
      rooms: { activeCount: 0, maxActive: 100 },
    });
    expectError(await get('/users/me/quotas'), 401, 'UNAUTHORIZED');
  });

  it('GET /users/me/stats returns a zero-filled series per day or week', async () => {
    const user = await registerUser(h);
    const days = await get('/users/me/stats?from=2030-01-01T00:00:00.000Z&to=2030-01-03T12:00:00.000Z', user.accessToken);
    expect(days.status).toBe(200);
    expect(days.body.series.map((b: { bucketStart: string }) => b.bucketStart)).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2030-01-02T00:00:00.000Z',
      '2030-01-03T00:00:00.000Z',
    ]);
    expect(days.body.series[0]).toEqual({ bucketStart: '2030-01-01T00:00:00.000Z', sessions: 0, avgScore: null, submissions: 0, solved: 0 });
    const weeks = await get('/users/me/stats?from=2030-01-01T00:00:00.000Z&to=2030-01-20T00:00:00.000Z&bucket=week', user.accessToken);
    // 2030-01-01 is a Tuesday: weeks start on the Mondays 12-31, 01-07, 01-14.
    expect(weeks.body.series.map((b: { bucketStart: string }) => b.bucketStart)).toEqual([
      '2029-12-31T00:00:00.000Z',
      '2030-01-07T00:00:00.000Z',
      '2030-01-14T00:00:00.000Z',
    ]);
    expect((await get('/users/me/stats', user.accessToken)).body.series).toHaveLength(30);
  });

  it('GET /users/me/stats validates its query', async () => {
    const user = await registerUser(h);
    expectFields(await get('/users/me/stats?bucket=month', user.accessToken), 'bucket');
    expectFields(await get('/users/me/stats?from=yesterday', user.accessToken), 'from');
    expectFields(await get('/users/me/stats?from=2030-02-01T00:00:00Z&to=2030-01-01T00:00:00Z', user.accessToken), 'from');
    expectFields(await get('/users/me/stats?from=2000-01-01T00:00:00Z&to=2030-01-01T00:00:00Z', user.accessToken), 'from');
    expectFields(await get('/users/me/stats?foo=1', user.accessToken), 'foo');
    expectError(await get('/users/me/stats'), 401, 'UNAUTHORIZED');
  });
});

describe('queries other modules use', () => {
  it('findUserSummaries maps ids to {id, username, displayName, avatarKey}; unknown and malformed ids are absent', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    await patch('/users/me', b.accessToken, { displayName: 'Bee' });
    const map = await findUserSummaries(h.ctx.db, [a.id, b.id, a.id, randomUUID(), 'not-a-uuid']);
    expect([...map.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(map.get(b.id)).toEqual({ id: b.id, username: b.username, displayName: 'Bee', avatarKey: null });
    expect((await findUserSummaries(h.ctx.db, [])).size).toBe(0);
  });

  it('resolveAvatarUrl signs stored keys and passes URLs through', async () => {
    expect(await resolveAvatarUrl(h.ctx, null)).toBeNull();
    expect(await resolveAvatarUrl(h.ctx, 'https://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(await resolveAvatarUrl(h.ctx, 'avatars/x.webp')).toMatch(/\/storage\/avatars\/x\.webp\?exp=\d+&sig=/);
  });
});
