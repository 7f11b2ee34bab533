/**
 * The room decider: every rule of phases, permissions and role invariants as they apply to one room.
 * Each command has its own function below; the checks run in a fixed, documented order, so the first broken rule
 * is the error a client sees.
 *
 * Decisions taken here (where the contract leaves a choice):
 * - ROOM_INVALID_TRANSITION is 409; a room may finish straight from `waiting` (no session, so no final
 *   snapshot is required).
 * - Late joiners (joining while a session runs) become session participants (`ParticipantJoined.sessionId`).
 * - Leaving: `leave` marks the caller inactive (never removed). When the host leaves a room that is not finished and
 *   other participants are still active, ownership passes to the active participant who joined earliest (roles are
 *   left as they are: after `waiting` they are frozen, and in `waiting` the new host can reassign them). A host who
 *   leaves an otherwise empty room stays its host. A disconnect (socket closed) never moves ownership: the host may
 *   come back, and may finish the room while inactive.
 * - Role swaps (peer rooms): requested by an active participant towards another active participant with a different
 *   role; only the target accepts, either side may decline; answered within 30 s (ROLE_SWAP_EXPIRED after that);
 *   allowed in `waiting`, `warmup` and `coding` (the pair trades interviewer and candidate halfway
 *   through); in `wrapup` and `finished` roles stay put (PARTICIPANT_CANNOT_CHANGE_ROLE). Answering again with the
 *   same answer is a no-op, so concurrent accepts swap exactly once. An accepted swap during a session changes the
 *   session's roles too, which is what divides a session into each person's candidate segments.
 * - Timer pause/resume: host or interviewer, only while coding (409 ROOM_INVALID_STATE otherwise); idempotent.
 * - Settings and problem selection need the host as an active participant; the problem can change until coding
 *   starts; `maxParticipants` may not drop below the current active count.
 * - A system finish (abandoned-room cleanup, admin force-close) needs the final snapshot only when the room has a
 *   session and a language (without a language the collab plane has no code to snapshot).
 * - Admins hold room:join-any (no invite code needed) and room:delete-any.
 */
import type { Decider } from '../shared/decider.js';
import type {
  ChangeParticipantRole,
  CreateRoom,
  DestroyRoom,
  DisconnectParticipant,
  FinishBySystem,
  JoinRoom,
  LeaveRoom,
  RemoveParticipant,
  RoomCommand,
  SweepParticipant,
  ToggleReady,
  TransferOwnership,
  TransitionPhase,
} from './commands.js';
import {
  hostRoleFor,
  isAllowedTransition,
  MAX_PARTICIPANTS,
  MIN_PARTICIPANTS,
  type RoomRole,
  type RoomStatus,
} from './constants.js';
import { roomErrors } from './errors.js';
import type { FinishReason, PhaseChanged, RoomEvent } from './events.js';
import {
  activeParticipants,
  assertRoleUpperBounds,
  assertStartConfiguration,
  chooseRole,
  elapsedSince,
  isHost,
  requiredRoles,
  rolesAfter,
  successorOf,
} from './rules.js';
import { evolveRoom, initialRoomState, type RoomState } from './state.js';
import { requireNotFinished, requireRoom } from './guards.js';
import { expireSwaps, requestSwap, respondSwap } from './role-swap.js';
import { changeLanguage, selectProblem, setEditorLock, setTimerPaused, updateSettings } from './room-settings.js';

export { SWAP_PHASES } from './role-swap.js';

