/**
 * LiveKit for a process: whether it is configured, the local token signer, and the egress adapter (created on first
 * use and kept on the context as `ctx.egress`, where tests may install another implementation of the port).
 */
import type { Config } from '../../config.js';
import { createLiveKitEgress } from './egress.js';
import type { EgressPort } from './port.js';

export type { EgressPort, StartedEgress } from './port.js';
export { unavailable as mediaUnavailable } from './egress.js';
export { MEDIA_TOKEN_TTL_SECONDS, signMediaToken } from './token.js';

/** Tokens can be signed: an API key and secret are set. */
export function canSignTokens(config: Config): boolean {
  return config.LIVEKIT_API_KEY !== '' && config.LIVEKIT_API_SECRET !== '';
}

/** The URL clients connect to: LIVEKIT_CLIENT_URL when set, LIVEKIT_URL otherwise. */
export function clientUrl(config: Config): string {
  return config.LIVEKIT_CLIENT_URL || config.LIVEKIT_URL;
}

/** The egress port, or undefined when LiveKit is not configured (no server URL, key or secret) and none was installed. */
/** Where a process keeps its egress adapter (the application context is one). */
export interface EgressHost {
  config: Config;
  egress?: EgressPort;
}

export function egressOf(ctx: EgressHost): EgressPort | undefined {
  if (ctx.egress) return ctx.egress;
  if (!canSignTokens(ctx.config) || ctx.config.LIVEKIT_URL === '') return undefined;
  const c = ctx.config;
  ctx.egress = createLiveKitEgress({
    url: c.LIVEKIT_URL,
    apiKey: c.LIVEKIT_API_KEY,
    apiSecret: c.LIVEKIT_API_SECRET,
    ...(c.STORAGE_DRIVER === 's3'
      ? { s3: { endpoint: c.S3_ENDPOINT, bucket: c.S3_BUCKET, region: c.S3_REGION, accessKey: c.S3_ACCESS_KEY, secret: c.S3_SECRET_KEY, forcePathStyle: c.S3_FORCE_PATH_STYLE } }
      : {}),
  });
  return ctx.egress;
}
