/**
 * Room checks for running and submitting code (editor lock included), and who may read a run:
 * the rooms module's read model answers, its rules decide.
 */
import { assertCanExecute, canViewRoom, hasCapability, roomErrors } from '../../domain/room/index.js';
import type { Db } from '../../infra/db/database.js';
import { findRoomAccess, type RoomAccess } from '../../projections/rooms/queries.js';

/** The room and the caller, once they may run (`code:run`) or submit (`code:submit`) in it. */
export async function authorizeExecution(db: Db, roomId: string, userId: string, capability: 'code:run' | 'code:submit'): Promise<RoomAccess> {
  const access = await findRoomAccess(db, roomId, userId);
  if (!access) throw roomErrors.notFound();
  const participant = access.participant && !access.participant.removedAt ? access.participant : null;
  // 403 ROOM_ACCESS_DENIED (not active), then 409 ROOM_EDITOR_LOCKED (for everyone), then 403 ROOM_PERMISSION_DENIED.
  assertCanExecute(access.room, participant, userId, capability);
  return access;
}

/** An active, non-removed participant of the room holding `code:view` (polling another user's run). */
export async function canViewRoomCode(db: Db, roomId: string, userId: string): Promise<boolean> {
  const access = await findRoomAccess(db, roomId, userId);
  const p = access?.participant;
  if (!access || !p || !p.isActive || p.removedAt) return false;
  return hasCapability(p.role, access.room.hostId === userId, 'code:view');
}

/** Who may list a room's runs and submissions: whoever may view the room (active participant; after the finish, any
 * participant who was not removed). 404 ROOM_NOT_FOUND / 403 ROOM_ACCESS_DENIED otherwise. */
export async function authorizeRoomHistory(db: Db, roomId: string, userId: string): Promise<RoomAccess> {
  const access = await findRoomAccess(db, roomId, userId);
  if (!access) throw roomErrors.notFound();
  if (!canViewRoom(access.room.status, access.participant)) throw roomErrors.accessDenied();
  return access;
}
