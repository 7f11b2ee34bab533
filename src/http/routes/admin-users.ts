/**
 * /admin/users: list (search, status, cursor), detail, ban / unban and the combined PATCH (role and
 * ban state). Guarded by the global capability matrix: non-admins get 403 FORBIDDEN (banned admins never get this
 * far: the authenticator answers 403 USER_BANNED).
 */
import { Type } from '@sinclair/typebox';
import { adminUpdateUser, banUser, unbanUser } from '../../commands/identity/admin.js';
import type { Written } from '../../commands/identity/common.js';
import { requireCapability } from '../../domain/user/capabilities.js';
import { userNotFound } from '../../domain/user/user.js';
import { recentSessionsOf } from '../../projections/reports/queries.js';
import { findUserRow, listUsersForAdmin, type UserRow } from '../../projections/users/queries.js';
import { profileStats } from '../../projections/users/usage.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata, settle } from '../command.js';
import { decodeCursor, PageQuery, pageOf, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { UserIdParams } from './users.js';
import { Nullable } from '../schemas.js';

const Role = Type.Union([Type.Literal('user'), Type.Literal('admin')]);

export const AdminUserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  username: Type.String(),
  displayName: Nullable(Type.String()),
  role: Role,
  /** The raw stored key (or URL). */
  avatarUrl: Nullable(Type.String()),
  bannedAt: Nullable(Type.String({ format: 'date-time' })),
  bannedReason: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const AdminUserDetailSchema = Type.Composite([
  AdminUserSchema,
  Type.Object({
    lastActiveAt: Nullable(Type.String({ format: 'date-time' })),
    deletedAt: Nullable(Type.String({ format: 'date-time' })),
    stats: Type.Object({ totalSessions: Type.Integer(), totalProblems: Type.Integer(), streakDays: Type.Integer() }),
    /** The user's latest sessions, newest first, with their report score. */
    recentSessions: Type.Array(
      Type.Object({
        sessionId: Type.String({ format: 'uuid' }),
        roomId: Type.String({ format: 'uuid' }),
        mode: Type.String(),
        problemTitle: Nullable(Type.String()),
        role: Type.String(),
        overallScore: Type.Union([Type.Number(), Type.Null()]),
        hasReport: Type.Boolean(),
        startedAt: Type.String({ format: 'date-time' }),
        finishedAt: Nullable(Type.String({ format: 'date-time' })),
      }),
    ),
  }),
]);

export function toAdminUser(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    avatarUrl: row.avatarKey,
    bannedAt: row.bannedAt?.toISOString() ?? null,
    bannedReason: row.bannedReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `[createdAt ISO, id]` (decodeCursor checks the kind of each value; 400 otherwise). */
export function decodeTimeCursor(cursor: string | undefined): { createdAt: string; id: string } | undefined {
  const values = decodeCursor(cursor, ['timestamp', 'uuid']);
  return values && { createdAt: values[0] as string, id: values[1] as string };
}

const ListQuery = Type.Object(
  {
    ...PageQuery,
    search: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('banned')])),
  },
  { additionalProperties: false },
);

const Reason = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });

const tags = ['admin'];

export function adminUsersRoutes(app: App, ctx: AppContext): void {
  registerAdminUserReads(app, ctx);
  registerAdminUserWrites(app, ctx);
}

/** The admin's list of users and one user's detail. */
function registerAdminUserReads(app: App, ctx: AppContext): void {
  app.get(
    '/admin/users',
    { schema: { tags, querystring: ListQuery, response: { 200: pageOf(AdminUserSchema) } } },
    async (request) => {
      requireCapability(principalOf(request), 'user:list');
      const { limit, cursor, status } = request.query;
      const search = request.query.search?.trim() || undefined;
      const rows = await listUsersForAdmin(ctx.db, { search, status, after: decodeTimeCursor(cursor), limit });
      return toPage(rows, limit, toAdminUser, (r) => [r.createdAt.toISOString(), r.id]);
    },
  );

  app.get(
    '/admin/users/:id',
    { schema: { tags, params: UserIdParams, response: { 200: AdminUserDetailSchema } } },
    async (request) => {
      requireCapability(principalOf(request), 'user:list');
      const row = await findUserRow(ctx.db, request.params.id);
      if (!row) throw userNotFound();
      return {
        ...toAdminUser(row),
        lastActiveAt: row.lastLoginAt?.toISOString() ?? null,
        deletedAt: row.deletedAt?.toISOString() ?? null,
        stats: await profileStats(ctx.db, row.id),
        recentSessions: await recentSessionsOf(ctx.db, row.id),
      };
    },
  );
}

/** Ban, unban and the admin's update; each answers the user as the projection holds it after the write. */
function registerAdminUserWrites(app: App, ctx: AppContext): void {
  async function afterWrite(id: string, w: Written) {
    await settle(ctx, w.position, w.eventTypes);
    const row = await findUserRow(ctx.db, id);
    if (!row || row.deletedAt) throw userNotFound();
    return toAdminUser(row);
  }

  app.patch(
    '/admin/users/:id/ban',
    {
      schema: {
        tags,
        params: UserIdParams,
        // No body at all is fine too (fastify validates a missing body as null).
        body: Type.Union([Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }), Type.Null()]),
        response: { 200: AdminUserSchema },
      },
    },
    async (request) => {
      requireCapability(principalOf(request), 'user:ban');
      const reason = request.body?.reason?.trim() ?? null;
      return afterWrite(request.params.id, await banUser(ctx, requestMetadata(request), request.params.id, reason));
    },
  );

  app.patch(
    '/admin/users/:id/unban',
    { schema: { tags, params: UserIdParams, response: { 200: AdminUserSchema } } },
    async (request) => {
      requireCapability(principalOf(request), 'user:ban');
      return afterWrite(request.params.id, await unbanUser(ctx, requestMetadata(request), request.params.id));
    },
  );

  app.patch(
    '/admin/users/:id',
    {
      schema: {
        tags,
        params: UserIdParams,
        body: Type.Object(
          { role: Type.Optional(Role), banned: Type.Optional(Type.Boolean()), reason: Type.Optional(Reason) },
          { additionalProperties: false },
        ),
        response: { 200: AdminUserSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireCapability(principal, 'user:manage');
      const { role, banned } = request.body;
      const reason = request.body.reason?.trim();
      const metadata = { ...requestMetadata(request), actorId: principal.userId };
      return afterWrite(request.params.id, await adminUpdateUser(ctx, metadata, request.params.id, { role, banned, reason }));
    },
  );
}
