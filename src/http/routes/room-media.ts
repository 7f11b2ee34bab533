/**
 * SPEC §4.6: media inside a room — the LiveKit token, recording consent and start / stop (SEED, PROPOSED), and
 * signed upload URLs for chat attachments and whiteboard assets.
 */
import { Type } from '@sinclair/typebox';
import { recordConsent, startRecording, stopRecording } from '../../commands/media/recording.js';
import { issueMediaToken } from '../../commands/media/token.js';
import { chatMediaUploadUrl, WHITEBOARD_ASSET_TYPES, whiteboardAssetUploadUrl } from '../../commands/media/uploads.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import type { RouteModule } from '../app.js';
import { requestMetadata } from '../command.js';
import { principalOf } from '../plugins/auth.js';

const Params = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });

const MediaToken = Type.Object({ token: Type.String(), url: Type.String(), expiresAt: Type.String() });
const RecordingStarted = Type.Object({ recordingId: Type.String(), startedAt: Type.String() });
const RecordingStopped = Type.Object({ recordingId: Type.String(), stoppedAt: Type.String() });
const ChatUpload = Type.Object({
  key: Type.String(),
  uploadUrl: Type.String(),
  downloadUrl: Type.String(),
  fileName: Type.String(),
  contentType: Type.String(),
  sizeBytes: Type.Integer(),
});
const WhiteboardUpload = Type.Object({ uploadUrl: Type.String(), downloadUrl: Type.String(), key: Type.String() });

export const roomMediaRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/rooms/:id/media/token',
    {
      schema: { tags: ['media'], summary: 'Get a media (LiveKit) token for this room', params: Params, response: { 200: MediaToken } },
    },
    async (request) => {
      const principal = principalOf(request);
      const { token, url, expiresAt } = await issueMediaToken(ctx, request.params.id, principal.userId);
      return { token, url, expiresAt: expiresAt.toISOString() };
    },
  );

  app.post(
    '/rooms/:id/media/consent',
    {
      schema: {
        tags: ['media'],
        summary: "Record the caller's recording consent",
        params: Params,
        body: Type.Object({ consent: Type.Boolean() }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await recordConsent(ctx, requestMetadata(request), request.params.id, principal.userId, request.body.consent);
      return reply.code(204).send();
    },
  );

  app.post(
    '/rooms/:id/media/recording/start',
    { schema: { tags: ['media'], summary: 'Start recording the session', params: Params, response: { 200: RecordingStarted } } },
    async (request) => {
      const principal = principalOf(request);
      const r = await startRecording(ctx, requestMetadata(request), request.params.id, principal.userId);
      return { recordingId: r.recordingId, startedAt: r.startedAt.toISOString() };
    },
  );

  app.post(
    '/rooms/:id/media/recording/stop',
    { schema: { tags: ['media'], summary: 'Stop recording the session', params: Params, response: { 200: RecordingStopped } } },
    async (request) => {
      const principal = principalOf(request);
      const r = await stopRecording(ctx, requestMetadata(request), request.params.id, principal.userId);
      return { recordingId: r.recordingId, stoppedAt: r.stoppedAt.toISOString() };
    },
  );

  app.post(
    '/rooms/:id/chat/media/upload-url',
    {
      schema: {
        tags: ['media'],
        summary: 'Get a signed upload URL for a chat attachment',
        params: Params,
        body: Type.Object(
          {
            fileName: Type.String({ minLength: 1, maxLength: 255 }),
            contentType: Type.String({ minLength: 1, maxLength: 255 }),
            sizeBytes: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ChatUpload },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const upload = await chatMediaUploadUrl(ctx, request.params.id, principal.userId, request.body);
      return reply.code(201).send(upload);
    },
  );

  app.post(
    '/rooms/:id/whiteboard/assets/upload-url',
    {
      schema: {
        tags: ['media'],
        summary: 'Get a signed upload URL for a whiteboard asset',
        params: Params,
        body: Type.Object(
          {
            filename: Type.String({ minLength: 1, maxLength: 255 }),
            contentType: Type.Union(WHITEBOARD_ASSET_TYPES.map((t) => Type.Literal(t))),
            // No schema maximum: anything over the per-type limit (25 MiB images, 100 MiB videos) answers 413.
            contentLength: Type.Integer({ minimum: 1 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: WhiteboardUpload },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const upload = await whiteboardAssetUploadUrl(ctx, request.params.id, principal.userId, request.body);
      return reply.code(201).send(upload);
    },
  );
};
