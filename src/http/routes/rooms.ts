/**
 * Rooms — lifecycle: create (idempotent with an Idempotency-Key), my rooms, the public lobby, lookup by code,
 * detail and destroy. Membership (join, leave, participants, roles, readiness) is in room-membership.ts.
 * Thin routes: schemas, the caller, a command or a query, the response shape.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { DateTime, Uuid } from '../schemas.js';
import { createRoom, destroyRoom } from '../../commands/rooms/lifecycle.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
} from '../../commands/rooms/room-store.js';
import { BROWSEABLE_STATUSES, isRoomCode } from '../../domain/room/constants.js';
import { roomErrors } from '../../domain/room/errors.js';
import { DomainError } from '../../domain/shared/errors.js';
import { can } from '../../domain/user/capabilities.js';
import { findProblem } from '../../projections/problems/queries.js';
import { createReadCache } from '../../projections/read-cache.js';
import { browsePublicRooms, findRoom, findRoomByCode, findRoomWithParticipants, listMyRooms, UUID } from '../../projections/rooms/queries.js';
import { findUserSummaries, resolveAvatarUrl } from '../../projections/users/queries.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata } from '../command.js';
import { validationError } from '../errors.js';
import { decodeCursor, PageQuery, pageOf, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import {
  enumOf,
  LanguageSchema,
  loadVisibleRoom,
  Nullable,
  roomBase,
  RoomBaseSchema,
  roomConfig,
  RoomConfigSchema,
  roomDetailJson,
  roomRowFromState,
  RoomDetailSchema,
  RoomIdParams,
  RoomModeSchema,
  RoomRoleSchema,
  RoomStatusSchema,
} from './room-views.js';
import { roomMembershipRoutes } from './room-membership.js';

const SortOrder = Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' });

const CreateBody = Type.Object(
  {
    mode: RoomModeSchema,
    name: Type.Optional(Type.String({ maxLength: 100 })),
    problemId: Type.Optional(Uuid),
    language: Type.Optional(LanguageSchema),
    config: Type.Optional(
      Type.Object(
        {
          maxParticipants: Type.Optional(Type.Integer({ minimum: 2, maximum: 8 })),
          maxDuration: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60 })),
          isPrivate: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const CreatedSchema = Type.Composite([
  RoomBaseSchema,
  Type.Object({ problemId: Nullable(Uuid), config: RoomConfigSchema, collabCreated: Type.Boolean(), mediaCreated: Type.Boolean() }),
]);

const RoomSummarySchema = Type.Composite([
  RoomBaseSchema,
  Type.Object({ myRole: RoomRoleSchema, problemTitle: Nullable(Type.String()), participantCount: Type.Integer() }),
]);

const PublicRoomSummarySchema = Type.Object({
  roomId: Uuid,
  name: Nullable(Type.String()),
  status: RoomStatusSchema,
  mode: RoomModeSchema,
  hostId: Uuid,
  hostName: Type.String(),
  hostAvatarUrl: Nullable(Type.String()),
  language: Nullable(LanguageSchema),
  problemTitle: Nullable(Type.String()),
  problemDifficulty: Nullable(Type.String()),
  participantCount: Type.Integer(),
  isParticipant: Type.Boolean(),
  maxParticipants: Type.Integer(),
  createdAt: DateTime,
});

const RoomPreviewSchema = Type.Object({
  roomId: Uuid,
  name: Nullable(Type.String()),
  status: RoomStatusSchema,
  mode: RoomModeSchema,
  hostName: Type.String(),
  problemTitle: Nullable(Type.String()),
  participantCount: Type.Integer(),
  maxParticipants: Type.Integer(),
  isPrivate: Type.Boolean(),
});

/** `[value, id]` cursors of the room lists (decodeCursor checks the kind of each value; 400 otherwise). */
function roomCursor(cursor: string | undefined, numeric: boolean): [string | number, string] | undefined {
  const values = decodeCursor(cursor, numeric ? ['int', 'uuid'] : ['timestamp', 'uuid']);
  return values && [values[0] as string | number, values[1] as string];
}

const hostName = (u: { username: string; displayName: string | null } | undefined) => u?.displayName ?? u?.username ?? 'unknown';

function createRoomRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.post(
    '/rooms',
    {
      schema: {
        tags,
        summary: 'Create a room (idempotent with an Idempotency-Key header)',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: CreateBody,
        response: { 201: CreatedSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const header = request.headers['idempotency-key'];
      const key = typeof header === 'string' ? header : undefined;
      let scoped: string | undefined;
      if (key !== undefined) {
        if (!UUID.test(key)) throw validationError([{ field: 'Idempotency-Key', constraint: 'format', value: key }], 'Idempotency-Key must be a valid UUID');
        scoped = `${principal.userId}:POST:/rooms:${key.toLowerCase()}`;
        const claim = await claimIdempotencyKey(ctx.db, scoped, principal.userId);
        if (claim.state === 'in_flight') throw new DomainError('IDEMPOTENCY_CONFLICT', 'A request with this Idempotency-Key is still in progress');
        if (claim.state === 'completed') return reply.status(claim.statusCode as 201).send(claim.body as never);
      }
      try {
        const { body } = request;
        const created = await createRoom(ctx, {
          hostId: principal.userId,
          mode: body.mode,
          name: body.name ?? null,
          problemId: body.problemId ?? null,
          language: body.language ?? null,
          config: body.config ?? {},
        }, requestMetadata(request));
        // The read model, or — when it has not caught up within the read-your-writes wait — the created room's
        // own events: a room that was just created is never answered as 404.
        const room = (await findRoom(ctx.db, created.state.roomId)) ?? roomRowFromState(created.state);
        const response = {
          ...roomBase(room),
          problemId: room.problemId,
          config: roomConfig(room),
          collabCreated: created.collabCreated,
          mediaCreated: created.mediaCreated,
        };
        if (scoped) await completeIdempotencyKey(ctx.db, scoped, 201, response);
        return reply.status(201).send(response);
      } catch (err) {
        if (scoped) await releaseIdempotencyKey(ctx.db, scoped);
        throw err;
      }
    },
  );
}

function myRoomsRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.get(
    '/rooms',
    {
      schema: {
        tags,
        summary: 'Rooms I am or was a participant of',
        querystring: Type.Object(
          {
            ...PageQuery,
            sortOrder: SortOrder,
            sortBy: Type.Union([Type.Literal('createdAt'), Type.Literal('status')], { default: 'createdAt' }),
            status: Type.Optional(RoomStatusSchema),
            mode: Type.Optional(RoomModeSchema),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(RoomSummarySchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const rows = await listMyRooms(ctx.db, {
        userId: principal.userId,
        limit: q.limit,
        sortOrder: q.sortOrder,
        sortBy: q.sortBy,
        status: q.status,
        mode: q.mode,
        after: roomCursor(q.cursor, q.sortBy === 'status'),
      });
      return toPage(
        rows,
        q.limit,
        (r) => ({ ...roomBase(r), myRole: r.myRole, problemTitle: r.problemTitle, participantCount: r.activeCount }),
        (r) => [q.sortBy === 'status' ? r.statusRank : r.createdAt.toISOString(), r.id],
      );
    },
  );
}

function publicRoomsRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.get(
    '/rooms/public',
    {
      schema: {
        tags,
        summary: 'Browse public rooms that can be joined',
        querystring: Type.Object(
          {
            ...PageQuery,
            sortOrder: Type.Optional(SortOrder),
            status: Type.Optional(enumOf(BROWSEABLE_STATUSES)),
            language: Type.Optional(LanguageSchema),
            difficulty: Type.Optional(Type.Union([Type.Literal('easy'), Type.Literal('medium'), Type.Literal('hard')])),
            search: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(PublicRoomSummarySchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const search = q.search?.trim();
      if (search !== undefined && (search.length === 0 || search.length > 100)) {
        throw validationError([{ field: 'search', constraint: 'length', value: q.search }], 'search must be 1 to 100 characters');
      }
      const after = roomCursor(q.cursor, false) as [string, string] | undefined;
      const rows = await browsePublicRooms(ctx.db, {
        viewerId: principal.userId,
        limit: q.limit,
        status: q.status,
        language: q.language,
        difficulty: q.difficulty,
        search,
        after,
      });
      const page = toPage(rows, q.limit, (r) => r, (r) => [r.createdAt.toISOString(), r.id]);
      return {
        pagination: page.pagination,
        data: await Promise.all(
          page.data.map(async (r) => ({
            roomId: r.id,
            name: r.name,
            status: r.status,
            mode: r.mode,
            hostId: r.hostId,
            hostName: r.hostDisplayName ?? r.hostUsername ?? 'unknown',
            hostAvatarUrl: await resolveAvatarUrl(ctx, r.hostAvatarKey),
            language: r.language,
            problemTitle: r.problemTitle,
            problemDifficulty: r.problemDifficulty,
            participantCount: r.activeCount,
            isParticipant: r.isParticipant,
            maxParticipants: r.maxParticipants,
            createdAt: r.createdAt.toISOString(),
          })),
        ),
      };
    },
  );
}

function lookupRoomRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.get(
    '/rooms/lookup',
    {
      schema: {
        tags,
        summary: 'Find a room by its invite code',
        querystring: Type.Object({ code: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
        response: { 200: RoomPreviewSchema },
      },
    },
    async (request) => {
      principalOf(request);
      const code = request.query.code.trim().toUpperCase();
      if (!isRoomCode(code)) throw roomErrors.invalidCode();
      const room = await findRoomByCode(ctx.db, code);
      if (!room) throw roomErrors.notFound();
      const users = await findUserSummaries(ctx.db, [room.hostId]);
      const problem = room.problemId ? await findProblem(ctx.db, room.problemId, { includeDrafts: true }) : undefined;
      return {
        roomId: room.id,
        name: room.name,
        status: room.status,
        mode: room.mode,
        hostName: hostName(users.get(room.hostId)),
        problemTitle: problem?.title ?? null,
        participantCount: room.activeCount,
        maxParticipants: room.maxParticipants,
        isPrivate: room.isPrivate,
      };
    },
  );
}

/** The tables a room detail is read from (the room, its participants, their names). */
const DETAIL_TABLES = ['rooms', 'room_participants', 'users'];

function roomDetailRoute(app: App, ctx: AppContext, tags: string[]): void {
  // The room and its participants stay cached while the projections owning those tables stand still; the
  // visibility check and the collab credentials are still made per request.
  const rooms = createReadCache<Awaited<ReturnType<typeof findRoomWithParticipants>>>(ctx.progress, {
    projections: ctx.projections.filter((p) => p.tables.some((t) => DETAIL_TABLES.includes(t))).map((p) => p.name),
    maxAgeMs: 5_000,
    maxEntries: 10_000,
  });
  app.get(
    '/rooms/:id',
    {
      config: { skipGlobalRateLimit: true },
      schema: { tags, summary: 'Room detail with fresh collab credentials', params: RoomIdParams, response: { 200: RoomDetailSchema } },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const loaded = await loadVisibleRoom(ctx, request.params.id, principal.userId, (id) => rooms.get(id, () => findRoomWithParticipants(ctx.db, id)));
      // serialised here: the room's part of the answer is kept serialised with the cached rows (room-views.ts)
      return (reply as unknown as FastifyReply).type('application/json; charset=utf-8').send(await roomDetailJson(ctx, request, loaded, principal.userId));
    },
  );
}

function destroyRoomRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.delete(
    '/rooms/:id',
    {
      schema: {
        tags,
        summary: 'Destroy a room (host; admins any) that is not finished',
        params: RoomIdParams,
        response: {
          200: Type.Object({
            roomId: Uuid,
            finalSnapshot: Type.Optional(Type.Array(Type.Integer())),
            collabDeleted: Type.Boolean(),
            mediaDeleted: Type.Boolean(),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return destroyRoom(ctx, request.params.id, principal.userId, can(principal.role, 'room:delete-any'), requestMetadata(request));
    },
  );
}

export function roomRoutes(app: App, ctx: AppContext): void {
  const tags = ['rooms'];
  createRoomRoute(app, ctx, tags);
  myRoomsRoute(app, ctx, tags);
  publicRoomsRoute(app, ctx, tags);
  lookupRoomRoute(app, ctx, tags);
  roomDetailRoute(app, ctx, tags);
  destroyRoomRoute(app, ctx, tags);
  roomMembershipRoutes(app, ctx, tags);
}
