/**
 * JSON Web Tokens through `@fastify/jwt` (and the `fast-jwt` engine under it), HS256 only.
 *
 * A token kind (access, refresh, collab) has a key set: a list of secrets, newest first. The newest signs and puts
 * its key id (`kid`, a short hash of the secret) in the header; every secret of the list verifies, so a secret can
 * be rotated by prepending the new one and dropping the old one once the longest-lived token signed with it has
 * expired. Every token carries `iss` and `aud` and both are checked; `aud` names the kind (`<audience>:access`), so
 * a token of one kind never passes as another even when secrets are shared. A small clock tolerance absorbs skew
 * between the API, collab and worker hosts.
 *
 * The plugin decorates headless fastify instances (no server), one per key, issuer, audience (and lifetime, for
 * signing), each holding the plugin's prepared signer or verifier: building one (key object, claim validators)
 * costs more than the HMAC itself, and the access token is verified on every request. Time claims are checked
 * here against the caller's clock rather than baked into the cached verifier.
 *
 * A client sends the same access token with every request of its lifetime, so each verifier also remembers the
 * tokens it has accepted (exact token text → claims, a bounded map): a token seen before skips the decoding and
 * the HMAC, which depend only on the token and the verifier's secret, issuer and audience. Expiry and not-before
 * are still checked on every call, and a token is only ever found under the verifier that accepted it.
 */
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import fastifyJwt, { type FastifyJWTOptions, type JWT } from '@fastify/jwt';
import type { Config } from '../../config.js';

export type JwtFailure = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not_yet_valid' | 'claims';

export class JwtError extends Error {
  constructor(readonly reason: JwtFailure) {
    super(`Invalid token: ${reason}`);
  }
}

