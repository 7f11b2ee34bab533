/**
 * POST /rooms/:id/ai/interview/transcribe: speech to text for the AI interviewer, synchronous,
 * through an OpenAI-compatible `/audio/transcriptions` when one is configured (else 503 AI_SERVICE_UNAVAILABLE).
 * Same room checks as the interviewer; 10 per 5 minutes per user and room, failed attempts refunded.
 */
import { Type } from '@sinclair/typebox';
import { authorizeAiRequest } from '../../commands/ai/access.js';
import { ServiceUnavailableError } from '../../infra/errors.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import type { AppContext } from '../../composition/context.js';
import { validationError } from '../errors.js';
import { enforceLimit, principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';

const MIME = '^(?:[Aa][Uu][Dd][Ii][Oo])/(?:webm|ogg|mpeg|mp4|wav|WEBM|OGG|MPEG|MP4|WAV)(?:;.*)?$';

/** The audio bytes of a base64 body (an optional `data:*;base64,` prefix), or 400. */
export function decodeAudio(audioBase64: string): Buffer {
  const payload = audioBase64.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  const invalid = () => validationError([{ field: 'audioBase64', constraint: 'base64', value: null }], 'audioBase64 is not base64 audio');
  if (!/^[A-Za-z0-9+/]+=*$/.test(payload)) throw invalid();
  const audio = Buffer.from(payload, 'base64');
  if (audio.length === 0) throw invalid();
  return audio;
}

export function aiTranscriptionRoute(app: App, ctx: AppContext): void {
  app.post(
    '/rooms/:id/ai/interview/transcribe',
    {
      bodyLimit: ctx.config.TRANSCRIBE_BODY_LIMIT_BYTES,
      schema: {
        tags: ['ai'],
        summary: 'Transcribe speech for the AI interviewer',
        params: Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) }),
        body: Type.Object(
          {
            audioBase64: Type.String({ minLength: 1, maxLength: 4_000_000 }),
            mimeType: Type.String({ pattern: MIME, maxLength: 100 }),
            language: Type.Optional(Type.String({ minLength: 2, maxLength: 20, pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ text: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const access = await authorizeAiRequest(ctx.db, request.params.id, userId, { interviewer: true });
      const audio = decodeAudio(request.body.audioBase64);
      const key = `${userId}:${access.access.room.id}`;
      await enforceLimit(ctx, reply, 'ai-transcription', key, ctx.config.RATE_LIMIT_AI_TRANSCRIPTIONS_PER_5MIN, 300, 'AI_TRANSCRIPTION_RATE_LIMIT');
      const language = request.body.language ? request.body.language.split(/[-_]/)[0]!.toLowerCase() : null;
      try {
        const text = (await ctx.ai.transcriber.transcribe(audio, request.body.mimeType.toLowerCase(), language)).replace(/\s+/g, ' ').trim().slice(0, 2000);
        if (!text) throw new ServiceUnavailableError('AI', 'No speech was recognised', { retryAfter: 1 });
        return { text };
      } catch (err) {
        if (ctx.config.RATE_LIMIT_ENABLED) await ctx.rateLimiter.refund('ai-transcription', key).catch(() => undefined);
        throw err;
      }
    },
  );
}
