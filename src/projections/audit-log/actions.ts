/**
 * Which events become audit log entries, and how. One entry per event type; a mapper returns null to skip an
 * event. Actor, client IP and trace id come from the event metadata (`actorId`, `ip`, `traceId`); a mapper may
 * name the actor itself (`actorId`) when the metadata has none (e.g. an unauthenticated sign-in).
 *
 * Other modules add their admin and moderation events here, e.g.
 *   ProblemCreated: (e) => ({ action: 'admin.problem.create', targetType: 'problem', targetId: streamId(e), metadata: { title: e.data['title'] } }),
 *   RoomForceClosed: (e) => ({ action: 'admin.room.force_close', targetType: 'room', targetId: streamId(e), metadata: null }),
 * The audit projection reads exactly the event types listed here.
 */
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { problemAuditActions } from '../problems/audit.js';
import { roomAuditActions } from '../rooms/audit.js';
import { streamId } from '../projection.js';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  metadata: Record<string, unknown> | null;
  /** Overrides the metadata's actorId. */
  actorId?: string | null;
}

export type AuditMapper = (event: RecordedEvent) => AuditEntry | null;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const auditActions: Record<string, AuditMapper> = {
  // identity: sign-in
  UserRegistered: (e) => ({
    action: 'auth.register',
    targetType: 'user',
    targetId: streamId(e),
    metadata: { email: e.data['email'], username: e.data['username'] },
    actorId: streamId(e),
  }),
  UserLoggedIn: (e) => ({
    action: 'auth.login',
    targetType: 'user',
    targetId: String(e.data['userId']),
    metadata: { identifierType: e.data['identifierType'], sessionId: e.data['sessionId'] },
    actorId: String(e.data['userId']),
  }),
  UserLoggedOut: (e) => ({
    action: 'auth.logout',
    targetType: 'user',
    targetId: String(e.data['userId']),
    metadata: { tokenId: e.data['tokenId'], sessionId: e.data['sessionId'] },
    actorId: String(e.data['userId']),
  }),
  RefreshTokenReuseDetected: (e) => ({
    action: 'auth.refresh_reuse',
    targetType: 'user',
    targetId: String(e.data['userId']),
    metadata: { tokenId: e.data['tokenId'], sessionId: e.data['sessionId'] },
  }),
  UserPasswordChanged: (e) => ({ action: 'auth.password_change', targetType: 'user', targetId: streamId(e), metadata: null }),
  PasswordResetCompleted: (e) => ({ action: 'auth.password_reset', targetType: 'user', targetId: streamId(e), metadata: null }),
  UserDeleted: (e) => ({ action: 'user.delete', targetType: 'user', targetId: streamId(e), metadata: null }),

  // identity: administration
  UserBanned: (e) => ({ action: 'admin.user.ban', targetType: 'user', targetId: streamId(e), metadata: { reason: str(e.data['reason']) } }),
  UserUnbanned: (e) => ({ action: 'admin.user.unban', targetType: 'user', targetId: streamId(e), metadata: null }),
  UserRoleChanged: (e) => ({
    action: 'admin.user.role_change',
    targetType: 'user',
    targetId: streamId(e),
    metadata: { from: e.data['from'], to: e.data['to'] },
  }),

  // problems: administration (admin.problem.create / update / publish / unpublish / delete)
  ...problemAuditActions,

  // rooms: administration (admin.room.force_close)
  ...roomAuditActions,
};
