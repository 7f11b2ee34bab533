import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHarness, type Harness } from '../support/harness.js';
import { registerUser, type TestUser } from '../support/users.js';

let h: Harness;
let user: TestUser;

beforeAll(async () => {
  h = await createHarness();
  user = await registerUser(h);
});
afterAll(() => h.close());

const login = (ip: string, password = user.password) =>
  h.app.inject({ method: 'POST', url: '/auth/login', payload: { identifier: user.email, password }, remoteAddress: ip });

describe('auth rate limit (5/min per IP on register and login)', () => {
  it('answers the 6th login from one IP within a minute with 429 RATE_LIMIT_EXCEEDED and Retry-After', async () => {
    const ip = '192.0.2.10';
    for (let i = 1; i <= 5; i++) {
      const res = await login(ip, i % 2 ? user.password : 'wrong-password');
      expect(res.statusCode).toBe(i % 2 ? 200 : 401);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    }
    const sixth = await login(ip);
    expect(sixth.statusCode).toBe(429);
    expect(JSON.parse(sixth.body)).toMatchObject({ statusCode: 429, code: 'RATE_LIMIT_EXCEEDED' });
    const retry = Number(sixth.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // Registration shares the budget; another IP is not affected.
    const reg = await h.app.inject({ method: 'POST', url: '/auth/register', payload: { username: 'rl_other', email: 'rl.other@example.test', password: 'long-enough-password' }, remoteAddress: ip });
    expect(reg.statusCode).toBe(429);
    expect((await login('192.0.2.11')).statusCode).toBe(200);
  });

  it('does not count refresh and logout against the auth limit (they use the global one)', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/auth/refresh', headers: { cookie: user.refreshCookie }, remoteAddress: '192.0.2.20' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe(String(h.config.RATE_LIMIT_GLOBAL_PER_MIN));
  });
});
