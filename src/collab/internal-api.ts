/**
 * The collab internal HTTP API (docs/collab-protocol.md, "Control plane") as a fastify plugin. Register it on the
 * collab's own server (role `collab`) or inside the API process (role `all`); routes are `/internal/documents…` and
 * `/internal/health` relative to whatever prefix the host registers it under.
 *
 * Every route but health requires `X-Internal-Secret` (compared in constant time): missing → 401 "Missing internal
 * secret", wrong → 401 "Invalid internal secret". Errors use the envelope `{statusCode, code, message, timestamp}`
 * with the codes COLLAB_DOCUMENT_NOT_FOUND 404, COLLAB_INVALID_REQUEST 400, COLLAB_INTERNAL_ERROR 500, and
 * COLLAB_ROOM_MOVED 409 when several collab nodes run and another one serves the room (docs/collab-cluster.md).
 * Creating an existing document is idempotent (`201 {created:false}`), so COLLAB_DOCUMENT_ALREADY_EXISTS is
 * never sent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ROOM_PHASES } from './control-plane-port.js';
import { CollabServiceError, type CollabService } from './service.js';

const RoomId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
const UserId = Type.String({ minLength: 1, maxLength: 128 });
const Language = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_+#.-]+$' });
const Phase = Type.Union(ROOM_PHASES.map((p) => Type.Literal(p)));
const Params = Type.Object({ roomId: RoomId });

const CreateBody = Type.Object({
  roomId: RoomId,
  initialContentByLanguage: Type.Optional(Type.Record(Type.String({ maxLength: 32 }), Type.String())),
  initialLanguage: Type.Optional(Language),
  initialPhase: Type.Optional(Phase),
  editorLocked: Type.Optional(Type.Boolean()),
  snapshot: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 255 }))),
});
const KickBody = Type.Object({ userId: UserId, reason: Type.Optional(Type.String({ maxLength: 500 })) });
const StateBody = Type.Object({
  roomId: Type.Optional(RoomId),
  phase: Phase,
  editorLocked: Type.Boolean(),
  changedBy: Type.Optional(UserId),
  language: Type.Optional(Language),
});
const ReadyBody = Type.Object({ userId: UserId, isReady: Type.Boolean() });
const LanguageBody = Type.Object({
  roomId: Type.Optional(RoomId),
  language: Language,
  changedBy: Type.Optional(UserId),
});
const ChatQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) });

type ParamsT = Static<typeof Params>;

export interface InternalApiOptions {
  internalSecret: string;
  maxCreateBodyBytes: number;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison that also hides the length of the expected secret. */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function sendError(reply: FastifyReply, statusCode: number, code: string, message: string) {
  return reply.status(statusCode).send({ statusCode, code, message, timestamp: new Date().toISOString() });
}

export function createInternalApi(service: CollabService, options: InternalApiOptions): FastifyPluginAsync {
  const expected = options.internalSecret;

  return async function collabInternalApi(app) {
    requireInternalSecret(app, expected);
    sendErrorsAsEnvelopes(app);
    app.get('/internal/health', { config: { publicRoute: true } }, async () => service.health());
    registerDocumentLifecycleRoutes(app, service, options);
    registerRoomStateRoutes(app, service);
    registerDocumentContentRoutes(app, service);
  };
}

function requireInternalSecret(app: FastifyInstance, expected: string): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if ((req.routeOptions.config as { publicRoute?: boolean } | undefined)?.publicRoute) return;
    const header = req.headers['x-internal-secret'];
    const given = Array.isArray(header) ? header[0] : header;
    if (given === undefined || given === '') return sendError(reply, 401, 'UNAUTHORIZED', 'Missing internal secret');
    if (!secretMatches(given, expected)) return sendError(reply, 401, 'UNAUTHORIZED', 'Invalid internal secret');
  });
}

