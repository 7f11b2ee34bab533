/**
 * Room checks of the media endpoints, on the rooms read model and the room capability matrix.
 */
import { capabilitiesOf, roomErrors, type Capability } from '../../domain/room/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { Db } from '../../infra/db/database.js';
import { findRoomAccess, type RoomAccess } from '../../projections/rooms/queries.js';

export interface MediaAccess extends RoomAccess {
  capabilities: Capability[];
  isHost: boolean;
}

/** A media token's ROOM_FINISHED is a case of its own (a 403, unlike the room module's 409). */
export const mediaRoomFinished = () => new DomainError('ROOM_FINISHED/media-token', 'Room is finished');

/**
 * 404 ROOM_NOT_FOUND → 403 ROOM_ACCESS_DENIED (no active participant row; after the finish, any participant who was
 * not removed is told ROOM_FINISHED instead, when `finished` is given) → 403 ROOM_PERMISSION_DENIED unless the
 * caller holds at least one of `anyOf` (an empty list asks for no capability) or, with `hostAlways`, is the host.
 */
export async function authorizeMedia(
  db: Db,
  roomId: string,
  userId: string,
  anyOf: readonly Capability[],
  options: { finished?: () => DomainError; hostAlways?: boolean } = {},
): Promise<MediaAccess> {
  const access = await findRoomAccess(db, roomId, userId);
  if (!access) throw roomErrors.notFound();
  const p = access.participant;
  if (access.room.status === 'finished' && options.finished && p && !p.removedAt) throw options.finished();
  if (!p || !p.isActive || p.removedAt) throw roomErrors.accessDenied();
  if (access.room.status === 'finished' && options.finished) throw options.finished();
  const isHost = access.room.hostId === userId;
  const capabilities = capabilitiesOf(p.role, isHost);
  const allowed = anyOf.length === 0 || anyOf.some((c) => capabilities.includes(c)) || (options.hostAlways === true && isHost);
  if (!allowed) throw roomErrors.permissionDenied();
  return { ...access, capabilities, isHost };
}