function create(c: CreateRoom, s: RoomState): RoomEvent[] {
  if (s.exists) return []; // the same create delivered twice
  if (c.maxParticipants < MIN_PARTICIPANTS || c.maxParticipants > MAX_PARTICIPANTS) {
    throw roomErrors.validation('config.maxParticipants', `maxParticipants must be between ${MIN_PARTICIPANTS} and ${MAX_PARTICIPANTS}`, c.maxParticipants);
  }
  if (c.maxDuration <= 0) throw roomErrors.validation('config.maxDuration', 'maxDuration must be positive', c.maxDuration);
  return [
    {
      type: 'RoomCreated',
      data: {
        roomId: c.roomId,
        code: c.code,
        hostId: c.hostId,
        mode: c.mode,
        name: c.name,
        problemId: c.problemId,
        language: c.language,
        maxParticipants: c.maxParticipants,
        maxDuration: c.maxDuration,
        isPrivate: c.isPrivate,
        createdAt: c.now,
        ...(c.matchId ? { matchId: c.matchId } : {}),
      },
    },
    {
      type: 'ParticipantJoined',
      data: { userId: c.hostId, role: hostRoleFor(c.mode), requestedRole: null, reason: 'host', rejoined: false, joinedAt: c.now, sessionId: null },
    },
  ];
}

/** The join algorithm. */
function join(c: JoinRoom, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  const existing = s.participants[c.userId];
  if (existing?.removedAt) throw roomErrors.participantRemoved();
  if (!existing && !c.isAdmin) {
    if (s.isPrivate && !c.roomCode) throw roomErrors.invalidCode();
    if (c.roomCode && c.roomCode.toUpperCase() !== s.code) throw roomErrors.invalidCode();
  }
  if (existing?.isActive) return []; // idempotent: the current role stands
  if (activeParticipants(s).length >= s.maxParticipants) throw roomErrors.full();
  const choice = chooseRole(s, c.requestedRole);
  assertRoleUpperBounds(s.mode, rolesAfter(s, { [c.userId]: choice.role }));
  return [
    {
      type: 'ParticipantJoined',
      data: {
        userId: c.userId,
        role: choice.role,
        requestedRole: c.requestedRole,
        reason: choice.reason,
        rejoined: existing !== undefined,
        joinedAt: c.now,
        sessionId: s.status !== 'waiting' ? s.sessionId : null,
      },
    },
  ];
}

function leave(c: LeaveRoom, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  const p = s.participants[c.userId];
  if (!p || p.removedAt) throw roomErrors.accessDenied();
  if (!p.isActive) return [];
  const events: RoomEvent[] = [];
  if (isHost(s, c.userId)) {
    const successor = successorOf(s, c.userId);
    if (successor) {
      events.push({
        type: 'OwnershipTransferred',
        data: { from: c.userId, to: successor.userId, transferredBy: c.userId, reason: 'host_left', transferredAt: c.now },
      });
    }
  }
  events.push({ type: 'ParticipantLeft', data: { userId: c.userId, reason: 'left', leftAt: c.now } });
  return events;
}

function disconnect(c: DisconnectParticipant, s: RoomState): RoomEvent[] {
  requireRoom(s);
  const p = s.participants[c.userId];
  if (s.status === 'finished' || !p || !p.isActive) return [];
  // A close that happened before the user's latest join belongs to an older socket.
  if (Date.parse(c.at) < Date.parse(p.joinedAt)) return [];
  return [{ type: 'ParticipantLeft', data: { userId: c.userId, reason: 'disconnected', leftAt: c.at } }];
}

function sweep(c: SweepParticipant, s: RoomState): RoomEvent[] {
  if (!s.exists || s.destroyed || s.status === 'finished') return [];
  const p = s.participants[c.userId];
  if (!p || !p.isActive || p.joinedAt !== c.joinedAt) return [];
  return [{ type: 'ParticipantLeft', data: { userId: c.userId, reason: 'swept', leftAt: c.now } }];
}

function remove(c: RemoveParticipant, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (c.by === c.userId) throw roomErrors.cannotRemoveSelf();
  if (!isHost(s, c.by)) throw roomErrors.permissionDenied('Only the host can remove participants');
  const target = s.participants[c.userId];
  if (!target || !target.isActive) throw roomErrors.participantNotFound();
  return [{ type: 'ParticipantRemoved', data: { userId: c.userId, removedBy: c.by, removedAt: c.now } }];
}

