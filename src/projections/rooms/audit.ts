/** Audit log entries of the rooms module (merged into src/projections/audit-log/actions.ts). */
import type { AuditMapper } from '../audit-log/actions.js';
import { streamId } from '../projection.js';

export const roomAuditActions: Record<string, AuditMapper> = {
  RoomForceClosed: (e) => ({
    action: 'admin.room.force_close',
    targetType: 'room',
    targetId: streamId(e),
    metadata: { previousStatus: e.data['previousStatus'] ?? null },
    actorId: typeof e.data['closedBy'] === 'string' ? e.data['closedBy'] : null,
  }),
};
