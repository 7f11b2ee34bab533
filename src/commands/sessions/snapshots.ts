/**
 * The collab plane's "snapshot ready" callback: the raw document state replaces the room's stored one,
 * and the code goes onto the session stream as CodeSnapshotTaken — de-duplicated by content (sha256 of the code, plus
 * the language): an unchanged periodic or phase-change snapshot adds nothing, an unchanged `session_end` is confirmed
 * against the existing snapshot so the finishing protocol sees it on record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { handleCommand, readAggregate } from '../handle-command.js';
import { toStorableText } from '../../domain/shared/text.js';
import { systemMetadata } from '../metadata.js';
import { roomDecider } from '../../domain/room/decider.js';
import { roomStream } from '../../domain/room/events.js';
import { sessionDecider } from '../../domain/session/decider.js';
import { sessionStream, type SnapshotTrigger } from '../../domain/session/events.js';
import type { RoomStatus } from '../../domain/room/constants.js';
import type { Ports } from '../ports.js';
import { MAX_DOC_SNAPSHOT_BYTES, saveDocSnapshot } from '../rooms/room-store.js';
import { syncSession } from '../rooms/room-commands.js';

export interface CollabSnapshot {
  roomId: string;
  snapshot: number[];
  code: string;
  language: string;
  /** epoch ms; the same across retries of one snapshot */
  timestamp: number;
  trigger: SnapshotTrigger;
  phase: RoomStatus | null;
}

export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/**
 * Records a collab snapshot. `success:false` tells the collab plane the snapshot was not taken (the room is gone,
 * or the state is too large); a strict `session_end` then fails the finish.
 */
export async function recordCollabSnapshot(ctx: Pick<Ports, 'db' | 'store'>, payload: CollabSnapshot, traceId = randomUUID()): Promise<{ success: boolean }> {
  const room = await readAggregate(ctx.store, roomStream(payload.roomId), roomDecider);
  if (!room.exists || room.state.destroyed) return { success: false };
  if (payload.snapshot.length > 0) {
    if (payload.snapshot.length > MAX_DOC_SNAPSHOT_BYTES) return { success: false };
    await saveDocSnapshot(ctx.db, payload.roomId, Uint8Array.from(payload.snapshot));
  }
  const sessionId = room.state.sessionId;
  if (!sessionId) return { success: true }; // no session yet (or finished from waiting): nothing to record
  const metadata = systemMetadata(traceId, new Date());
  await syncSession(ctx, room.state, metadata); // a session whose start was not recorded yet is started first
  await handleCommand(ctx.store, sessionStream(sessionId), sessionDecider, {
    type: 'RecordSnapshot',
    snapshotId: randomUUID(),
    roomId: payload.roomId,
    code: toStorableText(payload.code),
    codeHash: codeHash(payload.code),
    language: payload.language,
    trigger: payload.trigger,
    phase: payload.phase,
    takenAt: new Date(payload.timestamp).toISOString(),
  }, metadata);
  return { success: true };
}
