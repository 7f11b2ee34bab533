/**
 * The collab token: a room-scoped HS256 JWT the control plane hands out with room detail / join and the collab
 * plane verifies on every WebSocket connection. Claims: `{sub: userId, roomId, role, isHost, type: 'collab'}`.
 */
import { DEFAULT_ISSUER, JwtError, keySetOf, signToken, verifyToken, type JwtKeySet } from '../infra/jwt/keyring.js';

/** A bare secret means the default issuer and the collab audience (`syncode:collab`). */
export type CollabKeys = string | JwtKeySet;
const collabKeys = (keys: CollabKeys) => keySetOf(keys, `${DEFAULT_ISSUER}:collab`);

export const COLLAB_ROLES = ['interviewer', 'candidate', 'observer'] as const;
export type CollabRole = (typeof COLLAB_ROLES)[number];

export const COLLAB_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export interface CollabTokenInput {
  userId: string;
  roomId: string;
  role: CollabRole;
  isHost: boolean;
}

export interface CollabTokenClaims {
  sub: string;
  roomId: string;
  role: CollabRole;
  isHost: boolean;
  type: 'collab';
  iat: number;
  exp: number;
}

/** Why a token was refused; the collab plane closes the socket with 4401 and this text as the reason. */
export class CollabTokenError extends Error {
  constructor(readonly reason: 'malformed' | 'signature' | 'expired' | 'wrong_type' | 'invalid_claims') {
    super(`Invalid collab token: ${reason}`);
  }
}

export function signCollabToken(
  input: CollabTokenInput,
  keys: CollabKeys,
  options: { ttlSeconds?: number; nowMs?: number } = {},
): string {
  return signToken(
    { sub: input.userId, roomId: input.roomId, role: input.role, isHost: input.isHost, type: 'collab' },
    collabKeys(keys),
    options.ttlSeconds ?? COLLAB_TOKEN_TTL_SECONDS,
    options.nowMs ?? Date.now(),
  );
}

export function verifyCollabToken(token: string, keys: CollabKeys, nowMs = Date.now()): CollabTokenClaims {
  let claims: Record<string, unknown>;
  try {
    claims = verifyToken(token, collabKeys(keys), nowMs);
  } catch (err) {
    if (err instanceof JwtError) {
      if (err.reason === 'expired' || err.reason === 'not_yet_valid') throw new CollabTokenError('expired');
      if (err.reason === 'malformed') throw new CollabTokenError('malformed');
      if (err.reason === 'claims') throw new CollabTokenError('wrong_type');
      throw new CollabTokenError('signature');
    }
    throw err;
  }
  if (claims.type !== 'collab') throw new CollabTokenError('wrong_type');
  const { sub, roomId, role, isHost } = claims;
  if (typeof sub !== 'string' || sub.length === 0) throw new CollabTokenError('invalid_claims');
  if (typeof roomId !== 'string' || roomId.length === 0) throw new CollabTokenError('invalid_claims');
  if (typeof role !== 'string' || !(COLLAB_ROLES as readonly string[]).includes(role)) {
    throw new CollabTokenError('invalid_claims');
  }
  if (isHost !== undefined && typeof isHost !== 'boolean') throw new CollabTokenError('invalid_claims');
  return {
    sub,
    roomId,
    role: role as CollabRole,
    isHost: isHost === true,
    type: 'collab',
    iat: claims.iat as number,
    exp: claims.exp as number,
  };
}
