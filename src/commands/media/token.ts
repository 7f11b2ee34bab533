/** POST /rooms/:id/media/token: a LiveKit token for the room, signed locally. */
import { canSignTokens, clientUrl, mediaUnavailable, signMediaToken } from '../../infra/livekit/index.js';
import type { Ports } from '../ports.js';
import { authorizeMedia, mediaRoomFinished } from './access.js';

export const MEDIA_CAPABILITIES = ['media:audio', 'media:video', 'media:screenshare'] as const;

export async function issueMediaToken(ctx: Pick<Ports, 'config' | 'db'>, roomId: string, userId: string): Promise<{ token: string; url: string; expiresAt: Date }> {
  // Any of media:*, "so observers need host" — the host may join the call from any seat.
  await authorizeMedia(ctx.db, roomId, userId, MEDIA_CAPABILITIES, { finished: mediaRoomFinished, hostAlways: true });
  if (!canSignTokens(ctx.config)) throw mediaUnavailable();
  const { token, expiresAt } = await signMediaToken({
    apiKey: ctx.config.LIVEKIT_API_KEY,
    apiSecret: ctx.config.LIVEKIT_API_SECRET,
    roomName: roomId,
    identity: userId,
  });
  return { token, url: clientUrl(ctx.config), expiresAt };
}
