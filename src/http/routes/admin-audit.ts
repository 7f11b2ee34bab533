/** GET /admin/audit-logs: the audit log projection, newest first, with its filters. Admins only. */
import { Type } from '@sinclair/typebox';
import { requireCapability } from '../../domain/user/capabilities.js';
import { listAuditLogs, type AuditLogRow } from '../../projections/audit-log/queries.js';
import type { AppContext } from '../../composition/context.js';
import { validationError } from '../errors.js';
import { PageQuery, pageOf, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { decodeTimeCursor } from './admin-users.js';
import { Nullable } from '../schemas.js';


export const AuditLogSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  actorId: Nullable(Type.String({ format: 'uuid' })),
  actor: Type.Union([
    Type.Object({ id: Type.String(), username: Type.String(), email: Type.String(), displayName: Nullable(Type.String()) }),
    Type.Null(),
  ]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  metadata: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  ipAddress: Nullable(Type.String()),
  traceId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

const Query = Type.Object(
  {
    ...PageQuery,
    search: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ format: 'uuid' })),
    targetId: Type.Optional(Type.String({ maxLength: 255 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

function toAuditLog(row: AuditLogRow) {
  return {
    id: row.id,
    actorId: row.actorId,
    actor:
      row.actorId && row.actorExists
        ? { id: row.actorId, username: row.actorUsername ?? '', email: row.actorEmail ?? '', displayName: row.actorDisplayName }
        : null,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    metadata: row.metadata,
    ipAddress: row.ipAddress,
    traceId: row.traceId,
    createdAt: row.createdAt.toISOString(),
  };
}

export function adminAuditRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/admin/audit-logs',
    { schema: { tags: ['admin'], querystring: Query, response: { 200: pageOf(AuditLogSchema) } } },
    async (request) => {
      requireCapability(principalOf(request), 'platform:view-analytics');
      const q = request.query;
      const from = q.from ? new Date(q.from) : undefined;
      const to = q.to ? new Date(q.to) : undefined;
      if (from && to && from > to) throw validationError([{ field: 'from', constraint: 'beforeTo', value: q.from }], '`from` must not be after `to`');
      const rows = await listAuditLogs(ctx.db, {
        search: q.search?.trim() || undefined,
        action: q.action?.trim() || undefined,
        actorId: q.actorId,
        targetId: q.targetId,
        from,
        to,
        after: decodeTimeCursor(q.cursor),
        limit: q.limit,
      });
      return toPage(rows, q.limit, toAuditLog, (r) => [r.createdAt.toISOString(), r.id]);
    },
  );
}
