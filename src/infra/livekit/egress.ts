/**
 * LiveKit Egress behind the media circuit breaker. Any failure to reach the server (refused, reset, a 5xx from it)
 * answers 503 MEDIA_SERVICE_UNAVAILABLE; an open breaker answers the same code without trying; a call slower than
 * the timeout answers 504 MEDIA_SERVICE_TIMEOUT. The LiveKit SDK is loaded by the first recording started or stopped.
 */
import type { EgressClient } from 'livekit-server-sdk';
import { createBreaker, type Guarded } from '../breaker.js';
import { isServiceError, ServiceUnavailableError } from '../errors.js';
import type { EgressPort } from './port.js';

export interface LiveKitEgressOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  timeoutMs?: number;
  resetMs?: number;
  /**
   * Where the egress service uploads the file: the deployment's S3 bucket (the object key is the `filepath`), so
   * the recording lands in the object storage the API signs download URLs for. Without it the file stays on the
   * egress service's own disk under `filepath`.
   */
  s3?: { endpoint: string; bucket: string; region: string; accessKey: string; secret: string; forcePathStyle: boolean };
}

export const MEDIA_CIRCUIT = 'livekit-egress';

export function unavailable(cause?: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('MEDIA', 'Media service unavailable', {
    circuit: MEDIA_CIRCUIT,
    ...(cause instanceof Error ? { reason: cause.name } : {}),
  });
}

/** Runs `fn` through the breaker; errors that are not already answers become 503 MEDIA_SERVICE_UNAVAILABLE. */
export function mediaGuard(options: { timeoutMs?: number; resetMs?: number } = {}): Guarded {
  const guard = createBreaker('MEDIA', MEDIA_CIRCUIT, { timeoutMs: options.timeoutMs ?? 10_000, resetMs: options.resetMs ?? 10_000 });
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await guard(fn);
    } catch (err) {
      if (isServiceError(err)) throw err;
      throw unavailable(err);
    }
  };
}

/** The http(s) address of the server's API, from a ws(s) or http(s) LIVEKIT_URL. */
export function apiHost(url: string): string {
  return url.replace(/^ws(s?):\/\//i, 'http$1://');
}

export function createLiveKitEgress(options: LiveKitEgressOptions): EgressPort {
  let sdk: Promise<{ client: EgressClient; sdk: typeof import('livekit-server-sdk') }> | undefined;
  const load = () =>
    (sdk ??= import('livekit-server-sdk').then((m) => ({ sdk: m, client: new m.EgressClient(apiHost(options.url), options.apiKey, options.apiSecret) })));
  const guarded = mediaGuard(options);
  return {
    async startRoomRecording(roomName, filepath) {
      const { sdk: lk, client } = await load();
      const output = new lk.EncodedFileOutput({
        fileType: lk.EncodedFileType.MP4,
        filepath,
        ...(options.s3 ? { output: { case: 's3' as const, value: new lk.S3Upload(options.s3) } } : {}),
      });
      const info = await guarded(() => client.startRoomCompositeEgress(roomName, output, { layout: 'speaker' }));
      return { egressId: info.egressId };
    },
    async stopRecording(egressId) {
      const { client } = await load();
      await guarded(() => client.stopEgress(egressId));
    },
  };
}
