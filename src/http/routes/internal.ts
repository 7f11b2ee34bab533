/**
 * The control plane's internal callbacks for the collab plane: `X-Internal-Secret` required (compared in
 * constant time; 401 envelope otherwise), no access token, no rate limit, never routed publicly. POSTs answer 201.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Uuid } from '../schemas.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeJoin, docSnapshot, heartbeat, snapshotReady, userDisconnected } from '../../commands/rooms/collab-callbacks.js';
import { ROOM_STATUSES } from '../../domain/room/constants.js';
import { SNAPSHOT_TRIGGERS } from '../../domain/session/events.js';
import type { AppContext } from '../../composition/context.js';
import { envelope } from '../errors.js';
import type { App } from '../types.js';
import { enumOf } from './room-views.js';

const Bytes = Type.Array(Type.Integer({ minimum: 0, maximum: 255 }));
/** Raw Yjs state travels as a JSON byte array (3–4× its size); 5 MiB of state fits. */
const SNAPSHOT_BODY_LIMIT = 32 * 1024 * 1024;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time comparison that also hides the length of the expected secret. */
export function internalSecretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const internal = { public: true, skipGlobalRateLimit: true } as const;

const tags = ['internal'];

/** Route options every internal callback shares: public to the bearer check, guarded by the secret instead. */
function internalOptions(ctx: AppContext) {
  async function requireSecret(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers['x-internal-secret'];
    const given = Array.isArray(header) ? header[0] : header;
    if (!given) return reply.status(401).send(envelope(401, 'UNAUTHORIZED', 'Missing internal secret'));
    if (!internalSecretMatches(given, ctx.config.INTERNAL_CALLBACK_SECRET)) {
      return reply.status(401).send(envelope(401, 'UNAUTHORIZED', 'Invalid internal secret'));
    }
  }
  return { config: internal, onRequest: requireSecret } as const;
}

type InternalOptions = ReturnType<typeof internalOptions>;

export function internalRoutes(app: App, ctx: AppContext): void {
  const options = internalOptions(ctx);
  registerCollabCallbacks(app, ctx, options);
  registerRoomCallbacks(app, ctx, options);
}

/** What the collab plane reports: a document snapshot, a closed socket, the heartbeats of live sockets. */
function registerCollabCallbacks(app: App, ctx: AppContext, options: InternalOptions): void {
  app.post(
    '/internal/collab/snapshot',
    {
      ...options,
      // Code typed into the shared editor is recorded whatever it contains (unstorable characters replaced).
      config: { ...internal, textRule: 'replace' },
      bodyLimit: SNAPSHOT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Snapshot ready (collab → control plane)',
        body: Type.Object(
          {
            roomId: Uuid,
            snapshot: Bytes,
            code: Type.String(),
            language: Type.String({ minLength: 1, maxLength: 32 }),
            // epoch ms, within what Date and Postgres represent (up to the end of year 9999)
            timestamp: Type.Integer({ minimum: 0, maximum: 253_402_300_799_999 }),
            trigger: enumOf(SNAPSHOT_TRIGGERS),
            phase: Type.Union([enumOf(ROOM_STATUSES), Type.Null()]),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ success: Type.Boolean() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await snapshotReady(ctx, request.body)),
  );

  app.post(
    '/internal/collab/user-disconnected',
    {
      ...options,
      schema: {
        tags,
        summary: 'A joined socket closed',
        body: Type.Object({ roomId: Uuid, userId: Uuid, timestamp: Type.Integer({ minimum: 0, maximum: 253_402_300_799_999 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ success: Type.Boolean() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await userDisconnected(ctx, request.body)),
  );

  app.post(
    '/internal/participants/heartbeat',
    {
      ...options,
      schema: {
        tags,
        summary: 'Heartbeats of every live socket',
        body: Type.Object(
          { participants: Type.Array(Type.Object({ roomId: Uuid, userId: Uuid }, { additionalProperties: false }), { maxItems: 100_000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ updated: Type.Integer() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await heartbeat(ctx, request.body)),
  );
}

/** What the collab plane asks or hands over for one room: may a user join, the room's raw document state. */
function registerRoomCallbacks(app: App, ctx: AppContext, options: InternalOptions): void {
  app.post(
    '/internal/rooms/:roomId/authorize-join',
    {
      ...options,
      schema: {
        tags,
        summary: 'May this user join the room document?',
        params: Type.Object({ roomId: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ userId: Uuid }, { additionalProperties: false }),
        response: { 201: Type.Object({ authorized: Type.Boolean(), reason: Type.Optional(Type.String()) }) },
      },
    },
    async (request, reply) => reply.status(201).send(await authorizeJoin(ctx, request.params.roomId, request.body.userId)),
  );

  app.post(
    '/internal/rooms/:roomId/doc-snapshot',
    {
      ...options,
      bodyLimit: SNAPSHOT_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Raw document state of a room',
        params: Type.Object({ roomId: Uuid }),
        body: Type.Object({ state: Bytes }, { additionalProperties: false }),
        response: { 201: Type.Object({ success: Type.Boolean() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await docSnapshot(ctx, request.params.roomId, request.body.state)),
  );
}
