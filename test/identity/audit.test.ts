import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { anonymiseDeletedUsers, purgeAuditLogs, runRetention } from '../../src/commands/identity/retention.js';
import { settle } from '../../src/http/command.js';
import { encodeCursor } from '../../src/http/pagination.js';
import { auditLogProjection } from '../../src/projections/audit-log/projection.js';
import { usersProjection } from '../../src/projections/users/projection.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { createHarness, type Harness, type TestResponse } from '../support/harness.js';
import { registerAdmin, registerUser, type TestUser } from '../support/users.js';

let h: Harness;
let admin: TestUser;

beforeAll(async () => {
  // Behind a trusted proxy: the client IP comes from X-Forwarded-For.
  h = await createHarness({ env: { RATE_LIMIT_AUTH_PER_MIN: '10000', RATE_LIMIT_GLOBAL_PER_MIN: '10000', TRUSTED_PROXIES: '127.0.0.1' } });
  admin = await registerAdmin(h);
});
afterAll(() => h.close());

function expectError(res: TestResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, code });
}
const logs = async (query: string, token = admin.accessToken) => {
  const res = await h.request({ method: 'GET', url: `/admin/audit-logs${query ? `?${query}` : ''}`, token });
  expect(res.status).toBe(200);
  return res.body.data as any[];
};
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe('audit trail', () => {
  it('records register → login → ban → unban with actor, client IP, trace id and target', async () => {
    const t = randomUUID().slice(0, 8);
    const body = { username: `aud_${t}`, email: `aud.${t}@example.test`, password: 'long-enough-password' };
    const reg = await h.request({ method: 'POST', url: '/auth/register', body, headers: from('198.51.100.10') });
    expect(reg.status).toBe(201);
    const userId = reg.body.user.id as string;
    const login = await h.request({ method: 'POST', url: '/auth/login', body: { identifier: body.username, password: body.password }, headers: from('198.51.100.11') });
    expect(login.status).toBe(200);
    const ban = await h.request({ method: 'PATCH', url: `/admin/users/${userId}/ban`, token: admin.accessToken, body: { reason: 'spam' }, headers: { ...from('203.0.113.7'), 'x-trace-id': `trace-ban-${t}` } });
    expect(ban.status).toBe(200);
    const unban = await h.request({ method: 'PATCH', url: `/admin/users/${userId}/unban`, token: admin.accessToken, headers: from('203.0.113.8') });
    expect(unban.status).toBe(200);

    const entries = await logs(`targetId=${userId}`);
    expect(entries.map((e) => e.action)).toEqual(['admin.user.unban', 'admin.user.ban', 'auth.login', 'auth.register']);
    const [un, bn, li, rg] = entries;
    const adminActor = { id: admin.id, username: admin.username, email: admin.email, displayName: null };
    const userActor = { id: userId, username: body.username, email: body.email, displayName: null };
    expect(rg).toEqual({
      id: expect.any(String),
      actorId: userId,
      actor: userActor,
      action: 'auth.register',
      targetType: 'user',
      targetId: userId,
      metadata: { email: body.email, username: body.username },
      ipAddress: '198.51.100.10',
      traceId: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(li).toMatchObject({ actorId: userId, actor: userActor, ipAddress: '198.51.100.11', metadata: { identifierType: 'username' } });
    expect(bn).toMatchObject({ actorId: admin.id, actor: adminActor, ipAddress: '203.0.113.7', traceId: `trace-ban-${t}`, metadata: { reason: 'spam' } });
    expect(un).toMatchObject({ actorId: admin.id, actor: adminActor, ipAddress: '203.0.113.8', metadata: null });

    // Logout and role changes are audited too (the ban revoked the first session: sign in again).
    const again = await h.request({ method: 'POST', url: '/auth/login', body: { identifier: body.email, password: body.password } });
    const cookie = (again.headers['set-cookie'] as string).split(';')[0]!;
    expect((await h.request({ method: 'POST', url: '/auth/logout', headers: { cookie } })).status).toBe(204);
    expect((await h.request({ method: 'PATCH', url: `/admin/users/${userId}`, token: admin.accessToken, body: { role: 'admin' } })).status).toBe(200);
    const later = await logs(`targetId=${userId}&limit=2`);
    expect(later.map((e) => e.action)).toEqual(['admin.user.role_change', 'auth.logout']);
    expect(later[1]).toMatchObject({ actorId: userId, metadata: { tokenId: expect.any(String), sessionId: expect.any(String) } });
    expect(later[0]).toMatchObject({ actorId: admin.id, metadata: { from: 'user', to: 'admin' } });
  });

  it('filters by partial action, date range, actorId, targetId and search; pages with a cursor', async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    await h.request({ method: 'PATCH', url: `/admin/users/${a.id}/ban`, token: admin.accessToken, body: {} });
    await h.request({ method: 'PATCH', url: `/admin/users/${b.id}/ban`, token: admin.accessToken, body: {} });

    const bans = await logs('action=USER.BAN&limit=100');
    expect(bans.every((e) => e.action.includes('user.ban'))).toBe(true);
    expect(bans.map((e) => e.targetId)).toEqual(expect.arrayContaining([a.id, b.id]));

    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    expect(await logs(`action=user.ban&from=${future}`)).toEqual([]);
    expect((await logs(`action=user.ban&from=${past}&to=${future}&limit=100`)).length).toBe(bans.length);

    const byActor = await logs(`actorId=${a.id}`);
    expect(byActor.map((e) => e.action)).toEqual(['auth.register']);
    expect((await logs(`targetId=${b.id}`)).map((e) => e.action)).toEqual(['admin.user.ban', 'auth.register']);
    const searched = await logs(`search=${encodeURIComponent(a.username)}&limit=100`);
    expect(searched.map((e) => e.targetId)).toContain(a.id);
    expect(searched.every((e) => e.actorId === a.id || e.targetId === a.id)).toBe(true);

    // Walk every ban entry two at a time: same entries, same order, no duplicates.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const res: TestResponse = await h.request({ method: 'GET', url: `/admin/audit-logs?action=user.ban&limit=2${cursor ? `&cursor=${cursor}` : ''}`, token: admin.accessToken });
      walked.push(...res.body.data.map((e: { id: string }) => e.id));
      cursor = res.body.pagination.nextCursor;
    } while (cursor);
    expect(walked).toEqual(bans.map((e) => e.id));
  });

  it('rejects non-admins (403), malformed cursors and invalid cursor fields (400), bad filters (400)', async () => {
    const user = await registerUser(h);
    expectError(await h.request({ method: 'GET', url: '/admin/audit-logs', token: user.accessToken }), 403, 'FORBIDDEN');
    expectError(await h.request({ method: 'GET', url: '/admin/audit-logs' }), 401, 'UNAUTHORIZED');
    for (const q of [
      'cursor=%%%',
      `cursor=${Buffer.from('{"createdAt":1}').toString('base64url')}`,
      `cursor=${encodeCursor(['not-a-date', randomUUID()])}`,
      `cursor=${encodeCursor([new Date().toISOString(), 'x'])}`,
      'actorId=not-a-uuid',
      'from=yesterday',
      `from=${new Date().toISOString()}&to=${new Date(Date.now() - 1000).toISOString()}`,
      `action=${'x'.repeat(101)}`,
      `search=${'x'.repeat(101)}`,
      `targetId=${'x'.repeat(256)}`,
      'limit=1000',
      'bogus=1',
    ]) {
      const res = await h.request({ method: 'GET', url: `/admin/audit-logs?${q}`, token: admin.accessToken });
      expect([q, res.status, res.body.code]).toEqual([q, 400, 'VALIDATION_FAILED']);
      expect(res.body.details.fields.length).toBeGreaterThan(0);
    }
  });
});