function changeRole(c: ChangeParticipantRole, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (!isHost(s, c.by)) throw roomErrors.permissionDenied('Only the host can change roles');
  requireNotFinished(s);
  if (s.status !== 'waiting') throw roomErrors.rolesLocked();
  if (c.userId === s.hostId) throw roomErrors.validation('participantUserId', "The host's role changes only by transferring ownership", c.userId);
  if (c.role === 'interviewer' && s.mode === 'ai') throw roomErrors.notPeerMode();
  const target = s.participants[c.userId];
  if (!target || !target.isActive) throw roomErrors.participantNotFound();
  if (target.role === c.role) return [];
  assertRoleUpperBounds(s.mode, rolesAfter(s, { [c.userId]: c.role }));
  return [
    {
      type: 'ParticipantRoleChanged',
      data: { userId: c.userId, from: target.role, to: c.role, changedBy: c.by, reason: 'assigned', changedAt: c.now },
    },
  ];
}

function transfer(c: TransferOwnership, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (!isHost(s, c.by)) throw roomErrors.permissionDenied('Only the host can transfer ownership');
  requireNotFinished(s);
  if (s.status !== 'waiting') throw roomErrors.rolesLocked();
  if (c.userId === c.by) throw roomErrors.cannotTransfer('You already own this room');
  const target = s.participants[c.userId];
  if (!target) throw roomErrors.participantNotFound();
  if (!target.isActive) throw roomErrors.cannotTransfer('The new host must be an active participant');
  const host = s.participants[c.by];
  if (!host?.isActive) throw roomErrors.cannotTransfer('The current host must be an active participant');
  const newHostRole = hostRoleFor(s.mode);
  const oldHostRole: RoomRole = target.role === newHostRole ? 'observer' : target.role;
  assertRoleUpperBounds(s.mode, rolesAfter(s, { [c.userId]: newHostRole, [c.by]: oldHostRole }));
  const events: RoomEvent[] = [
    { type: 'OwnershipTransferred', data: { from: c.by, to: c.userId, transferredBy: c.by, reason: 'transfer', transferredAt: c.now } },
  ];
  if (target.role !== newHostRole) {
    events.push({
      type: 'ParticipantRoleChanged',
      data: { userId: c.userId, from: target.role, to: newHostRole, changedBy: c.by, reason: 'ownership_transfer', changedAt: c.now },
    });
  }
  if (host.role !== oldHostRole) {
    events.push({
      type: 'ParticipantRoleChanged',
      data: { userId: c.by, from: host.role, to: oldHostRole, changedBy: c.by, reason: 'ownership_transfer', changedAt: c.now },
    });
  }
  return events;
}

function toggleReady(c: ToggleReady, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (s.status !== 'waiting') throw roomErrors.readyOutsideWaiting();
  const p = s.participants[c.userId];
  if (!p || !p.isActive) throw roomErrors.participantNotFound();
  return [{ type: 'ParticipantReadyChanged', data: { userId: c.userId, isReady: !p.isReady, changedAt: c.now } }];
}

function transition(c: TransitionPhase, s: RoomState): RoomEvent[] {
  requireRoom(s);
  const p = s.participants[c.by];
  if (!p || p.removedAt) throw roomErrors.accessDenied();
  const host = isHost(s, c.by);
  if (!p.isActive && !(host && c.target === 'finished')) throw roomErrors.accessDenied();
  if (!host && p.role !== 'interviewer') throw roomErrors.permissionDenied('Only the host or the interviewer can change the phase');
  if (!isAllowedTransition(s.status, c.target)) throw roomErrors.invalidTransition(s.status, c.target);
  return [phaseChange(s, c.target, { by: c.by, now: c.now, newSessionId: c.newSessionId, sessionEndRecorded: c.sessionEndRecorded, reason: 'user' })];
}

function finishBySystem(c: FinishBySystem, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  if (c.reason === 'abandoned' && activeParticipants(s).length > 0) return []; // someone came back meanwhile
  const events: RoomEvent[] = [];
  if (c.reason === 'admin' && c.by) {
    events.push({ type: 'RoomForceClosed', data: { closedBy: c.by, closedAt: c.now, previousStatus: s.status } });
  }
  events.push(phaseChange(s, 'finished', { by: c.by, now: c.now, newSessionId: '', sessionEndRecorded: c.sessionEndRecorded, reason: c.reason }));
  return events;
}

