/**
 * HS256 JSON Web Tokens with node:crypto. Only HS256 is accepted (an `alg: none` or RS/ES header is rejected before
 * any signature work), signatures are compared in constant time, and `exp`/`nbf` are checked against the given clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtClaims = Record<string, unknown> & { sub?: string; exp?: number; iat?: number; nbf?: number };

export type JwtFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not_yet_valid';

export class JwtError extends Error {
  constructor(readonly reason: JwtFailure) {
    super(`Invalid token: ${reason}`);
  }
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function sign(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

export function signJwt(claims: JwtClaims, secret: string, ttlSeconds: number, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const payload = b64url(JSON.stringify({ ...claims, iat, exp: iat + ttlSeconds }));
  const body = `${HEADER}.${payload}`;
  return `${body}.${b64url(sign(body, secret))}`;
}

export function verifyJwt<T extends JwtClaims = JwtClaims>(token: string, secret: string, nowMs = Date.now()): T {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('malformed');
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: T;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed');
  }
  if (header.alg !== 'HS256') throw new JwtError('algorithm');
  if (typeof claims !== 'object' || claims === null) throw new JwtError('malformed');
  const expected = sign(`${h}.${p}`, secret);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError('signature');
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new JwtError('expired');
  if (typeof claims.nbf === 'number' && claims.nbf > now) throw new JwtError('not_yet_valid');
  return claims;
}
