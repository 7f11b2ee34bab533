/**
 * Media inside a room — the LiveKit token, recording consent and start / stop, and
 * signed upload URLs for chat attachments and whiteboard assets — and the session media: the
 * recording download URL and the whiteboard export (captured at the finish, or on demand by the host).
 */
import { Type } from '@sinclair/typebox';
import { recordConsent, startRecording, stopRecording } from '../../commands/media/recording.js';
import { issueMediaToken } from '../../commands/media/token.js';
import { exportWhiteboardByHost, whiteboardNotFound, WHITEBOARD_URL_TTL_SECONDS } from '../../commands/media/whiteboard.js';
import { DomainError } from '../../domain/shared/errors.js';
import { storageOf } from '../../infra/storage/index.js';
import { listSessionRecordings } from '../../projections/recordings/queries.js';
import { findWhiteboardExport } from '../../projections/whiteboard/queries.js';
import { chatMediaUploadUrl, WHITEBOARD_ASSET_TYPES, whiteboardAssetUploadUrl } from '../../commands/media/uploads.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import type { RouteModule } from '../app.js';
import { requestMetadata } from '../command.js';
import { principalOf } from '../plugins/auth.js';
import { readableSession, SessionIdParams } from './sessions.js';

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
const WhiteboardExport = Type.Object({ url: Type.String(), capturedAt: Type.String({ format: 'date-time' }) });
const RecordingDownload = Type.Object({
  url: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  format: Type.Union([Type.String(), Type.Null()]),
});

/** How long a recording download URL stays valid. */
const RECORDING_URL_TTL_SECONDS = 60 * 60;

export const roomMediaRoutes: RouteModule = (app, ctx) => {
  callMediaRoutes(app, ctx);
  uploadUrlRoutes(app, ctx);
  sessionMediaRoutes(app, ctx);
};

/** The room's call: a media token, the caller's recording consent, starting and stopping the recording. */
const callMediaRoutes: RouteModule = (app, ctx) => {
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
};

/** Signed upload URLs for a chat attachment and a whiteboard asset. */
const uploadUrlRoutes: RouteModule = (app, ctx) => {
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

/** The whiteboard export (host, on demand) and the session's whiteboard and recording downloads. */
const sessionMediaRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/rooms/:id/whiteboard/export',
    {
      schema: {
        tags: ['media'],
        summary: "Capture the whiteboard of the room's session now (host); the SVG goes to object storage",
        params: Params,
        response: { 201: Type.Composite([WhiteboardExport, Type.Object({ shapeCount: Type.Integer() })]) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const r = await exportWhiteboardByHost(ctx, request.params.id, principal.userId, requestMetadata(request));
      return reply.code(201).send({ url: r.url, capturedAt: r.capturedAt.toISOString(), shapeCount: r.shapeCount });
    },
  );

  app.get(
    '/sessions/:id/whiteboard',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Download URL of the whiteboard export (SVG) of a session',
        params: SessionIdParams,
        response: { 200: WhiteboardExport },
      },
    },
    async (request) => {
      const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      const found = await findWhiteboardExport(ctx.db, session.id);
      if (!found) throw whiteboardNotFound();
      return { url: await storageOf(ctx).signedGetUrl(found.svgKey, WHITEBOARD_URL_TTL_SECONDS), capturedAt: found.capturedAt.toISOString() };
    },
  );

  app.get(
    '/sessions/:id/recording',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Download URL of the latest finished recording of a session',
        params: SessionIdParams,
        response: { 200: RecordingDownload },
      },
    },
    async (request) => {
      const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      const latest = (await listSessionRecordings(ctx.db, session.id)).filter((r) => r.status === 'stopped').pop();
      if (!latest) throw new DomainError('SESSION_RECORDING_NOT_FOUND', 'No recording for this session');
      const expiresAt = new Date(Date.now() + RECORDING_URL_TTL_SECONDS * 1000);
      return {
        url: await storageOf(ctx).signedGetUrl(latest.storageKey, RECORDING_URL_TTL_SECONDS),
        expiresAt: expiresAt.toISOString(),
        durationMs: latest.durationMs === null ? null : Math.round(latest.durationMs),
        format: latest.format,
      };
    },
  );
};
