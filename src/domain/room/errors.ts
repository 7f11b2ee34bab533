/**
 * Every error a room rule can raise, with its code and HTTP status (docs/api.md, "Errors").
 * ROOM_INVALID_TRANSITION, ROOM_NOT_AI_MODE and ROOM_NOT_PEER_MODE are all 409.
 */
import { DomainError } from '../shared/errors.js';

export const roomErrors = {
  notFound: () => new DomainError('ROOM_NOT_FOUND', 404, 'Room not found'),
  finished: () => new DomainError('ROOM_FINISHED', 409, 'Room is finished'),
  accessDenied: () => new DomainError('ROOM_ACCESS_DENIED', 403, 'You are not an active participant of this room'),
  permissionDenied: (message = 'You do not have permission to do this in this room') =>
    new DomainError('ROOM_PERMISSION_DENIED', 403, message),
  cannotRemoveSelf: () => new DomainError('ROOM_PERMISSION_DENIED', 400, 'You cannot remove yourself; leave the room instead'),
  invalidTransition: (from: string, to: string) =>
    new DomainError('ROOM_INVALID_TRANSITION', 409, `Cannot move the room from ${from} to ${to}`, { from, to }),
  readyOutsideWaiting: () => new DomainError('ROOM_INVALID_TRANSITION', 409, 'Readiness can only change while the room is waiting'),
  invalidState: (message: string, status = 409) => new DomainError('ROOM_INVALID_STATE', status, message),
  invalidCode: () => new DomainError('ROOM_INVALID_CODE', 400, 'Invalid room code'),
  full: () => new DomainError('ROOM_FULL', 409, 'Room is full'),
  notPeerMode: () => new DomainError('ROOM_NOT_PEER_MODE', 409, 'Only peer rooms have interviewers'),
  roleUnavailable: (role: string) => new DomainError('ROOM_ROLE_UNAVAILABLE', 409, `The ${role} role is already taken`, { role }),
  roleConstraint: (message: string) => new DomainError('ROOM_ROLE_CONSTRAINT_VIOLATION', 409, message),
  rolesLocked: () => new DomainError('ROOM_ROLES_LOCKED', 400, 'Roles can only change while the room is waiting'),
  participantRemoved: () => new DomainError('ROOM_PARTICIPANT_REMOVED', 403, 'You were removed from this room'),
  participantsNotReady: () => new DomainError('ROOM_PARTICIPANTS_NOT_READY', 400, 'Every required participant must be ready'),
  participantNotFound: () => new DomainError('PARTICIPANT_NOT_FOUND', 404, 'Participant not found'),
  cannotTransfer: (message: string) => new DomainError('PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP', 400, message),
  cannotChangeRole: (message: string) => new DomainError('PARTICIPANT_CANNOT_CHANGE_ROLE', 409, message),
  editorLocked: () => new DomainError('ROOM_EDITOR_LOCKED', 409, 'The editor is locked'),
  notAiMode: () => new DomainError('ROOM_NOT_AI_MODE', 409, 'This room is not an AI room'),
  problemNotFound: () => new DomainError('PROBLEM_NOT_FOUND', 404, 'Problem not found'),
  swapNotFound: () => new DomainError('ROLE_SWAP_NOT_FOUND', 404, 'No pending role swap with this id'),
  swapExpired: () => new DomainError('ROLE_SWAP_EXPIRED', 409, 'The role swap request has expired'),
  validation: (field: string, message: string, value: unknown = null) =>
    new DomainError('VALIDATION_FAILED', 400, message, { fields: [{ field, constraint: 'rule', value }] }),
  missingSessionEnd: () =>
    new DomainError('INTERNAL_ERROR', 500, 'The final code snapshot of the session was not recorded; the room was not finished'),
};
