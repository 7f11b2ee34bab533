/**
 * `audit_logs`: one row per audited event (see actions.ts), keyed by the event id (idempotent, and the same id on
 * a rebuild). Also follows retention: `AuditLogsPurged` deletes rows older than its cut-off, and `UserAnonymised`
 * strips the email and username that sign-up entries recorded about that user.
 */
import { sql } from 'kysely';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { occurredAt, streamId, type Projection, type Trx } from '../projection.js';
import { auditActions } from './actions.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';

const uuidOrNull = (v: unknown): string | null => (typeof v === 'string' && UUID.test(v) ? v : null);
const textOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const RETENTION_EVENTS = ['AuditLogsPurged', 'UserAnonymised'];

interface Row {
  id: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  metadata: string | null;
  ip: string | null;
  traceId: string | null;
  at: Date;
}

function rowOf(event: RecordedEvent): Row | undefined {
  const entry = auditActions[event.type]?.(event);
  if (!entry) return undefined;
  return {
    id: event.id,
    actorId: entry.actorId !== undefined ? uuidOrNull(entry.actorId) : uuidOrNull(event.metadata['actorId']),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    metadata: entry.metadata === null ? null : JSON.stringify(entry.metadata),
    ip: textOrNull(event.metadata['ip']),
    traceId: textOrNull(event.metadata['traceId']),
    at: occurredAt(event),
  };
}

async function insert(trx: Trx, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) => sql`(${r.id}::uuid, ${r.actorId}::uuid, ${r.action}, ${r.targetType}, ${r.targetId}, ${r.metadata}::jsonb, ${r.ip}, ${r.traceId}, ${r.at}::timestamptz)`,
  );
  await sql`
    INSERT INTO audit_logs (id, actor_id, action, target_type, target_id, metadata, ip_address, trace_id, created_at)
    VALUES ${sql.join(values)}
    ON CONFLICT (id) DO NOTHING`.execute(trx);
}

/** Retention events change existing rows; everything else may add one. */
async function retention(trx: Trx, event: RecordedEvent): Promise<void> {
  if (event.type === 'AuditLogsPurged') {
    await sql`DELETE FROM audit_logs WHERE created_at < ${new Date(String(event.data['before']))}`.execute(trx);
  } else if (event.type === 'UserAnonymised') {
    await sql`
      UPDATE audit_logs SET metadata = metadata - 'email' - 'username'
      WHERE target_type = 'user' AND target_id = ${streamId(event)} AND metadata IS NOT NULL`.execute(trx);
  }
}

export const auditLogProjection: Projection = {
  name: 'audit-log',
  version: 1,
  // A getter: modules that add mappers to `auditActions` are picked up whenever the list is read.
  get eventTypes() {
    return [...new Set([...Object.keys(auditActions), ...RETENTION_EVENTS])];
  },
  tables: ['audit_logs'],
  async apply(trx, event) {
    await retention(trx, event);
    const row = rowOf(event);
    if (row) await insert(trx, [row]);
  },
  // Runs of insertable events become one multi-row insert; retention events are applied in between, in order.
  async applyBatch(trx, events) {
    let pending: Row[] = [];
    for (const event of events) {
      if (RETENTION_EVENTS.includes(event.type)) {
        await insert(trx, pending);
        pending = [];
        await retention(trx, event);
      }
      const row = rowOf(event);
      if (row) pending.push(row);
      if (pending.length >= 500) {
        await insert(trx, pending);
        pending = [];
      }
    }
    await insert(trx, pending);
  },
};
