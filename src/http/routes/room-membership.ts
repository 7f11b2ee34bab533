/**
 * Rooms — membership: join (with the role assignment), leave, the participants list, role changes, removal,
 * ownership transfer, readiness, the room language, and recreating a lost collab document.
 * Thin routes: schemas, the caller, a command or a query, the response shape.
 */
import { Type } from '@sinclair/typebox';
import { DateTime, Uuid } from '../schemas.js';
import {
  changeLanguage,
  changeParticipantRole,
  joinRoom,
  leaveRoom,
  removeParticipant,
  toggleReady,
  transferOwnership,
} from '../../commands/rooms/lifecycle.js';
import { collabFailure, collabOf, createCollabDocument } from '../../commands/rooms/collab.js';
import { readAggregate } from '../../commands/handle-command.js';
import { ROOM_CODE_LENGTH } from '../../domain/room/constants.js';
import { roomDecider } from '../../domain/room/decider.js';
import { roomErrors } from '../../domain/room/errors.js';
import { roomStream } from '../../domain/room/events.js';
import { can } from '../../domain/user/capabilities.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata } from '../command.js';
import { enforceLimit, principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import {
  collabCredentials,
  detailAfterWrite,
  LanguageSchema,
  loadVisibleRoom,
  Nullable,
  participantSummaries,
  ParticipantSummarySchema,
  RoomDetailSchema,
  RoomIdParams,
  RoomRoleSchema,
} from './room-views.js';

const JoinBody = Type.Object(
  {
    roomCode: Type.Optional(Type.String({ minLength: ROOM_CODE_LENGTH, maxLength: ROOM_CODE_LENGTH })),
    requestedRole: Type.Optional(RoomRoleSchema),
  },
  { additionalProperties: false },
);

const JoinResponse = Type.Object({
  room: RoomDetailSchema,
  assignedRole: RoomRoleSchema,
  requestedRole: Nullable(RoomRoleSchema),
  assignmentReason: Type.Union([Type.Literal('requested'), Type.Literal('auto-assigned'), Type.Literal('fallback-observer')]),
  myCapabilities: Type.Array(Type.String()),
  collabToken: Type.String(),
  collabUrl: Type.String(),
});

const ParticipantParams = Type.Object({ id: Uuid, participantUserId: Uuid }, { additionalProperties: false });
const KickParams = Type.Object({ id: Uuid, userId: Uuid }, { additionalProperties: false });

function joinRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.post(
    '/rooms/:id/join',
    { schema: { tags, summary: 'Join (or re-join) a room', params: RoomIdParams, body: Type.Optional(JoinBody), response: { 200: JoinResponse } } },
    async (request, reply) => {
      const principal = principalOf(request);
      await enforceLimit(ctx, reply, 'join', principal.userId, ctx.config.RATE_LIMIT_JOIN_PER_MIN, 60);
      const body = request.body ?? {};
      const outcome = await joinRoom(ctx, request.params.id, {
        userId: principal.userId,
        roomCode: body.roomCode ?? null,
        requestedRole: body.requestedRole ?? null,
        isAdmin: can(principal.role, 'room:join-any'),
      }, requestMetadata(request));
      const room = await detailAfterWrite(ctx, request, request.params.id, principal.userId, outcome.state);
      const isHost = outcome.state.hostId === principal.userId;
      const credentials = collabCredentials(ctx, request, request.params.id, principal.userId, outcome.assignedRole, isHost);
      return {
        room: { ...room, ...credentials },
        assignedRole: outcome.assignedRole,
        requestedRole: outcome.requestedRole,
        assignmentReason: outcome.assignmentReason,
        myCapabilities: room.myCapabilities,
        ...credentials,
      };
    },
  );
}

function leaveRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.post(
    '/rooms/:id/leave',
    {
      schema: {
        tags,
        summary: 'Leave a room (inactive, never removed)',
        description:
          'Marks the caller inactive; they may join again later (no invite code needed). When the host leaves a room that is not ' +
          'finished while others are active, ownership passes to the active participant who joined earliest (roles stay as they ' +
          'are). A host who leaves an otherwise empty room stays its host. Leaving again is a no-op.',
        params: RoomIdParams,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await leaveRoom(ctx, request.params.id, principal.userId, requestMetadata(request));
      return reply.status(204).send();
    },
  );
}

function participantsRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.get(
    '/rooms/:id/participants',
    { schema: { tags, summary: 'Every participant of a room', params: RoomIdParams, response: { 200: Type.Object({ data: Type.Array(ParticipantSummarySchema) }) } } },
    async (request) => {
      const principal = principalOf(request);
      const loaded = await loadVisibleRoom(ctx, request.params.id, principal.userId);
      return { data: await participantSummaries(ctx, loaded.participants) };
    },
  );
}

function participantRoleRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.patch(
    '/rooms/:id/participants/:participantUserId',
    {
      schema: {
        tags,
        summary: "Change a participant's role (host, waiting only)",
        params: ParticipantParams,
        body: Type.Object({ role: RoomRoleSchema }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            room: RoomDetailSchema,
            updatedUserId: Uuid,
            previousRole: RoomRoleSchema,
            currentRole: RoomRoleSchema,
            updatedAt: DateTime,
            updatedBy: Uuid,
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id, participantUserId } = request.params;
      const metadata = requestMetadata(request);
      const result = await changeParticipantRole(ctx, id, principal.userId, participantUserId, request.body.role, metadata);
      return {
        room: await detailAfterWrite(ctx, request, id, principal.userId),
        updatedUserId: participantUserId,
        previousRole: result.previousRole,
        currentRole: result.state.participants[participantUserId]!.role,
        updatedAt: metadata.now.toISOString(),
        updatedBy: principal.userId,
      };
    },
  );
}

function removeParticipantRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.delete(
    '/rooms/:id/participants/:userId',
    { schema: { tags, summary: 'Remove (kick) a participant for good (host)', params: KickParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      await removeParticipant(ctx, request.params.id, principal.userId, request.params.userId, requestMetadata(request));
      return reply.status(204).send();
    },
  );
}

function transferOwnershipRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.post(
    '/rooms/:id/ownership/transfer',
    {
      schema: {
        tags,
        summary: 'Hand the room to another active participant (host, waiting only)',
        params: RoomIdParams,
        body: Type.Object({ targetUserId: Uuid }, { additionalProperties: false }),
        response: {
          200: Type.Object({ roomId: Uuid, previousHostId: Uuid, currentHostId: Uuid, transferredAt: DateTime, transferredBy: Uuid }),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const metadata = requestMetadata(request);
      const result = await transferOwnership(ctx, request.params.id, principal.userId, request.body.targetUserId, metadata);
      return reply.status(200).send({
        roomId: request.params.id,
        previousHostId: principal.userId,
        currentHostId: result.state.hostId,
        transferredAt: metadata.now.toISOString(),
        transferredBy: principal.userId,
      });
    },
  );
}

function readyRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.post(
    '/rooms/:id/ready',
    { schema: { tags, summary: 'Toggle my readiness (waiting only)', params: RoomIdParams, response: { 200: RoomDetailSchema } } },
    async (request, reply) => {
      const principal = principalOf(request);
      await toggleReady(ctx, request.params.id, principal.userId, requestMetadata(request));
      return reply.status(200).send(await detailAfterWrite(ctx, request, request.params.id, principal.userId));
    },
  );
}

function languageRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.patch(
    '/rooms/:id/language',
    {
      schema: {
        tags,
        summary: 'Change the room language',
        params: RoomIdParams,
        body: Type.Object({ language: LanguageSchema }, { additionalProperties: false }),
        response: { 200: RoomDetailSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await changeLanguage(ctx, request.params.id, principal.userId, request.body.language, requestMetadata(request));
      return detailAfterWrite(ctx, request, request.params.id, principal.userId);
    },
  );
}

function ensureCollabRoute(app: App, ctx: AppContext, tags: string[]): void {
  app.post(
    '/rooms/:id/collab/ensure',
    {
      schema: {
        tags,
        summary: 'Recreate the collab document if it is gone (after close 4004)',
        params: RoomIdParams,
        response: { 200: Type.Object({ recreated: Type.Boolean() }) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const room = await readAggregate(ctx.store, roomStream(request.params.id), roomDecider);
      if (!room.exists || room.state.destroyed) throw roomErrors.notFound();
      if (room.state.status === 'finished') throw roomErrors.finished();
      if (!room.state.participants[principal.userId]) throw roomErrors.accessDenied();
      try {
        await collabOf(ctx).health();
      } catch (err) {
        throw collabFailure(err);
      }
      try {
        const created = await createCollabDocument(ctx, room.state);
        return { recreated: created.created };
      } catch (err) {
        throw collabFailure(err);
      }
    },
  );
}

/** Registered by roomRoutes after the lifecycle routes (the OpenAPI document keeps its order). */
export function roomMembershipRoutes(app: App, ctx: AppContext, tags: string[]): void {
  joinRoute(app, ctx, tags);
  leaveRoute(app, ctx, tags);
  participantsRoute(app, ctx, tags);
  participantRoleRoute(app, ctx, tags);
  removeParticipantRoute(app, ctx, tags);
  transferOwnershipRoute(app, ctx, tags);
  readyRoute(app, ctx, tags);
  languageRoute(app, ctx, tags);
  ensureCollabRoute(app, ctx, tags);
}