describe('retention', () => {
  it('anonymises accounts 30 days after deletion (read models follow), not before', async () => {
    const user = await registerUser(h);
    await h.request({ method: 'PATCH', url: '/users/me', token: user.accessToken, body: { displayName: 'Real Name', bio: 'about me' } });
    await h.request({ method: 'DELETE', url: '/users/me', token: user.accessToken });

    const early = await anonymiseDeletedUsers(h.ctx, new Date(Date.now() + 29 * 86400_000));
    expect(early.anonymised).toBe(0);
    const due = await anonymiseDeletedUsers(h.ctx, new Date(Date.now() + 31 * 86400_000));
    expect(due.anonymised).toBeGreaterThanOrEqual(1);
    await settle(h.ctx, due.written.position, due.written.eventTypes);

    const row = await h.request({ method: 'GET', url: `/admin/users/${user.id}`, token: admin.accessToken });
    expect(row.body).toMatchObject({ displayName: null, deletedAt: expect.any(String) });
    expect(row.body.email).not.toContain(user.email.split('@')[0]);
    expect(row.body.username).not.toBe(user.username);
    // The sign-up audit entry no longer carries the email and username.
    const entries = await logs(`targetId=${user.id}&action=auth.register`);
    expect(entries[0].metadata).toEqual({});
    // Running again changes nothing.
    expect((await anonymiseDeletedUsers(h.ctx, new Date(Date.now() + 31 * 86400_000))).anonymised).toBe(0);
  });

  it('purges audit entries older than one year through an event', async () => {
    const before = await logs('limit=100');
    expect(before.length).toBeGreaterThan(0);
    const kept = await purgeAuditLogs(h.ctx, new Date());
    await settle(h.ctx, kept.position, kept.eventTypes);
    expect((await logs('limit=100')).length).toBe(before.length);
    const purged = await purgeAuditLogs(h.ctx, new Date(Date.now() + 366 * 86400_000));
    await settle(h.ctx, purged.position, purged.eventTypes);
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_logs`.execute(h.ctx.db);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('the scheduled job runs both sweeps', async () => {
    const result = await runRetention(h.ctx, new Date());
    expect(result).toEqual({ anonymised: 0, auditBefore: expect.any(String) });
  });
});

describe('projections', () => {
  it('rebuild to the same rows (users, audit-log)', async () => {
    const u = await registerUser(h);
    await h.request({ method: 'PATCH', url: '/users/me', token: u.accessToken, body: { bio: 'x' } });
    await h.request({ method: 'PATCH', url: `/admin/users/${u.id}/ban`, token: admin.accessToken, body: { reason: 'r' } });
    for (const p of [usersProjection, auditLogProjection]) {
      const result = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, p);
      expect({ projection: p.name, equal: result.equal, differences: result.differences }).toEqual({ projection: p.name, equal: true, differences: [] });
    }
  });
});
