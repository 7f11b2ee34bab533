/**
 * /users: the caller's profile (weak ETag from the user stream revision; If-None-Match → 304, If-Match on PATCH →
 * 412 PRECONDITION_FAILED), public profiles, avatar via signed storage URLs, quotas and training statistics.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { deleteAccount, avatarUploadUrl, confirmAvatar, removeAvatar, updateProfile } from '../../commands/identity/users.js';
import type { Written } from '../../commands/identity/common.js';
import { accountFromEvents } from '../../commands/identity/account-from-events.js';
import { userNotFound, type Precondition } from '../../domain/user/user.js';
import { avatarNeedsSigning, findUserRow, resolveAvatarUrl, type UserRow } from '../../projections/users/queries.js';
import { profileStats, profileStatsProjections, QUOTA_LIMITS, quotaUsage, statsSeries, type ProfileStats } from '../../projections/users/usage.js';
import { createReadCache, type ReadCache } from '../../projections/read-cache.js';
import { findActiveRoom } from '../../projections/rooms/queries.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata, settle } from '../command.js';
import { validationError } from '../errors.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { Nullable } from '../schemas.js';


export const USERNAME_PATTERN = '^[A-Za-z0-9_]{3,30}$';
export const Username = Type.String({ minLength: 3, maxLength: 30, pattern: USERNAME_PATTERN });

export const UserProfileSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    username: Type.String(),
    displayName: Nullable(Type.String()),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    avatarUrl: Nullable(Type.String()),
    bio: Nullable(Type.String()),
    stats: Type.Object({ totalSessions: Type.Integer(), totalProblems: Type.Integer(), streakDays: Type.Integer() }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
);
export type UserProfile = Static<typeof UserProfileSchema>;

export const PublicProfileSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  displayName: Nullable(Type.String()),
  avatarUrl: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const UserIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export async function toUserProfile(ctx: AppContext, row: UserRow, stats = () => profileStats(ctx.db, row.id)): Promise<UserProfile> {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    avatarUrl: await resolveAvatarUrl(ctx, row.avatarKey),
    bio: row.bio,
    stats: await stats(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The live (not deleted) account row, or 404 USER_NOT_FOUND. */
export async function activeUserRow(ctx: AppContext, id: string): Promise<UserRow> {
  const row = await findUserRow(ctx.db, id);
  if (!row || row.deletedAt) throw userNotFound();
  return row;
}

const statsCaches = new WeakMap<AppContext, ReadCache<ProfileStats>>();

/**
 * An account's profile statistics, kept while the projections they are read from stand still: a sign-in or a
 * profile edit moves other projections, so it does not read them again. Made at the first call, when every module
 * has registered its sources.
 */
function cachedProfileStats(ctx: AppContext, userId: string): Promise<ProfileStats> {
  let cache = statsCaches.get(ctx);
  if (!cache) {
    cache = createReadCache<ProfileStats>(ctx.progress, { projections: profileStatsProjections(), maxAgeMs: PROFILE_CACHE_MAX_AGE_MS, maxEntries: 50_000 });
    statsCaches.set(ctx, cache);
  }
  return cache.get(userId, () => profileStats(ctx.db, userId));
}

/** The profile of an account after a write: waits for the projections, then reads. */
export async function profileAfter(ctx: AppContext, userId: string, w: Written): Promise<{ profile: UserProfile; etag: string }> {
  const settled = await settle(ctx, w.position, w.eventTypes);
  const row = (await findUserRow(ctx.db, userId)) ?? (settled ? undefined : await userRowFromEvents(ctx, userId));
  if (!row || row.deletedAt) throw userNotFound();
  return { profile: await toUserProfile(ctx, row, () => cachedProfileStats(ctx, userId)), etag: etagOf(row) };
}

/** The account's row as its own events tell it, for a write answered before the users read model caught up. */
async function userRowFromEvents(ctx: AppContext, userId: string): Promise<UserRow | undefined> {
  const account = await accountFromEvents(ctx.store, userId);
  if (!account?.state.exists) return undefined;
  const { state, createdAt, updatedAt } = account;
  return {
    id: userId,
    email: state.email,
    username: state.username,
    displayName: state.displayName,
    bio: state.bio,
    avatarKey: state.avatarKey,
    role: state.role,
    bannedAt: state.banned ? updatedAt : null,
    bannedReason: state.bannedReason,
    deletedAt: state.deletedAt ? new Date(state.deletedAt) : null,
    anonymisedAt: null,
    lastLoginAt: null,
    createdAt,
    updatedAt,
    revision: String(state.revision),
  };
}

