/** Reads of the audit log for GET /admin/audit-logs. */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';

export interface AuditLogFilter {
  search?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

export interface AuditLogRow {
  id: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  metadata: Record<string, unknown> | null;
  ipAddress: string | null;
  traceId: string | null;
  createdAt: Date;
  actorUsername: string | null;
  actorEmail: string | null;
  actorDisplayName: string | null;
  actorExists: boolean;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest first (created_at desc, id desc); fetches `limit + 1` rows. */
export async function listAuditLogs(db: Db, f: AuditLogFilter): Promise<AuditLogRow[]> {
  const where = [sql`true`];
  if (f.search) {
    const p = likePattern(f.search);
    where.push(sql`(a.action ILIKE ${p} OR a.target_type ILIKE ${p} OR a.target_id ILIKE ${p}
      OR u.email ILIKE ${p} OR u.username ILIKE ${p} OR u.display_name ILIKE ${p})`);
  }
  if (f.action) where.push(sql`a.action ILIKE ${likePattern(f.action)}`);
  if (f.actorId) where.push(sql`a.actor_id = ${f.actorId}::uuid`);
  if (f.targetId) where.push(sql`a.target_id = ${f.targetId}`);
  if (f.from) where.push(sql`a.created_at >= ${f.from}`);
  if (f.to) where.push(sql`a.created_at <= ${f.to}`);
  if (f.after) where.push(sql`(a.created_at, a.id) < (${new Date(f.after.createdAt)}, ${f.after.id}::uuid)`);
  const { rows } = await sql<AuditLogRow>`
    SELECT a.id, a.actor_id AS "actorId", a.action, a.target_type AS "targetType", a.target_id AS "targetId", a.metadata,
           a.ip_address AS "ipAddress", a.trace_id AS "traceId", a.created_at AS "createdAt",
           u.username AS "actorUsername", u.email AS "actorEmail", u.display_name AS "actorDisplayName",
           (u.id IS NOT NULL) AS "actorExists"
    FROM audit_logs a LEFT JOIN users u ON u.id = a.actor_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT ${f.limit + 1}`.execute(db);
  return rows;
}
