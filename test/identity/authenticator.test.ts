import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jwtKeys, signToken } from '../../src/infra/jwt/keyring.js';
import { createHarness, type Harness } from '../support/harness.js';
import { registerUser, makeAdmin, type TestUser } from '../support/users.js';

let h: Harness;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness();
  alice = await registerUser(h);
});
afterAll(() => h.close());

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

function expect401(res: { status: number; body: any }) {
  expect(res.status).toBe(401);
  expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED', message: expect.any(String), timestamp: expect.any(String) });
}

describe('authenticator', () => {
  it('accepts a fresh access token and resolves the caller', async () => {
    const res = await h.request({ method: 'GET', url: '/users/me', token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: alice.id, username: alice.username, role: 'user' });
  });

  it('rejects a missing or non-bearer token', async () => {
    expect401(await h.request({ method: 'GET', url: '/users/me' }));
    expect401(await h.request({ method: 'GET', url: '/users/me', headers: { authorization: `Basic ${alice.accessToken}` } }));
  });

  it('rejects a tampered signature or payload', async () => {
    const [hd, p, s] = alice.accessToken.split('.') as [string, string, string];
    const flipped = `${hd}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    expect401(await h.request({ method: 'GET', url: '/users/me', token: flipped }));
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${hd}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${s}`;
    expect401(await h.request({ method: 'GET', url: '/users/me', token: forged }));
    const otherSecret = signToken({ sub: alice.id, email: alice.email, tokenType: 'access' }, 'x'.repeat(48), 900);
    expect401(await h.request({ method: 'GET', url: '/users/me', token: otherSecret }));
  });

  it('rejects alg none', async () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: alice.id, email: alice.email, tokenType: 'access', exp: Math.floor(Date.now() / 1000) + 900 })}.`;
    expect401(await h.request({ method: 'GET', url: '/users/me', token: none }));
  });

  it('rejects an expired token', async () => {
    const expired = signToken({ sub: alice.id, email: alice.email, tokenType: 'access' }, jwtKeys(h.config, 'access'), 900, Date.now() - 3600_000);
    expect401(await h.request({ method: 'GET', url: '/users/me', token: expired }));
  });

  it('rejects a token of another type (a refresh token used as access token)', async () => {
    const refresh = decodeURIComponent(alice.refreshCookie.split('=')[1]!);
    expect401(await h.request({ method: 'GET', url: '/users/me', token: refresh }));
    const wrongType = signToken({ sub: alice.id, email: alice.email, tokenType: 'refresh' }, jwtKeys(h.config, 'access'), 900);
    expect401(await h.request({ method: 'GET', url: '/users/me', token: wrongType }));
    const noType = signToken({ sub: alice.id, email: alice.email }, jwtKeys(h.config, 'access'), 900);
    expect401(await h.request({ method: 'GET', url: '/users/me', token: noType }));
  });

  it('answers 403 USER_BANNED for a banned user on any authenticated call, and lets them back after unban', async () => {
    const admin = await registerUser(h);
    await makeAdmin(h, admin.id);
    const bob = await registerUser(h);
    const ban = await h.request({ method: 'PATCH', url: `/admin/users/${bob.id}/ban`, token: admin.accessToken, body: { reason: 'spam' } });
    expect(ban.status).toBe(200);
    for (const url of ['/users/me', `/users/${alice.id}`, '/users/me/quotas']) {
      const res = await h.request({ method: 'GET', url, token: bob.accessToken });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, code: 'USER_BANNED' });
    }
    const unban = await h.request({ method: 'PATCH', url: `/admin/users/${bob.id}/unban`, token: admin.accessToken });
    expect(unban.status).toBe(200);
    expect((await h.request({ method: 'GET', url: '/users/me', token: bob.accessToken })).status).toBe(200);
  });

  it('answers 401 for a deleted user', async () => {
    const carol = await registerUser(h);
    expect((await h.request({ method: 'DELETE', url: '/users/me', token: carol.accessToken })).status).toBe(204);
    expect401(await h.request({ method: 'GET', url: '/users/me', token: carol.accessToken }));
  });
});
