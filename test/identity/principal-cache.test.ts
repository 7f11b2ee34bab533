/**
 * The caller's row is cached between requests (src/projections/read-cache.ts); a ban, a role change or a deletion
 * must still take effect at once: in the process that served it before its answer, and in any other API process
 * as soon as it hears the users projection's progress — well before the cache's age limit.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildApp } from '../../src/http/app.js';
import { routeModules } from '../../src/http/modules.js';
import type { App } from '../../src/http/types.js';
import { PRINCIPAL_CACHE_MAX_AGE_MS } from '../../src/commands/identity/authenticate.js';
import type { AppContext } from '../../src/composition/context.js';
import { closeContext, createContext } from '../../src/composition/create-context.js';
import { wire } from '../../src/composition/wiring.js';
import { createHarness, type Harness } from '../support/harness.js';
import { until } from '../support/until.js';
import { registerAdmin, registerUser, type TestUser } from '../support/users.js';

let h: Harness;
let admin: TestUser;
/** A second API on the same schema, like another process: its own context, no projections of its own. */
let other: { ctx: AppContext; app: App };

beforeAll(async () => {
  h = await createHarness();
  admin = await registerAdmin(h);
  const ctx = await createContext(h.config, { logger: h.ctx.logger });
  await wire(ctx);
  other = { ctx, app: await buildApp(ctx, routeModules) };
});
afterAll(async () => {
  await other.app.close();
  await closeContext(other.ctx);
  await h.close();
});

const me = (app: App, token: string) => app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${token}` } });

describe('cached principal', () => {
  it('a ban takes effect at once where it was made, even for a caller read a moment before', async () => {
    const bob = await registerUser(h);
    expect((await h.request({ method: 'GET', url: '/users/me', token: bob.accessToken })).status).toBe(200);
    expect((await h.request({ method: 'PATCH', url: `/admin/users/${bob.id}/ban`, token: admin.accessToken, body: {} })).status).toBe(200);
    const res = await h.request({ method: 'GET', url: '/users/me/quotas', token: bob.accessToken });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'USER_BANNED' });
  });

  it('another API process drops its cached caller when it hears the projection, well within the age limit', async () => {
    const carol = await registerUser(h);
    for (let i = 0; i < 3; i++) expect((await me(other.app, carol.accessToken)).statusCode).toBe(200);
    const banned = Date.now();
    expect((await h.request({ method: 'PATCH', url: `/admin/users/${carol.id}/ban`, token: admin.accessToken, body: {} })).status).toBe(200);
    await until('the other process refuses the banned caller', async () => (await me(other.app, carol.accessToken)).statusCode === 403, PRINCIPAL_CACHE_MAX_AGE_MS / 2, { everyMs: 20 });
    expect(Date.now() - banned).toBeLessThan(PRINCIPAL_CACHE_MAX_AGE_MS / 2);

    expect((await h.request({ method: 'PATCH', url: `/admin/users/${carol.id}/unban`, token: admin.accessToken })).status).toBe(200);
    await until('the other process lets the caller back', async () => (await me(other.app, carol.accessToken)).statusCode === 200, PRINCIPAL_CACHE_MAX_AGE_MS / 2, { everyMs: 20 });
  });

  it('a role change is seen by the next request', async () => {
    const dave = await registerUser(h);
    expect((await h.request({ method: 'GET', url: '/admin/users', token: dave.accessToken })).status).toBe(403);
    expect((await h.request({ method: 'PATCH', url: `/admin/users/${dave.id}`, token: admin.accessToken, body: { role: 'admin' } })).status).toBe(200);
    expect((await h.request({ method: 'GET', url: '/admin/users', token: dave.accessToken })).status).toBe(200);
  });
});
