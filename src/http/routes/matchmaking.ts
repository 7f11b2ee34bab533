/**
 * Matchmaking: the caller's queue entry and the accept/decline step of a proposed match.
 * Every answer is the caller's status after the command, read once the read models reflect it.
 */
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../app.js';
import { requestMetadata } from '../command.js';
import { principalOf } from '../plugins/auth.js';
import { acceptMatch, declineMatch, enqueue, keepAlive, leaveQueue } from '../../commands/matchmaking/matchmaking.js';
import { JOINABLE_ROLES, type PreferencesInput } from '../../domain/matchmaking/preferences.js';
import { DIFFICULTIES, LANGUAGES } from '../../domain/problem/content.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import { matchmakingStatus } from '../../projections/matchmaking/status.js';
import { Nullable } from '../schemas.js';

const enumOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

const EnqueueBody = Type.Object(
  {
    languages: Type.Optional(Type.Array(enumOf(LANGUAGES), { maxItems: 8 })),
    difficulties: Type.Optional(Type.Array(enumOf(DIFFICULTIES), { maxItems: 3 })),
    problemIds: Type.Optional(Type.Array(Type.String({ pattern: UUID_PATTERN }), { maxItems: 20 })),
    topics: Type.Optional(Type.Array(Type.String({ pattern: '^\\s*[a-z0-9]+(-[a-z0-9]+)*\\s*$', maxLength: 100 }), { maxItems: 20 })),
    roles: Type.Optional(Type.Array(enumOf(JOINABLE_ROLES), { maxItems: 3 })),
  },
  { additionalProperties: false },
);

const PreferencesSchema = Type.Object({
  languages: Type.Array(Type.String()),
  difficulties: Type.Array(Type.String()),
  problemIds: Type.Array(Type.String()),
  topics: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
});

const MatchOpponentSchema = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  displayName: Nullable(Type.String()),
  avatarUrl: Nullable(Type.String()),
});

/** idle | searching | matched (with the fields of a pending proposal). */
export const MatchmakingStatusSchema = Type.Object({
  status: Type.Union([Type.Literal('idle'), Type.Literal('searching'), Type.Literal('matched')]),
  requestId: Type.Optional(Type.String()),
  queuePosition: Type.Optional(Type.Integer({ minimum: 1 })),
  matchId: Type.Optional(Type.String()),
  roomId: Type.Optional(Nullable(Type.String())),
  opponent: Type.Optional(MatchOpponentSchema),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  preferences: Type.Optional(PreferencesSchema),
  accepted: Type.Optional(Type.Boolean()),
});

const MatchParams = Type.Object({ matchId: Type.String({ pattern: UUID_PATTERN }) }, { additionalProperties: false });
const tags = ['matchmaking'];

export const matchmakingRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/matchmaking/queue',
    { schema: { tags, body: EnqueueBody, response: { 200: MatchmakingStatusSchema } } },
    async (request) => {
      const { userId } = principalOf(request);
      const metadata = requestMetadata(request);
      const writes = await enqueue(ctx, metadata, userId, (request.body ?? {}) as PreferencesInput);
      await writes.settle(ctx);
      return matchmakingStatus(ctx, userId, metadata.now);
    },
  );

  app.get('/matchmaking/queue', { schema: { tags, response: { 200: MatchmakingStatusSchema } } }, async (request) => {
    const { userId } = principalOf(request);
    const metadata = requestMetadata(request);
    const writes = await keepAlive(ctx, metadata, userId);
    await writes.settle(ctx);
    return matchmakingStatus(ctx, userId, metadata.now);
  });

  app.delete('/matchmaking/queue', { schema: { tags, response: { 200: MatchmakingStatusSchema } } }, async (request) => {
    const { userId } = principalOf(request);
    const writes = await leaveQueue(ctx, requestMetadata(request), userId);
    await writes.settle(ctx);
    return { status: 'idle' as const };
  });

  app.post(
    '/matchmaking/matches/:matchId/accept',
    { schema: { tags, params: MatchParams, response: { 200: MatchmakingStatusSchema } } },
    async (request) => {
      const { userId } = principalOf(request);
      const metadata = requestMetadata(request);
      const writes = await acceptMatch(ctx, metadata, userId, request.params.matchId.toLowerCase());
      await writes.settle(ctx);
      return matchmakingStatus(ctx, userId, metadata.now);
    },
  );

  app.post(
    '/matchmaking/matches/:matchId/decline',
    { schema: { tags, params: MatchParams, response: { 200: MatchmakingStatusSchema } } },
    async (request) => {
      const { userId } = principalOf(request);
      const metadata = requestMetadata(request);
      const writes = await declineMatch(ctx, metadata, userId, request.params.matchId.toLowerCase());
      await writes.settle(ctx);
      return matchmakingStatus(ctx, userId, metadata.now);
    },
  );
};
