/** Every error a room rule can raise, by its catalogue code (docs/api.md, "Errors"). */
import { DomainError } from '../shared/errors.js';

export const roomErrors = {
  notFound: () => new DomainError('ROOM_NOT_FOUND', 'Room not found'),
  finished: () => new DomainError('ROOM_FINISHED', 'Room is finished'),
  accessDenied: () => new DomainError('ROOM_ACCESS_DENIED', 'You are not an active participant of this room'),
  permissionDenied: (message = 'You do not have permission to do this in this room') =>
    new DomainError('ROOM_PERMISSION_DENIED', message),
  cannotRemoveSelf: () => new DomainError('ROOM_PERMISSION_DENIED/remove-self', 'You cannot remove yourself; leave the room instead'),
  invalidTransition: (from: string, to: string) =>
    new DomainError('ROOM_INVALID_TRANSITION', `Cannot move the room from ${from} to ${to}`, { from, to }),
  readyOutsideWaiting: () => new DomainError('ROOM_INVALID_TRANSITION', 'Readiness can only change while the room is waiting'),
  invalidState: (message: string) => new DomainError('ROOM_INVALID_STATE', message),
  /** The change is never valid in the room's phase (not merely not now). */
  outsidePhase: (message: string) => new DomainError('ROOM_INVALID_STATE/outside-phase', message),
  invalidCode: () => new DomainError('ROOM_INVALID_CODE', 'Invalid room code'),
  full: () => new DomainError('ROOM_FULL', 'Room is full'),
  notPeerMode: () => new DomainError('ROOM_NOT_PEER_MODE', 'Only peer rooms have interviewers'),
  roleUnavailable: (role: string) => new DomainError('ROOM_ROLE_UNAVAILABLE', `The ${role} role is already taken`, { role }),
  roleConstraint: (message: string) => new DomainError('ROOM_ROLE_CONSTRAINT_VIOLATION', message),
  rolesLocked: () => new DomainError('ROOM_ROLES_LOCKED', 'Roles can only change while the room is waiting'),
  participantRemoved: () => new DomainError('ROOM_PARTICIPANT_REMOVED', 'You were removed from this room'),
  participantsNotReady: () => new DomainError('ROOM_PARTICIPANTS_NOT_READY', 'Every required participant must be ready'),
  participantNotFound: () => new DomainError('PARTICIPANT_NOT_FOUND', 'Participant not found'),
  cannotTransfer: (message: string) => new DomainError('PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP', message),
  cannotChangeRole: (message: string) => new DomainError('PARTICIPANT_CANNOT_CHANGE_ROLE', message),
  editorLocked: () => new DomainError('ROOM_EDITOR_LOCKED', 'The editor is locked'),
  notAiMode: () => new DomainError('ROOM_NOT_AI_MODE', 'This room is not an AI room'),
  problemNotFound: () => new DomainError('PROBLEM_NOT_FOUND', 'Problem not found'),
  swapNotFound: () => new DomainError('ROLE_SWAP_NOT_FOUND', 'No pending role swap with this id'),
  swapExpired: () => new DomainError('ROLE_SWAP_EXPIRED', 'The role swap request has expired'),
  validation: (field: string, message: string, value: unknown = null) =>
    new DomainError('VALIDATION_FAILED', message, { fields: [{ field, constraint: 'rule', value }] }),
  missingSessionEnd: () =>
    new DomainError('INTERNAL_ERROR', 'The final code snapshot of the session was not recorded; the room was not finished'),
};
