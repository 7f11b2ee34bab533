/**
 * Who may ask the AI what, in which room: the room exists (404 ROOM_NOT_FOUND), the caller is an
 * active participant (403 ROOM_ACCESS_DENIED) who may ask for help (observers: 403 ROOM_PERMISSION_DENIED), the
 * room has a live problem (404 PROBLEM_NOT_FOUND), and the code's language is the room's (400 VALIDATION_FAILED).
 * The interviewer also needs an AI-mode room (409 ROOM_NOT_AI_MODE) in warmup, coding or wrapup (400 ROOM_INVALID_STATE).
 */
import { canViewRoom, hasCapability, roomErrors } from '../../domain/room/index.js';
import type { Db } from '../../infra/db/database.js';
import { findCoachProblem, type CoachProblemRow } from '../../projections/problems/queries.js';
import { findRoomAccess, type RoomAccess } from '../../projections/rooms/queries.js';

export interface AiAccess {
  access: RoomAccess;
  problem: CoachProblemRow;
}

async function activeAccess(db: Db, roomId: string, userId: string): Promise<RoomAccess> {
  const access = await findRoomAccess(db, roomId, userId);
  if (!access) throw roomErrors.notFound();
  const p = access.participant;
  if (!p || !p.isActive || p.removedAt) throw roomErrors.accessDenied();
  return access;
}

export async function authorizeAiRequest(
  db: Db,
  roomId: string,
  userId: string,
  options: { language?: string | undefined; interviewer?: boolean } = {},
): Promise<AiAccess> {
  const access = await activeAccess(db, roomId, userId);
  if (options.interviewer) {
    if (access.room.mode !== 'ai') throw roomErrors.notAiMode();
    if (!['warmup', 'coding', 'wrapup'].includes(access.room.status)) {
      throw roomErrors.outsidePhase('The AI interviewer talks during warmup, coding and wrapup');
    }
  }
  if (!hasCapability(access.participant!.role, access.room.hostId === userId, 'ai:request-hint')) throw roomErrors.permissionDenied();
  const problem = access.room.problemId ? await findCoachProblem(db, access.room.problemId) : undefined;
  if (!problem) throw roomErrors.problemNotFound();
  if (options.language !== undefined && access.room.language && options.language !== access.room.language) {
    throw roomErrors.validation('language', `The room's language is ${access.room.language}`, options.language);
  }
  return { access, problem };
}

/** Who may poll a job or read the conversation: whoever may view the room (404 / 403 ROOM_ACCESS_DENIED). */
export async function authorizeAiRead(db: Db, roomId: string, userId: string): Promise<RoomAccess> {
  const access = await findRoomAccess(db, roomId, userId);
  if (!access) throw roomErrors.notFound();
  if (!canViewRoom(access.room.status, access.participant)) throw roomErrors.accessDenied();
  return access;
}
