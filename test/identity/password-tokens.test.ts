import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createRefreshSessions, signAccessToken, signRefreshToken, verifyAccessToken, verifyRefreshToken } from '../../src/commands/identity/tokens.js';
import { makeResetToken, resetTokenUser } from '../../src/commands/identity/auth.js';
import { loadConfig } from '../../src/config.js';
import { dummyHash, hashPassword, verifyPassword } from '../../src/infra/password.js';
import { answered, thrownBy } from '../support/answered.js';
import { TEST_REDIS_URL } from '../support/env.js';

describe('passwords', () => {
  it('hashes with scrypt as saltHex:keyHex (16-byte salt, 64-byte key) and verifies', async () => {
    const hash = await hashPassword('hunter2hunter2');
    expect(hash).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(await verifyPassword('hunter2hunter2', hash)).toBe(true);
    expect(await verifyPassword('hunter2hunter3', hash)).toBe(false);
    expect(await hashPassword('hunter2hunter2')).not.toBe(hash);
  });

  it('answers false (after a full scrypt) for unknown accounts and malformed hashes', async () => {
    expect(await dummyHash()).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(await verifyPassword('anything', undefined)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('anything', 'abcd:1234')).toBe(false);
  });
});

describe('tokens', () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const user = { id: randomUUID(), email: 'a@x.io' };

  it('signs access tokens with {sub, email, tokenType: access} and verifies them', () => {
    const token = signAccessToken(config, user, 'sid-1');
    expect(verifyAccessToken(config, token)).toMatchObject({ sub: user.id, email: user.email, tokenType: 'access', sid: 'sid-1' });
    expect(() => verifyAccessToken({ ...config, AUTH_JWT_SECRET: 'y'.repeat(40) }, token)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it('keeps the two token kinds apart', () => {
    const refresh = signRefreshToken(config, user, { sid: 's', jti: 'j' });
    expect(answered(thrownBy(() => verifyAccessToken(config, refresh)))).toMatchObject({ status: 401 });
    expect(verifyRefreshToken(config, refresh)).toMatchObject({ tokenType: 'refresh', jti: 'j', sid: 's' });
    const access = signAccessToken(config, user, 's');
    expect(answered(thrownBy(() => verifyRefreshToken(config, access)))).toMatchObject({ status: 401 });
  });

  it('reports an expired refresh token as AUTH_TOKEN_EXPIRED', () => {
    const old = signRefreshToken(config, user, { sid: 's', jti: 'j' }, Date.now() - 8 * 86400_000);
    expect(answered(thrownBy(() => verifyRefreshToken(config, old)))).toMatchObject({ code: 'AUTH_TOKEN_EXPIRED', status: 401 });
  });

  it('round-trips the user id through an opaque reset token', () => {
    const token = makeResetToken(user.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(resetTokenUser(token)).toBe(user.id);
    expect(resetTokenUser('short')).toBeUndefined();
  });
});

describe('refresh sessions (Redis)', () => {
  let redis: Redis;
  const prefix = `test:sessions:${randomUUID()}`;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('rotates once per token and treats a second use as reuse that kills the session', async () => {
    const s = createRefreshSessions(redis, prefix, 60);
    const userId = randomUUID();
    const { sid, jti } = await s.start(userId);
    const first = await s.rotate(userId, sid, jti);
    expect(first.status).toBe('rotated');
    const next = (first as { jti: string }).jti;
    expect((await s.rotate(userId, sid, jti)).status).toBe('reused');
    expect((await s.rotate(userId, sid, next)).status).toBe('revoked');
    expect(await s.list(userId)).toEqual([]);
  });

  it('refuses a session id presented for another user', async () => {
    const s = createRefreshSessions(redis, prefix, 60);
    const { sid, jti } = await s.start(randomUUID());
    expect((await s.rotate(randomUUID(), sid, jti)).status).toBe('revoked');
  });

  it('revokes all sessions but one', async () => {
    const s = createRefreshSessions(redis, prefix, 60);
    const userId = randomUUID();
    const a = await s.start(userId);
    const b = await s.start(userId);
    const c = await s.start(userId);
    expect(await s.revokeAll(userId, b.sid)).toBe(2);
    expect(await s.list(userId)).toEqual([b.sid]);
    expect((await s.rotate(userId, a.sid, a.jti)).status).toBe('revoked');
    expect((await s.rotate(userId, c.sid, c.jti)).status).toBe('revoked');
    expect((await s.end(userId, b.sid, b.jti)).status).toBe('ended');
  });

  it('still revokes a session kept alive by refreshing after its sign-in would have expired', async () => {
    const s = createRefreshSessions(redis, prefix, 2);
    const userId = randomUUID();
    const a = await s.start(userId);
    await new Promise((r) => setTimeout(r, 1200));
    const next = await s.rotate(userId, a.sid, a.jti);
    expect(next.status).toBe('rotated');
    await new Promise((r) => setTimeout(r, 1200)); // the sign-in's lifetime is over, the refreshed one is not
    expect(await s.revokeAll(userId)).toBe(1);
    expect((await s.rotate(userId, a.sid, (next as { jti: string }).jti)).status).toBe('revoked');
  });

  it('counts only live sessions, however often the user signed in', async () => {
    const s = createRefreshSessions(redis, prefix, 2);
    const userId = randomUUID();
    const started: string[] = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1200)); // each sign-in within the lifetime of the one before
      started.push((await s.start(userId)).sid);
    }
    // The first two have expired by now.
    expect((await s.list(userId)).sort()).toEqual(started.slice(2).sort());
    expect(await s.revokeAll(userId)).toBe(2);
  });
});