export const etagOf = (row: { revision: string | number | bigint }) => `W/"${String(row.revision)}"`;

/** Entity tags of an If-Match / If-None-Match header, without `W/` and quotes; '*' stays '*'. */
export function parseEntityTags(header: string | string[] | undefined): Precondition {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return '*';
  return value
    .split(',')
    .map((t) => t.trim().replace(/^W\//i, '').replace(/^"(.*)"$/, '$1'))
    .filter((t) => t.length > 0);
}

function sendProfile(reply: FastifyReply, result: { profile: UserProfile; etag: string }, status = 200) {
  reply.header('ETag', result.etag);
  return reply.status(status).send(result.profile);
}

const ProfilePatch = Type.Object(
  {
    displayName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    bio: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    username: Type.Optional(Username),
  },
  { additionalProperties: false },
);

const QuotaSchema = Type.Object({ used: Type.Integer(), limit: Type.Integer(), resetsAt: Type.String({ format: 'date-time' }) });

const StatsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    bucket: Type.Union([Type.Literal('day'), Type.Literal('week')], { default: 'day' }),
  },
  { additionalProperties: false },
);

const MAX_STATS_BUCKETS = 366;

/** How long a cached profile row or statistics may be served when the projections' progress cannot be heard. */
const PROFILE_CACHE_MAX_AGE_MS = 5_000;

const tags = ['users'];

export function usersRoutes(app: App, ctx: AppContext): void {
  registerOwnProfile(app, ctx);
  registerOwnActivity(app, ctx);
  registerOwnStats(app, ctx);
  registerAvatarAndPublicProfile(app, ctx);
}

/** The caller's own profile: read (cached, with ETag), updated, or the account deleted. */
function registerOwnProfile(app: App, ctx: AppContext): void {
  // The caller's own profile is the most frequent read: its row (users projection) and its statistics stay cached
  // while the projections they are read from stand still.
  const rows = createReadCache<UserRow | undefined>(ctx.progress, { projections: ['users'], maxAgeMs: PROFILE_CACHE_MAX_AGE_MS, maxEntries: 50_000 });

  // The profile as answered (serialised by its response schema), by the cached row and statistics it was made from.
  const profileJsonOf = new WeakMap<UserRow, { stats: ProfileStats; json: string }>();

  app.get(
    '/users/me',
    { schema: { tags, response: { 200: UserProfileSchema } } },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const row = await rows.get(userId, () => findUserRow(ctx.db, userId));
      if (!row || row.deletedAt) throw userNotFound();
      const etag = etagOf(row);
      reply.header('ETag', etag);
      const ifNoneMatch = parseEntityTags(request.headers['if-none-match']);
      if (ifNoneMatch === '*' || ifNoneMatch?.includes(String(row.revision))) return (reply as unknown as FastifyReply).status(304).send();
      const counts = await cachedProfileStats(ctx, userId);
      if (avatarNeedsSigning(row.avatarKey)) return toUserProfile(ctx, row, async () => counts);
      // While both cached reads answer the same objects, the profile is the same JSON: serialised once.
      let known = profileJsonOf.get(row);
      if (known?.stats !== counts) {
        known = { stats: counts, json: String(reply.serialize(await toUserProfile(ctx, row, async () => counts))) };
        profileJsonOf.set(row, known);
      }
      return (reply as unknown as FastifyReply).type('application/json; charset=utf-8').send(known.json);
    },
  );

  app.patch(
    '/users/me',
    { schema: { tags, body: ProfilePatch, response: { 200: UserProfileSchema } } },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const w = await updateProfile(ctx, requestMetadata(request), userId, request.body, parseEntityTags(request.headers['if-match']));
      return sendProfile(reply, await profileAfter(ctx, userId, w));
    },
  );

  app.delete('/users/me', { schema: { tags } }, async (request, reply) => {
    const w = await deleteAccount(ctx, requestMetadata(request), principalOf(request).userId);
    await settle(ctx, w.position, w.eventTypes);
    return reply.status(204).send();
  });
}

