/**
 * Rooms — control: phase transitions, editor lock, problem selection,
 * settings, timer pause/resume, role swaps.
 */
import { Type } from '@sinclair/typebox';
import { DateTime, Uuid } from '../schemas.js';
import {
  requestRoleSwap,
  respondToRoleSwap,
  selectProblem,
  setEditorLock,
  setTimerPaused,
  transitionRoom,
  updateSettings,
} from '../../commands/rooms/control.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata } from '../command.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { detailAfterWrite, enumOf, Nullable, RoomDetailSchema, RoomIdParams, RoomRoleSchema, RoomStatusSchema } from './room-views.js';


const TransitionResponse = Type.Object({
  roomId: Uuid,
  previousStatus: RoomStatusSchema,
  currentStatus: RoomStatusSchema,
  transitionedAt: DateTime,
  transitionedBy: Uuid,
});

const LockResponse = Type.Object({
  roomId: Uuid,
  editorLocked: Type.Boolean(),
  changed: Type.Boolean(),
  lockedAt: Type.Optional(DateTime),
  lockedBy: Type.Optional(Uuid),
  unlockedAt: Type.Optional(DateTime),
  unlockedBy: Type.Optional(Uuid),
});

const SwapSchema = Type.Object({
  swapId: Uuid,
  roomId: Uuid,
  status: enumOf(['pending', 'accepted', 'declined', 'expired'] as const),
  requesterId: Uuid,
  targetUserId: Uuid,
  /** the roles the two hold now */
  requesterRole: RoomRoleSchema,
  targetRole: RoomRoleSchema,
  requestedAt: DateTime,
  expiresAt: DateTime,
  respondedAt: Nullable(DateTime),
});

const tags = ['room control'];

export function roomControlRoutes(app: App, ctx: AppContext): void {
  registerPhaseAndLock(app, ctx);
  registerRoomSetup(app, ctx);
  registerTimer(app, ctx);
  registerRoleSwaps(app, ctx);
}

/** The room's phase transitions and the editor lock. */
function registerPhaseAndLock(app: App, ctx: AppContext): void {
  app.post(
    '/rooms/:id/control/transition',
    {
      schema: {
        tags,
        summary: 'Move the room to its next phase, or finish it',
        params: RoomIdParams,
        body: Type.Object({ targetStatus: RoomStatusSchema }, { additionalProperties: false }),
        response: { 200: TransitionResponse },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const metadata = requestMetadata(request);
      const result = await transitionRoom(ctx, request.params.id, principal.userId, request.body.targetStatus, metadata);
      // a finish is stamped after the final snapshot it waited for, later than the request arrived
      const phase = result.events.find((e) => e.type === 'PhaseChanged');
      return {
        roomId: request.params.id,
        previousStatus: result.previousStatus,
        currentStatus: result.state.status,
        transitionedAt: phase?.type === 'PhaseChanged' ? phase.data.changedAt : metadata.now.toISOString(),
        transitionedBy: principal.userId,
      };
    },
  );

  for (const locked of [true, false]) {
    app.post(
      `/rooms/:id/control/${locked ? 'lock' : 'unlock'}-editor`,
      { schema: { tags, summary: locked ? 'Lock the editor' : 'Unlock the editor', params: RoomIdParams, response: { 200: LockResponse } } },
      async (request) => {
        const principal = principalOf(request);
        const metadata = requestMetadata(request);
        const result = await setEditorLock(ctx, request.params.id, principal.userId, locked, metadata);
        const changed = result.events.length > 0;
        const at = metadata.now.toISOString();
        return {
          roomId: request.params.id,
          editorLocked: result.state.editorLocked,
          changed,
          ...(changed ? (locked ? { lockedAt: at, lockedBy: principal.userId } : { unlockedAt: at, unlockedBy: principal.userId }) : {}),
        };
      },
    );
  }
}

/** What the room works on and how it is configured: the selected problem, the name and configuration. */
function registerRoomSetup(app: App, ctx: AppContext): void {
  app.post(
    '/rooms/:id/control/problem',
    {
      schema: {
        tags,
        summary: 'Select or change the problem (host, before coding)',
        params: RoomIdParams,
        body: Type.Object({ problemId: Uuid }, { additionalProperties: false }),
        response: { 200: RoomDetailSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await selectProblem(ctx, request.params.id, principal.userId, request.body.problemId, requestMetadata(request));
      return reply.status(200).send(await detailAfterWrite(ctx, request, request.params.id, principal.userId));
    },
  );

  app.patch(
    '/rooms/:id/settings',
    {
      schema: {
        tags,
        summary: 'Update the room name and configuration (host)',
        params: RoomIdParams,
        body: Type.Object(
          {
            name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
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
        ),
        response: { 200: RoomDetailSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { name, config } = request.body;
      await updateSettings(ctx, request.params.id, principal.userId, {
        ...(name !== undefined ? { name } : {}),
        ...(config ?? {}),
      }, requestMetadata(request));
      return detailAfterWrite(ctx, request, request.params.id, principal.userId);
    },
  );
}

/** Pausing and resuming the coding timer. */
function registerTimer(app: App, ctx: AppContext): void {
  for (const paused of [true, false]) {
    app.post(
      `/rooms/:id/control/${paused ? 'pause' : 'resume'}`,
      {
        schema: {
          tags,
          summary: paused ? 'Pause the coding timer' : 'Resume the coding timer',
          params: RoomIdParams,
          response: { 200: Type.Object({ timerPaused: Type.Boolean(), elapsedMs: Type.Integer() }) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const result = await setTimerPaused(ctx, request.params.id, principal.userId, paused, requestMetadata(request));
        return reply.status(200).send({ timerPaused: result.state.timerPaused, elapsedMs: Math.round(result.state.elapsedMs) });
      },
    );
  }
}

/** A role swap between two participants: asked by one, accepted or declined by the other. */
function registerRoleSwaps(app: App, ctx: AppContext): void {
  app.post(
    '/rooms/:id/control/role-swap',
    {
      schema: {
        tags,
        summary: 'Ask another participant to swap roles (peer rooms; answer within 30 s)',
        params: RoomIdParams,
        body: Type.Object({ targetUserId: Uuid }, { additionalProperties: false }),
        response: { 201: SwapSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { swap, state } = await requestRoleSwap(ctx, request.params.id, principal.userId, request.body.targetUserId, requestMetadata(request));
      return reply.status(201).send({
        ...swap,
        roomId: request.params.id,
        status: 'pending' as const,
        requesterRole: state.participants[swap.requesterId]!.role,
        targetRole: state.participants[swap.targetUserId]!.role,
        respondedAt: null,
      });
    },
  );

  app.post(
    '/rooms/:id/control/role-swap/:swapId',
    {
      schema: {
        tags,
        summary: 'Accept or decline a role swap',
        params: Type.Object({ id: Uuid, swapId: Uuid }, { additionalProperties: false }),
        body: Type.Object({ accept: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: SwapSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { swap, state } = await respondToRoleSwap(ctx, request.params.id, principal.userId, request.params.swapId, request.body.accept, requestMetadata(request));
      return {
        swapId: swap.swapId,
        roomId: request.params.id,
        status: swap.status,
        requesterId: swap.requesterId,
        targetUserId: swap.targetUserId,
        requesterRole: state.participants[swap.requesterId]?.role ?? swap.requesterRole,
        targetRole: state.participants[swap.targetUserId]?.role ?? swap.targetRole,
        requestedAt: swap.requestedAt,
        expiresAt: swap.expiresAt,
        respondedAt: swap.respondedAt,
      };
    },
  );
}