function sendErrorsAsEnvelopes(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof CollabServiceError) return sendError(reply, err.statusCode, err.code, err.message);
    if (err.validation) {
      return sendError(reply, 400, 'COLLAB_INVALID_REQUEST', `Invalid request: ${err.message}`);
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) return sendError(reply, status, 'COLLAB_INVALID_REQUEST', err.message);
    req.log.error({ err }, 'collab internal API error');
    return sendError(reply, 500, 'COLLAB_INTERNAL_ERROR', 'Internal error');
  });
}

function rejectMismatchedRoomId(bodyRoomId: string | undefined, roomId: string): void {
  if (bodyRoomId !== undefined && bodyRoomId !== roomId) {
    throw new CollabServiceError(400, 'COLLAB_INVALID_REQUEST', 'roomId in the body differs from the path');
  }
}

/** Create, destroy and kick: the document's life in this node. */
function registerDocumentLifecycleRoutes(app: FastifyInstance, service: CollabService, options: InternalApiOptions) {
  app.post(
    '/internal/documents',
    { schema: { body: CreateBody }, bodyLimit: options.maxCreateBodyBytes },
    async (req, reply) => {
      const body = req.body as Static<typeof CreateBody>;
      return reply.status(201).send(await service.createDocument(body));
    },
  );

  app.delete('/internal/documents/:roomId', { schema: { params: Params } }, async (req) => {
    const { roomId } = req.params as ParamsT;
    return service.destroyDocument(roomId);
  });

  app.post('/internal/documents/:roomId/kick', { schema: { params: Params, body: KickBody } }, async (req, reply) => {
    const { roomId } = req.params as ParamsT;
    const body = req.body as Static<typeof KickBody>;
    return reply.status(201).send(await service.kick(roomId, body.userId, body.reason));
  });
}

/** Phase, lock, readiness and language: the room state the API pushes into the document. */
function registerRoomStateRoutes(app: FastifyInstance, service: CollabService) {
  app.post('/internal/documents/:roomId/state', { schema: { params: Params, body: StateBody } }, async (req, reply) => {
    const { roomId } = req.params as ParamsT;
    const body = req.body as Static<typeof StateBody>;
    rejectMismatchedRoomId(body.roomId, roomId);
    const input = {
      phase: body.phase,
      editorLocked: body.editorLocked,
      ...(body.changedBy !== undefined ? { changedBy: body.changedBy } : {}),
      ...(body.language !== undefined ? { language: body.language } : {}),
    };
    return reply.status(201).send(await service.updateState(roomId, input));
  });

  app.post(
    '/internal/documents/:roomId/participant-ready',
    { schema: { params: Params, body: ReadyBody } },
    async (req, reply) => {
      const { roomId } = req.params as ParamsT;
      const body = req.body as Static<typeof ReadyBody>;
      return reply.status(201).send(await service.participantReady(roomId, body.userId, body.isReady));
    },
  );

  app.post(
    '/internal/documents/:roomId/language',
    { schema: { params: Params, body: LanguageBody } },
    async (req, reply) => {
      const { roomId } = req.params as ParamsT;
      const body = req.body as Static<typeof LanguageBody>;
      rejectMismatchedRoomId(body.roomId, roomId);
      return reply.status(201).send(await service.changeLanguage(roomId, body.language, body.changedBy));
    },
  );
}

/** Whiteboard export and chat history: what the API reads out of the document. */
function registerDocumentContentRoutes(app: FastifyInstance, service: CollabService) {
  app.post('/internal/documents/:roomId/whiteboard/export', { schema: { params: Params } }, async (req) => {
    const { roomId } = req.params as ParamsT;
    return service.exportWhiteboard(roomId);
  });

  app.get('/internal/documents/:roomId/chat', { schema: { params: Params, querystring: ChatQuery } }, async (req) => {
    const { roomId } = req.params as ParamsT;
    const { limit } = req.query as Static<typeof ChatQuery>;
    return service.getChat(roomId, limit);
  });
}