export interface JwtKeySet {
  /** Newest first; the first signs, all verify. */
  secrets: readonly string[];
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

export type TokenKind = 'access' | 'refresh' | 'collab';

export const DEFAULT_ISSUER = 'syncode';
const DEFAULT_TOLERANCE_SECONDS = 5;

/** A headless instance with the plugin applied; it decorates synchronously, so no top-level await is needed. */
function engineWith(options: FastifyJWTOptions): JWT {
  const engine = Fastify({ logger: false });
  fastifyJwt(engine, options, (err) => {
    if (err) throw err;
  });
  return engine.jwt;
}

/** Prepared signers and verifiers by key and claims; key sets come from the configuration, so this stays small. */
const engines = new Map<string, JWT>();
const keyIds = new Map<string, string>();

function cachedEngine(cacheKey: string, options: () => FastifyJWTOptions): JWT {
  let engine = engines.get(cacheKey);
  if (!engine) {
    engine = engineWith(options());
    engines.set(cacheKey, engine);
  }
  return engine;
}

export function keyId(secret: string): string {
  let id = keyIds.get(secret);
  if (id === undefined) {
    id = createHash('sha256').update(secret).digest('base64url').slice(0, 12);
    keyIds.set(secret, id);
  }
  return id;
}

/** A plain secret stands for a one-key set with the default issuer and the given audience. */
export function keySetOf(keys: string | JwtKeySet, audience = `${DEFAULT_ISSUER}:access`): JwtKeySet {
  if (typeof keys !== 'string') return keys;
  return { secrets: [keys], issuer: DEFAULT_ISSUER, audience, clockToleranceSeconds: DEFAULT_TOLERANCE_SECONDS };
}

/** Comma-separated list of older secrets, blanks dropped. */
export function parseSecretList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const SECRET_OF: Record<TokenKind, (c: Config) => [string, string]> = {
  access: (c) => [c.AUTH_JWT_SECRET, c.AUTH_JWT_PREVIOUS_SECRETS],
  refresh: (c) => [c.JWT_REFRESH_SECRET, c.JWT_REFRESH_PREVIOUS_SECRETS],
  collab: (c) => [c.COLLAB_JWT_SECRET, c.COLLAB_JWT_PREVIOUS_SECRETS],
};

/** The key set of one token kind from the configuration. */
export function jwtKeys(config: Config, kind: TokenKind): JwtKeySet {
  const [current, previous] = SECRET_OF[kind](config);
  return {
    secrets: [current, ...parseSecretList(previous)],
    issuer: config.JWT_ISSUER,
    audience: `${config.JWT_AUDIENCE}:${kind}`,
    clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
  };
}

/** Signs `claims` with the newest secret; `iat`, `exp`, `iss`, `aud` and `kid` are set here. */
export function signToken(claims: Record<string, unknown>, keys: string | JwtKeySet, ttlSeconds: number, nowMs = Date.now()): string {
  const set = keySetOf(keys);
  const secret = set.secrets[0];
  if (!secret) throw new Error('JWT key set has no secret');
  const { iat: _iat, exp: _exp, iss: _iss, aud: _aud, ...payload } = claims;
  const signer = cachedEngine(`sign\0${secret}\0${set.issuer}\0${set.audience}\0${ttlSeconds}`, () => ({
    secret,
    // @fastify/jwt reads a number as seconds; `exp` is counted from the `iat` passed in the payload
    sign: { algorithm: 'HS256', kid: keyId(secret), iss: set.issuer, aud: set.audience, expiresIn: ttlSeconds },
  }));
  return signer.sign({ ...payload, iat: Math.floor(nowMs / 1000) });
}

function failureOf(err: unknown): JwtFailure {
  const code = (err as { code?: string }).code ?? '';
  if (code.endsWith('_EXPIRED')) return 'expired';
  if (code.endsWith('_INACTIVE')) return 'not_yet_valid';
  if (code.endsWith('_INVALID_ALGORITHM')) return 'algorithm';
  if (code.endsWith('_INVALID_SIGNATURE') || code.endsWith('_MISSING_SIGNATURE')) return 'signature';
  if (code.endsWith('_INVALID_CLAIM_VALUE') || code.endsWith('_MISSING_REQUIRED_CLAIM') || code.endsWith('_INVALID_CLAIM_TYPE')) return 'claims';
  return 'malformed';
}

/**
 * The header alone (the algorithm and key id pick the verifier): the payload is decoded once, by the verifier. A
 * header that is not a JSON object is malformed; everything else about the token is the verifier's to check.
 */
function headerOf(token: string): { alg?: unknown; kid?: unknown } {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new JwtError('malformed');
  return header as { alg?: unknown; kid?: unknown };
}

/** Accepted tokens each verifier remembers; the oldest are forgotten first. */
const VERIFIED_TOKENS_PER_KEY = 4096;

interface Verifier {
  jwt: JWT;
  /** Token text → the claims it verified to (frozen: every caller shares them). */
  verified: Map<string, Readonly<Record<string, unknown>>>;
}

const verifiers = new Map<string, Verifier>();

function verifierFor(secret: string, set: JwtKeySet): Verifier {
  const cacheKey = `verify\0${secret}\0${set.issuer}\0${set.audience}`;
  let verifier = verifiers.get(cacheKey);
  if (!verifier) {
    const jwt = cachedEngine(cacheKey, () => ({
      secret,
      verify: { algorithms: ['HS256'], allowedIss: set.issuer, allowedAud: set.audience, requiredClaims: ['exp', 'iss', 'aud'], ignoreExpiration: true, ignoreNotBefore: true },
    }));
    verifier = { jwt, verified: new Map() };
    verifiers.set(cacheKey, verifier);
  }
  return verifier;
}

function remember(verifier: Verifier, token: string, claims: Readonly<Record<string, unknown>>): void {
  verifier.verified.set(token, claims);
  if (verifier.verified.size > VERIFIED_TOKENS_PER_KEY) verifier.verified.delete(verifier.verified.keys().next().value!);
}

/**
 * Verifies signature, algorithm (HS256 only: `none`, RS*, ES* are refused before any key is tried), expiry, issuer
 * and audience. The secret named by `kid` is tried; a token without a known `kid` is tried against every secret.
 * The claims returned are frozen.
 */
export function verifyToken<T extends Record<string, unknown> = Record<string, unknown>>(
  token: string,
  keys: string | JwtKeySet,
  nowMs = Date.now(),
): T {
  const set = keySetOf(keys);
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new JwtError('malformed');
  const header = headerOf(token);
  if (header.alg !== 'HS256') throw new JwtError('algorithm');
  const named = set.secrets.filter((s) => keyId(s) === header.kid);
  const candidates = named.length > 0 ? named : set.secrets;
  let failure: JwtFailure = 'signature';
  for (const secret of candidates) {
    const verifier = verifierFor(secret, set);
    let claims = verifier.verified.get(token);
    if (!claims) {
      try {
        claims = Object.freeze(verifier.jwt.verify<Record<string, unknown>>(token));
      } catch (err) {
        failure = failureOf(err);
        // Another secret can only help when this one's signature did not match.
        if (failure !== 'signature') break;
        continue;
      }
      remember(verifier, token, claims);
    }
    checkTimes(claims, nowMs, set.clockToleranceSeconds * 1000);
    return claims as T;
  }
  throw new JwtError(failure);
}

/** `exp` (required) and `nbf` (when present) against `nowMs`, with the key set's tolerance either way. */
function checkTimes(claims: Record<string, unknown>, nowMs: number, toleranceMs: number): void {
  const { exp, nbf } = claims;
  if (typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) throw new JwtError('claims');
  if (nowMs > exp * 1000 + toleranceMs) throw new JwtError('expired');
  if (typeof nbf === 'number' && nowMs < nbf * 1000 - toleranceMs) throw new JwtError('not_yet_valid');
}
