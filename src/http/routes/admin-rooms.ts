/**
 * /admin/rooms: every room with filters and a cursor, and force-close — the system finish path
 * run for an administrator, recorded as RoomForceClosed (audit `admin.room.force_close`).
 */
import { Type } from '@sinclair/typebox';
import { DateTime, Uuid } from '../schemas.js';
import { finishRoom } from '../../commands/rooms/finish.js';
import { requireCapability } from '../../domain/user/capabilities.js';
import { listAllRooms } from '../../projections/rooms/queries.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata } from '../command.js';
import { decodeCursor, PageQuery, pageOf, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { Nullable, RoomIdParams, RoomModeSchema, RoomStatusSchema } from './room-views.js';


const AdminRoomSchema = Type.Object({
  roomId: Uuid,
  roomCode: Type.String(),
  name: Nullable(Type.String()),
  status: RoomStatusSchema,
  mode: RoomModeSchema,
  hostId: Uuid,
  hostName: Type.String(),
  participantCount: Type.Integer(),
  maxParticipants: Type.Integer(),
  isPrivate: Type.Boolean(),
  sessionId: Nullable(Uuid),
  createdAt: DateTime,
  endedAt: Nullable(DateTime),
});

export function adminRoomRoutes(app: App, ctx: AppContext): void {
  const tags = ['admin'];

  app.get(
    '/admin/rooms',
    {
      schema: {
        tags,
        summary: 'All rooms, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(RoomStatusSchema),
            mode: Type.Optional(RoomModeSchema),
            search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AdminRoomSchema) },
      },
    },
    async (request) => {
      requireCapability(principalOf(request), 'room:force-close');
      const q = request.query;
      const values = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      const rows = await listAllRooms(ctx.db, {
        limit: q.limit,
        status: q.status,
        mode: q.mode,
        search: q.search?.trim() || undefined,
        after: values ? [values[0] as string, values[1] as string] : undefined,
      });
      return toPage(
        rows,
        q.limit,
        (r) => ({
          roomId: r.id,
          roomCode: r.code,
          name: r.name,
          status: r.status,
          mode: r.mode,
          hostId: r.hostId,
          hostName: r.hostDisplayName ?? r.hostUsername ?? 'unknown',
          participantCount: r.activeCount,
          maxParticipants: r.maxParticipants,
          isPrivate: r.isPrivate,
          sessionId: r.sessionId,
          createdAt: r.createdAt.toISOString(),
          endedAt: r.endedAt?.toISOString() ?? null,
        }),
        (r) => [r.createdAt.toISOString(), r.id],
      );
    },
  );

  app.post(
    '/admin/rooms/:id/close',
    {
      schema: {
        tags,
        summary: 'Force-close a room (system finish path, audited)',
        params: RoomIdParams,
        response: {
          200: Type.Object({ roomId: Uuid, previousStatus: RoomStatusSchema, currentStatus: RoomStatusSchema, closedAt: DateTime, closedBy: Uuid }),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireCapability(principal, 'room:force-close');
      const metadata = requestMetadata(request);
      const result = await finishRoom(ctx, request.params.id, { kind: 'system', reason: 'admin', by: principal.userId }, metadata);
      return reply.status(200).send({
        roomId: request.params.id,
        previousStatus: result.previousStatus,
        currentStatus: result.state.status,
        closedAt: metadata.now.toISOString(),
        closedBy: principal.userId,
      });
    },
  );
}
