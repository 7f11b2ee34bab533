/**
 * Access and refresh tokens.
 *
 * Tokens are signed and verified by `src/infra/jwt/keyring.ts` (key rotation, issuer and audience checks).
 *
 * Access token: HS256 JWT (`AUTH_JWT_SECRET`), claims `{sub, email, tokenType:'access', sid}`, 15 minutes by
 * default. `sid` names the sign-in session it belongs to (used to keep the caller's own session alive when a
 * password change revokes the others).
 *
 * Refresh token: HS256 JWT (`JWT_REFRESH_SECRET`), claims `{sub, email, tokenType:'refresh', jti, sid}`. Every
 * sign-in starts a session (a token family) kept in Redis as `<prefix>:auth:session:<sid>` = {userId, current
 * jti}, with the refresh lifetime as TTL; `<prefix>:auth:user-session-index:<userId>` lists a user's sessions,
 * a sorted set scored by when each expires: a sign-in drops the expired ones, so the index holds the live sessions
 * only, however often the user signs in, and every rotation moves its session's expiry there too (a password
 * change or a ban then still finds a session kept alive by refreshing). Sessions started before the index existed
 * are listed in the set `<prefix>:auth:user-sessions:<userId>`, still read when revoking until it expires. A token
 * is valid only while it is its session's current one. Refreshing swaps `current` atomically (a Lua script), so
 * each refresh token works once; presenting one that was already rotated is reuse — someone kept a copy — and
 * deletes the session, which kills the token the legitimate holder has too.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import { DomainError } from '../../domain/shared/errors.js';
import { JwtError, jwtKeys, signToken, verifyToken } from '../../infra/jwt/keyring.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';

export interface AccessClaims {
  sub: string;
  email: string;
  tokenType: 'access';
  sid?: string;
  iat: number;
  exp: number;
}

export interface RefreshClaims {
  sub: string;
  email: string;
  tokenType: 'refresh';
  jti: string;
  sid: string;
  iat: number;
  exp: number;
}


export const unauthorized = (message = 'Invalid or expired token') => new DomainError('UNAUTHORIZED', message);
export const tokenRevoked = () => new DomainError('AUTH_TOKEN_REVOKED', 'Refresh token has been revoked');
export const sessionExpired = () => new DomainError('AUTH_TOKEN_EXPIRED', 'The session has expired; sign in again');

export function signAccessToken(config: Config, user: { id: string; email: string }, sid: string, nowMs = Date.now()): string {
  return signToken({ sub: user.id, email: user.email, tokenType: 'access', sid }, jwtKeys(config, 'access'), config.ACCESS_TOKEN_TTL_SECONDS, nowMs);
}

export function signRefreshToken(
  config: Config,
  user: { id: string; email: string },
  session: { sid: string; jti: string },
  nowMs = Date.now(),
): string {
  return signToken(
    { sub: user.id, email: user.email, tokenType: 'refresh', jti: session.jti, sid: session.sid },
    jwtKeys(config, 'refresh'),
    config.REFRESH_TOKEN_TTL_SECONDS,
    nowMs,
  );
}

/** Any failure (tampered, alg none, expired, wrong type, malformed claims) → 401 UNAUTHORIZED. */
export function verifyAccessToken(config: Config, token: string, nowMs = Date.now()): AccessClaims {
  let claims: Record<string, unknown>;
  try {
    claims = verifyToken(token, jwtKeys(config, 'access'), nowMs);
  } catch (err) {
    if (err instanceof JwtError) throw unauthorized(err.reason === 'expired' ? 'Access token expired' : 'Invalid access token');
    throw err;
  }
  if (claims['tokenType'] !== 'access' || typeof claims['sub'] !== 'string' || !UUID.test(claims['sub'])) {
    throw unauthorized('Invalid access token');
  }
  return claims as unknown as AccessClaims;
}

/** Expired → 401 AUTH_TOKEN_EXPIRED; anything else invalid → 401 UNAUTHORIZED. */
export function verifyRefreshToken(config: Config, token: string, nowMs = Date.now()): RefreshClaims {
  let claims: Record<string, unknown>;
  try {
    claims = verifyToken(token, jwtKeys(config, 'refresh'), nowMs);
  } catch (err) {
    if (err instanceof JwtError) {
      if (err.reason === 'expired') throw new DomainError('AUTH_TOKEN_EXPIRED', 'Refresh token expired');
      throw unauthorized('Invalid refresh token');
    }
    throw err;
  }
  const ok =
    claims['tokenType'] === 'refresh' &&
    typeof claims['sub'] === 'string' &&
    UUID.test(claims['sub']) &&
    typeof claims['jti'] === 'string' &&
    typeof claims['sid'] === 'string';
  if (!ok) throw unauthorized('Invalid refresh token');
  return claims as unknown as RefreshClaims;
}

export type AdvanceResult =
  | { status: 'rotated'; jti: string }
  | { status: 'ended' }
  | { status: 'reused' }
  | { status: 'revoked' }
  | { status: 'expired' };

