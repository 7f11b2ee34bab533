/**
 * The rules about participants and roles that several commands share: who counts, the role-configuration
 * role invariants, the role selection of the join algorithm, and who may see a room.
 */
import { hasCapability, type Capability } from './capabilities.js';
import type { AssignmentReason, RoomMode, RoomRole, RoomStatus } from './constants.js';
import { roomErrors } from './errors.js';
import type { Participant, RoomState } from './state.js';

export function activeParticipants(state: RoomState): Participant[] {
  return Object.values(state.participants).filter((p) => p.isActive);
}

export function activeHolders(state: RoomState, role: RoomRole, except?: string): Participant[] {
  return activeParticipants(state).filter((p) => p.role === role && p.userId !== except);
}

export interface RoleCounts {
  interviewer: number;
  candidate: number;
  observer: number;
}

export function countRoles(roles: Iterable<RoomRole>): RoleCounts {
  const counts: RoleCounts = { interviewer: 0, candidate: 0, observer: 0 };
  for (const r of roles) counts[r]++;
  return counts;
}

/**
 * Upper bounds that hold at all times over ACTIVE participants: peer ≤ 1 interviewer and ≤ 1 candidate;
 * ai: no interviewer, ≤ 1 candidate. Throws ROOM_ROLE_CONSTRAINT_VIOLATION (or ROOM_NOT_PEER_MODE for an
 * interviewer in an AI room).
 */
export function assertRoleUpperBounds(mode: RoomMode, roles: Iterable<RoomRole>): void {
  const c = countRoles(roles);
  if (mode === 'ai' && c.interviewer > 0) throw roomErrors.notPeerMode();
  if (c.interviewer > 1) throw roomErrors.roleConstraint('A room has at most one interviewer');
  if (c.candidate > 1) throw roomErrors.roleConstraint('A room has at most one candidate');
}

/** The configuration required to start (waiting → warmup): peer = exactly 1 interviewer + 1 candidate; ai = exactly 1 candidate, 0 interviewers. */
export function assertStartConfiguration(mode: RoomMode, roles: Iterable<RoomRole>): void {
  const c = countRoles(roles);
  if (mode === 'peer' && (c.interviewer !== 1 || c.candidate !== 1)) {
    throw roomErrors.roleConstraint('A peer room starts with exactly one interviewer and one candidate');
  }
  if (mode === 'ai' && (c.candidate !== 1 || c.interviewer !== 0)) {
    throw roomErrors.roleConstraint('An AI room starts with exactly one candidate and no interviewer');
  }
}

/** Roles whose holders must be ready to start: peer interviewer + candidate; ai candidate. Observers never. */
export function requiredRoles(mode: RoomMode): RoomRole[] {
  return mode === 'peer' ? ['interviewer', 'candidate'] : ['candidate'];
}

/** The active roles after one participant's role is replaced (or removed when `role` is null). */
export function rolesAfter(state: RoomState, changes: Record<string, RoomRole | null>): RoomRole[] {
  const roles: RoomRole[] = [];
  for (const p of activeParticipants(state)) {
    if (p.userId in changes) {
      const r = changes[p.userId];
      if (r) roles.push(r);
    } else roles.push(p.role);
  }
  for (const [userId, role] of Object.entries(changes)) {
    if (role && !state.participants[userId]?.isActive) roles.push(role);
  }
  return roles;
}

export interface RoleChoice {
  role: RoomRole;
  reason: AssignmentReason;
}

/**
 * Role selection of the join, over the current active participants. A requested role is granted or refused (never replaced);
 * without a request: peer → interviewer, else candidate; ai → candidate; otherwise observer.
 */
export function chooseRole(state: RoomState, requested: RoomRole | null): RoleChoice {
  const free = (role: RoomRole) => activeHolders(state, role).length === 0;
  if (requested) {
    if (requested === 'interviewer' && state.mode === 'ai') throw roomErrors.notPeerMode();
    if (requested === 'observer') return { role: 'observer', reason: 'requested' };
    if (!free(requested)) throw roomErrors.roleUnavailable(requested);
    return { role: requested, reason: 'requested' };
  }
  if (state.mode === 'peer' && free('interviewer')) return { role: 'interviewer', reason: 'auto-assigned' };
  if (free('candidate')) return { role: 'candidate', reason: 'auto-assigned' };
  return { role: 'observer', reason: 'fallback-observer' };
}

export function isHost(state: RoomState, userId: string): boolean {
  return state.hostId === userId;
}

/** The caller as an active participant, or 403 ROOM_ACCESS_DENIED. */
export function requireActive(state: RoomState, userId: string): Participant {
  const p = state.participants[userId];
  if (!p || !p.isActive) throw roomErrors.accessDenied();
  return p;
}

export function can(state: RoomState, participant: Participant, capability: Capability): boolean {
  return hasCapability(participant.role, isHost(state, participant.userId), capability);
}

/** Host or raw role interviewer: who may change phase, lock/unlock and pause/resume. */
export function isHostOrInterviewer(state: RoomState, participant: Participant): boolean {
  return isHost(state, participant.userId) || participant.role === 'interviewer';
}

export interface ParticipantView {
  isActive: boolean;
  removedAt: string | null | Date;
}

/**
 * Who may read a room's detail and participants: an active participant; once the room is finished, any
 * participant who was not removed.
 */
export function canViewRoom(status: RoomStatus, participant: ParticipantView | null | undefined): boolean {
  if (!participant) return false;
  if (participant.isActive) return true;
  return status === 'finished' && !participant.removedAt;
}

/** Why the collab plane must refuse a WebSocket join (authorize-join), or null when it may proceed. */
export type JoinDenial = 'room-not-found' | 'room-finished' | 'not-participant' | 'participant-removed';
export function collabJoinDenial(
  room: { status: RoomStatus } | null | undefined,
  participant: ParticipantView | null | undefined,
): JoinDenial | null {
  if (!room) return 'room-not-found';
  if (room.status === 'finished') return 'room-finished';
  if (!participant) return 'not-participant';
  if (participant.removedAt) return 'participant-removed';
  return null;
}

/** The other active participant who takes over when the host leaves: the one who joined earliest (ties by id). */
export function successorOf(state: RoomState, leavingHostId: string): Participant | undefined {
  return activeParticipants(state)
    .filter((p) => p.userId !== leavingHostId)
    .sort((a, b) => (a.joinedAt === b.joinedAt ? a.userId.localeCompare(b.userId) : a.joinedAt.localeCompare(b.joinedAt)))[0];
}

export function elapsedSince(from: string | null, to: string): number {
  if (!from) return 0;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/**
 * The editor-lock rule, the same in REST and WebSocket: observers never edit; while the editor is locked only
 * the host and interviewers edit.
 */
export function canEditCode(role: RoomRole, host: boolean, editorLocked: boolean): boolean {
  if (!hasCapability(role, host, 'code:edit')) return false;
  return !editorLocked || host || role === 'interviewer';
}

/**
 * Checks for running or submitting code in a room: an active participant, editor unlocked (409
 * ROOM_EDITOR_LOCKED for everyone while locked), and the `code:run` / `code:submit` capability.
 */
export function assertCanExecute(
  room: { hostId: string; editorLocked: boolean },
  participant: { role: RoomRole; isActive: boolean } | null | undefined,
  userId: string,
  capability: 'code:run' | 'code:submit',
): void {
  if (!participant || !participant.isActive) throw roomErrors.accessDenied();
  if (room.editorLocked) throw roomErrors.editorLocked();
  if (!hasCapability(participant.role, room.hostId === userId, capability)) throw roomErrors.permissionDenied();
}