/** The caller's daily quotas and the room to reconnect to. */
function registerOwnActivity(app: App, ctx: AppContext): void {
  app.get(
    '/users/me/quotas',
    {
      schema: {
        tags,
        response: {
          200: Type.Object({
            ai: QuotaSchema,
            execution: QuotaSchema,
            rooms: Type.Object({ activeCount: Type.Integer(), maxActive: Type.Integer() }),
          }),
        },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const now = new Date();
      const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const resetsAt = new Date(dayStart.getTime() + 86_400_000).toISOString();
      const used = await quotaUsage(ctx.db, userId, dayStart);
      return {
        ai: { used: used.ai, limit: QUOTA_LIMITS.aiDaily, resetsAt },
        execution: { used: used.execution, limit: QUOTA_LIMITS.executionDaily, resetsAt },
        rooms: { activeCount: used.activeRooms, maxActive: QUOTA_LIMITS.roomsMaxActive },
      };
    },
  );

  app.get(
    '/users/me/active-room',
    {
      schema: {
        tags,
        description: 'The room to reconnect to: 200 with it, or 204 when the caller has none.',
        response: {
          200: Type.Object({ roomId: Type.String({ format: 'uuid' }), status: Type.String(), myRole: Type.String() }),
          204: Type.Null(),
        },
      },
    },
    async (request, reply) => {
      const room = await findActiveRoom(ctx.db, principalOf(request).userId);
      if (!room) return reply.status(204).send(null);
      return room;
    },
  );
}

/** The caller's sessions, scores and submissions per day or week, over at most MAX_STATS_BUCKETS buckets. */
function registerOwnStats(app: App, ctx: AppContext): void {
  app.get(
    '/users/me/stats',
    {
      schema: {
        tags,
        querystring: StatsQuery,
        response: {
          200: Type.Object({
            series: Type.Array(
              Type.Object({
                bucketStart: Type.String({ format: 'date-time' }),
                sessions: Type.Integer(),
                avgScore: Type.Union([Type.Number(), Type.Null()]),
                submissions: Type.Integer(),
                solved: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const bucket = request.query.bucket;
      const to = request.query.to ? new Date(request.query.to) : new Date();
      const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 29 * 86_400_000);
      if (from.getTime() > to.getTime()) throw validationError([{ field: 'from', constraint: 'beforeTo', value: request.query.from ?? null }], '`from` must not be after `to`');
      const span = (to.getTime() - from.getTime()) / (bucket === 'day' ? 86_400_000 : 7 * 86_400_000);
      if (span > MAX_STATS_BUCKETS) {
        throw validationError([{ field: 'from', constraint: 'maxRange', value: request.query.from ?? null }], `At most ${MAX_STATS_BUCKETS} buckets per request`);
      }
      return { series: await statsSeries(ctx.db, userId, from, to, bucket) };
    },
  );
}

/** The caller's avatar (upload URL, confirm, remove) and anyone's public profile. */
function registerAvatarAndPublicProfile(app: App, ctx: AppContext): void {
  app.post(
    '/users/me/avatar/upload-url',
    { schema: { tags, response: { 201: Type.Object({ uploadUrl: Type.String(), key: Type.String() }) } } },
    async (request, reply) => {
      await activeUserRow(ctx, principalOf(request).userId);
      return reply.status(201).send(await avatarUploadUrl(ctx, principalOf(request).userId));
    },
  );

  app.post('/users/me/avatar/confirm', { schema: { tags, response: { 201: UserProfileSchema } } }, async (request, reply) => {
    const { userId } = principalOf(request);
    const w = await confirmAvatar(ctx, requestMetadata(request), userId);
    return sendProfile(reply, await profileAfter(ctx, userId, w), 201);
  });

  app.delete('/users/me/avatar', { schema: { tags } }, async (request, reply) => {
    const w = await removeAvatar(ctx, requestMetadata(request), principalOf(request).userId);
    await settle(ctx, w.position, w.eventTypes);
    return reply.status(204).send();
  });

  app.get(
    '/users/:id',
    { schema: { tags, params: UserIdParams, response: { 200: PublicProfileSchema } } },
    async (request) => {
      const row = await activeUserRow(ctx, request.params.id);
      return {
        id: row.id,
        username: row.username,
        displayName: row.displayName,
        avatarUrl: await resolveAvatarUrl(ctx, row.avatarKey),
        bio: row.bio,
        createdAt: row.createdAt.toISOString(),
      };
    },
  );
}