// A session that was ended on purpose (logout, reuse, revocation) leaves a marker for the refresh lifetime; a
// session missing without one expired — or Redis lost it (restart without persistence) — and the client is told
// that its session expired (sign in again) rather than that its token was revoked.
// KEYS: session, legacy user-sessions set, ended marker, user-session index.
// ARGV: presented jti, next jti ('' = end), userId, ttl seconds, sid, expiry (epoch ms) of a rotated session.
const ADVANCE = `
local cur = redis.call('HGET', KEYS[1], 'current')
if not cur then
  if redis.call('EXISTS', KEYS[3]) == 1 then return 'revoked' end
  return 'expired'
end
if redis.call('HGET', KEYS[1], 'userId') ~= ARGV[3] then return 'revoked' end
if cur ~= ARGV[1] or ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[5])
  redis.call('ZREM', KEYS[4], ARGV[5])
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
  if cur ~= ARGV[1] then return 'reused' end
  return 'ended'
end
redis.call('HSET', KEYS[1], 'current', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
redis.call('EXPIRE', KEYS[4], ARGV[4])
return 'rotated'`;

// One round trip per sign-in. KEYS: session, user-session index.
// ARGV: userId, jti, ttl seconds, sid, index entries expired before this are dropped (epoch ms), expiry (epoch ms).
const START = `
redis.call('HSET', KEYS[1], 'userId', ARGV[1], 'current', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[3])`;

/**
 * Clocks of the API processes may differ a little: an index entry is dropped this long after its expiry (a minute,
 * a tenth of the lifetime when that is shorter).
 */
const clockSkewMs = (ttlSeconds: number) => Math.min(60_000, ttlSeconds * 100);

export interface RefreshSessions {
  /** Start a session for a fresh sign-in; returns its id and first token id. */
  start(userId: string): Promise<{ sid: string; jti: string }>;
  /** Swap the presented token for a new one (rotation), or detect reuse. */
  rotate(userId: string, sid: string, jti: string): Promise<AdvanceResult>;
  /** Logout: end the session the presented token belongs to (reuse still revokes it). */
  end(userId: string, sid: string, jti: string): Promise<AdvanceResult>;
  /** Revoke every session of a user, except `keepSid`; returns how many were revoked. */
  revokeAll(userId: string, keepSid?: string): Promise<number>;
  /** Live session ids of a user. */
  list(userId: string): Promise<string[]>;
}

export function createRefreshSessions(redis: Redis, prefix: string, ttlSeconds: number): RefreshSessions {
  const sessionKey = (sid: string) => `${prefix}:auth:session:${sid}`;
  const legacyKey = (userId: string) => `${prefix}:auth:user-sessions:${userId}`;
  const indexKey = (userId: string) => `${prefix}:auth:user-session-index:${userId}`;
  const endedKey = (sid: string) => `${prefix}:auth:session-ended:${sid}`;

  async function advance(userId: string, sid: string, jti: string, next: string): Promise<AdvanceResult> {
    const expiresAt = String(Date.now() + ttlSeconds * 1000);
    const keys = [sessionKey(sid), legacyKey(userId), endedKey(sid), indexKey(userId)];
    const status = (await redis.eval(ADVANCE, 4, ...keys, jti, next, userId, String(ttlSeconds), sid, expiresAt)) as string;
    if (status === 'rotated') return { status, jti: next };
    return { status: status as 'ended' | 'reused' | 'revoked' | 'expired' };
  }

  /** The user's sessions that may still be alive (the index's unexpired entries and the legacy set). */
  async function listed(userId: string): Promise<string[]> {
    const [legacy, indexed] = await Promise.all([
      redis.smembers(legacyKey(userId)),
      redis.zrangebyscore(indexKey(userId), Date.now() - clockSkewMs(ttlSeconds), '+inf'),
    ]);
    return [...new Set([...indexed, ...legacy])];
  }

  return {
    async start(userId) {
      const sid = randomUUID();
      const jti = randomUUID();
      const now = Date.now();
      const expiredBefore = String(now - clockSkewMs(ttlSeconds));
      const expiresAt = String(now + ttlSeconds * 1000);
      await redis.eval(START, 2, sessionKey(sid), indexKey(userId), userId, jti, String(ttlSeconds), sid, expiredBefore, expiresAt);
      return { sid, jti };
    },
    rotate: (userId, sid, jti) => advance(userId, sid, jti, randomUUID()),
    end: (userId, sid, jti) => advance(userId, sid, jti, ''),
    async revokeAll(userId, keepSid) {
      const sids = (await listed(userId)).filter((s) => s !== keepSid);
      if (sids.length === 0) return 0;
      const tx = redis
        .multi()
        .del(...sids.map(sessionKey))
        .srem(legacyKey(userId), ...sids)
        .zrem(indexKey(userId), ...sids);
      for (const sid of sids) tx.set(endedKey(sid), '1', 'EX', ttlSeconds);
      await tx.exec();
      return sids.length;
    },
    async list(userId) {
      const sids = await listed(userId);
      if (sids.length === 0) return [];
      const alive = await Promise.all(sids.map((s) => redis.exists(sessionKey(s))));
      return sids.filter((_, i) => alive[i] === 1);
    },
  };
}
