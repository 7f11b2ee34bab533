/**
 * `audit_logs`: one row per audited event (see actions.ts), keyed by the event id (idempotent, and the same id on
 * a rebuild). Also follows retention: `AuditLogsPurged` deletes rows older than its cut-off, and `UserAnonymised`
 * strips the email and username that sign-up entries recorded about that user.
 */
import { sql } from 'kysely';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { occurredAt, streamId, type Projection, type Trx } from '../projection.js';
import { auditActions } from './actions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (v: unknown): string | null => (typeof v === 'string' && UUID.test(v) ? v : null);
const textOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const RETENTION_EVENTS = ['AuditLogsPurged', 'UserAnonymised'];

async function record(trx: Trx, event: RecordedEvent): Promise<void> {
  const entry = auditActions[event.type]?.(event);
  if (!entry) return;
  const actorId = entry.actorId !== undefined ? uuidOrNull(entry.actorId) : uuidOrNull(event.metadata['actorId']);
  const metadata = entry.metadata === null ? null : JSON.stringify(entry.metadata);
  await sql`
    INSERT INTO audit_logs (id, actor_id, action, target_type, target_id, metadata, ip_address, trace_id, created_at)
    VALUES (${event.id}, ${actorId}, ${entry.action}, ${entry.targetType}, ${entry.targetId}, ${metadata}::jsonb,
            ${textOrNull(event.metadata['ip'])}, ${textOrNull(event.metadata['traceId'])}, ${occurredAt(event)})
    ON CONFLICT (id) DO NOTHING`.execute(trx);
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
    if (event.type === 'AuditLogsPurged') {
      await sql`DELETE FROM audit_logs WHERE created_at < ${new Date(String(event.data['before']))}`.execute(trx);
      return;
    }
    if (event.type === 'UserAnonymised') {
      await sql`
        UPDATE audit_logs SET metadata = metadata - 'email' - 'username'
        WHERE target_type = 'user' AND target_id = ${streamId(event)} AND metadata IS NOT NULL`.execute(trx);
    }
    await record(trx, event);
  },
};