/** Whether finishing this room needs the collab plane's final snapshot first. */
export function needsFinalSnapshot(s: RoomState, reason: FinishReason): boolean {
  if (!s.sessionId) return false;
  return reason === 'user' || s.language !== null;
}

function phaseChange(
  s: RoomState,
  target: RoomStatus,
  o: { by: string | null; now: string; newSessionId: string; sessionEndRecorded: boolean; reason: FinishReason },
): PhaseChanged {
  const active = activeParticipants(s);
  let sessionParticipants: PhaseChanged['data']['sessionParticipants'];
  if (s.status === 'waiting' && target === 'warmup') {
    assertStartConfiguration(s.mode, active.map((p) => p.role));
    const required = active.filter((p) => requiredRoles(s.mode).includes(p.role));
    if (required.length === 0 || required.some((p) => !p.isReady)) throw roomErrors.participantsNotReady();
    sessionParticipants = active.map((p) => ({ userId: p.userId, role: p.role, joinedAt: p.joinedAt }));
  }
  if (target === 'finished' && s.sessionId) {
    if (o.reason === 'user' && !s.language) throw roomErrors.validation('language', 'Cannot finish before selecting a language');
    if (needsFinalSnapshot(s, o.reason) && !o.sessionEndRecorded) throw roomErrors.missingSessionEnd();
  }
  const codingRunning = s.status === 'coding' && !s.timerPaused;
  const elapsedMs = codingRunning ? s.elapsedMs + elapsedSince(s.phaseStartedAt, o.now) : s.elapsedMs;
  return {
    type: 'PhaseChanged',
    data: {
      from: s.status,
      to: target,
      changedBy: o.by,
      changedAt: o.now,
      elapsedMs,
      sessionId: sessionParticipants ? o.newSessionId : s.sessionId,
      ...(sessionParticipants ? { sessionParticipants } : {}),
      ...(target === 'finished' ? { finishReason: o.reason, deactivated: active.map((p) => p.userId) } : {}),
    },
  };
}

/** Phases in which a role swap may be requested and accepted. */
function destroy(c: DestroyRoom, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (!isHost(s, c.by) && !c.isAdmin) throw roomErrors.permissionDenied('Only the host can destroy the room');
  requireNotFinished(s);
  return [{ type: 'RoomDestroyed', data: { destroyedBy: c.by, destroyedAt: c.now, code: s.code, sessionId: s.sessionId } }];
}

export function decideRoom(command: RoomCommand, state: RoomState): RoomEvent[] {
  switch (command.type) {
    case 'CreateRoom':
      return create(command, state);
    case 'JoinRoom':
      return join(command, state);
    case 'LeaveRoom':
      return leave(command, state);
    case 'DisconnectParticipant':
      return disconnect(command, state);
    case 'SweepParticipant':
      return sweep(command, state);
    case 'RemoveParticipant':
      return remove(command, state);
    case 'ChangeParticipantRole':
      return changeRole(command, state);
    case 'TransferOwnership':
      return transfer(command, state);
    case 'ToggleReady':
      return toggleReady(command, state);
    case 'ChangeLanguage':
      return changeLanguage(command, state);
    case 'SelectProblem':
      return selectProblem(command, state);
    case 'UpdateSettings':
      return updateSettings(command, state);
    case 'SetEditorLock':
      return setEditorLock(command, state);
    case 'SetTimerPaused':
      return setTimerPaused(command, state);
    case 'TransitionPhase':
      return transition(command, state);
    case 'FinishBySystem':
      return finishBySystem(command, state);
    case 'RequestRoleSwap':
      return requestSwap(command, state);
    case 'RespondToRoleSwap':
      return respondSwap(command, state);
    case 'ExpireRoleSwaps':
      return expireSwaps(command, state);
    case 'DestroyRoom':
      return destroy(command, state);
  }
}

export const roomDecider: Decider<RoomCommand, RoomState, RoomEvent> = {
  initialState: initialRoomState,
  evolve: evolveRoom,
  decide: decideRoom,
};
