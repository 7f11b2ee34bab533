/**
 * Media access tokens, signed locally (no call to the media server): a LiveKit JWT for one room and one identity.
 * The LiveKit SDK (about 4 MB of heap with its protobuf and JOSE dependencies) is loaded by the first token.
 */

export const MEDIA_TOKEN_TTL_SECONDS = 4 * 60 * 60;

export interface MediaTokenRequest {
  apiKey: string;
  apiSecret: string;
  roomName: string;
  identity: string;
  ttlSeconds?: number;
  now?: Date;
}

export interface MediaToken {
  token: string;
  expiresAt: Date;
}

export async function signMediaToken(request: MediaTokenRequest): Promise<MediaToken> {
  const ttlSeconds = request.ttlSeconds ?? MEDIA_TOKEN_TTL_SECONDS;
  const { AccessToken } = await import('livekit-server-sdk');
  const at = new AccessToken(request.apiKey, request.apiSecret, { identity: request.identity, ttl: ttlSeconds });
  at.addGrant({ roomJoin: true, room: request.roomName, canPublish: true, canSubscribe: true, canPublishData: true });
  const token = await at.toJwt();
  // The SDK stamps `exp` from its own clock at signing time; read it back so the answer matches the token exactly.
  const exp = expiryOf(token);
  const expiresAt = exp ?? new Date((request.now ?? new Date()).getTime() + ttlSeconds * 1000);
  return { token, expiresAt };
}

function expiryOf(jwt: string): Date | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
  return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
}
