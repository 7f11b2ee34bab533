/**
 * A room as its events describe it: the fold (`evolve`) of the `room-<id>` stream. Effects that the contract ties to
 * a transition (readiness reset when leaving waiting, everyone deactivated on finish, the coding timer) happen here,
 * driven by the data the decider put into the event.
 */
import type { Language, RoomMode, RoomRole, RoomStatus } from './constants.js';
import type { RoomEvent } from './events.js';

export interface Participant {
  userId: string;
  role: RoomRole;
  isActive: boolean;
  isReady: boolean;
  /** when the participant (last) joined; reactivation moves it */
  joinedAt: string;
  leftAt: string | null;
  /** set by the host's kick; a removed user can never come back */
  removedAt: string | null;
}

export type RoleSwapStatus = 'pending' | 'accepted' | 'declined' | 'expired';

export interface RoleSwap {
  swapId: string;
  requesterId: string;
  targetUserId: string;
  requesterRole: RoomRole;
  targetRole: RoomRole;
  requestedAt: string;
  expiresAt: string;
  status: RoleSwapStatus;
  respondedAt: string | null;
}

export interface RoomState {
  exists: boolean;
  destroyed: boolean;
  roomId: string;
  code: string;
  name: string | null;
  mode: RoomMode;
  hostId: string;
  language: Language | null;
  problemId: string | null;
  isPrivate: boolean;
  maxParticipants: number;
  maxDuration: number;
  status: RoomStatus;
  editorLocked: boolean;
  timerPaused: boolean;
  /** start of the current phase (or of the running coding timer after a resume) */
  phaseStartedAt: string | null;
  /** accumulated coding time, folded in when coding is left or paused */
  elapsedMs: number;
  createdAt: string;
  endedAt: string | null;
  sessionId: string | null;
  sessionStartedAt: string | null;
  /** the session's participants as the room knows them (snapshot at start + late joiners + swaps) */
  sessionMembers: Record<string, { role: RoomRole; joinedAt: string }>;
  participants: Record<string, Participant>;
  roleSwaps: Record<string, RoleSwap>;
  matchId: string | null;
}

export function initialRoomState(): RoomState {
  return {
    exists: false,
    destroyed: false,
    roomId: '',
    code: '',
    name: null,
    mode: 'peer',
    hostId: '',
    language: null,
    problemId: null,
    isPrivate: true,
    maxParticipants: 2,
    maxDuration: 120,
    status: 'waiting',
    editorLocked: false,
    timerPaused: false,
    phaseStartedAt: null,
    elapsedMs: 0,
    createdAt: '',
    endedAt: null,
    sessionId: null,
    sessionStartedAt: null,
    sessionMembers: {},
    participants: {},
    roleSwaps: {},
    matchId: null,
  };
}

/** The session is running: it exists and the room has not finished. */
export function hasOngoingSession(state: RoomState): boolean {
  return state.sessionId !== null && state.status !== 'finished';
}

function withParticipant(state: RoomState, userId: string, patch: Partial<Participant>): RoomState {
  const current = state.participants[userId];
  if (!current) return state;
  return { ...state, participants: { ...state.participants, [userId]: { ...current, ...patch } } };
}

function withRole(state: RoomState, userId: string, role: RoomRole): RoomState {
  const next = withParticipant(state, userId, { role });
  const member = next.sessionMembers[userId];
  if (!member || !hasOngoingSession(next)) return next;
  return { ...next, sessionMembers: { ...next.sessionMembers, [userId]: { ...member, role } } };
}

function mapParticipants(state: RoomState, f: (p: Participant) => Participant): Record<string, Participant> {
  const out: Record<string, Participant> = {};
  for (const [id, p] of Object.entries(state.participants)) out[id] = f(p);
  return out;
}

function withSwap(state: RoomState, swapId: string, patch: Partial<RoleSwap>): RoomState {
  const swap = state.roleSwaps[swapId];
  if (!swap) return state;
  return { ...state, roleSwaps: { ...state.roleSwaps, [swapId]: { ...swap, ...patch } } };
}

type DataOf<T extends RoomEvent['type']> = Extract<RoomEvent, { type: T }>['data'];

function roomCreated(d: DataOf<'RoomCreated'>): RoomState {
  return {
    ...initialRoomState(),
    exists: true,
    roomId: d.roomId,
    code: d.code,
    name: d.name,
    mode: d.mode,
    hostId: d.hostId,
    language: d.language,
    problemId: d.problemId,
    isPrivate: d.isPrivate,
    maxParticipants: d.maxParticipants,
    maxDuration: d.maxDuration,
    createdAt: d.createdAt,
    phaseStartedAt: d.createdAt,
    matchId: d.matchId ?? null,
  };
}

function participantJoined(state: RoomState, d: DataOf<'ParticipantJoined'>): RoomState {
  const participant: Participant = {
    userId: d.userId,
    role: d.role,
    isActive: true,
    isReady: false,
    joinedAt: d.joinedAt,
    leftAt: null,
    removedAt: null,
  };
  const next = { ...state, participants: { ...state.participants, [d.userId]: participant } };
  if (d.sessionId && d.sessionId === state.sessionId && !state.sessionMembers[d.userId]) {
    next.sessionMembers = { ...state.sessionMembers, [d.userId]: { role: d.role, joinedAt: d.joinedAt } };
  }
  return next;
}

function settingsChanged(state: RoomState, d: DataOf<'RoomSettingsChanged'>): RoomState {
  return {
    ...state,
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.maxParticipants !== undefined ? { maxParticipants: d.maxParticipants } : {}),
    ...(d.maxDuration !== undefined ? { maxDuration: d.maxDuration } : {}),
    ...(d.isPrivate !== undefined ? { isPrivate: d.isPrivate } : {}),
  };
}

/** A new phase restarts its clock; leaving the lobby clears readiness, finishing ends presence and pending swaps. */
function phaseChanged(state: RoomState, d: DataOf<'PhaseChanged'>): RoomState {
  let next: RoomState = {
    ...state,
    status: d.to,
    phaseStartedAt: d.changedAt,
    elapsedMs: d.elapsedMs,
    timerPaused: d.from === 'coding' || d.to === 'coding' ? false : state.timerPaused,
    endedAt: d.to === 'finished' ? d.changedAt : state.endedAt,
  };
  if (d.from === 'waiting') next.participants = mapParticipants(next, (p) => ({ ...p, isReady: false }));
  if (d.sessionParticipants && d.sessionId) {
    next.sessionId = d.sessionId;
    next.sessionStartedAt = d.changedAt;
    next.sessionMembers = Object.fromEntries(d.sessionParticipants.map((m) => [m.userId, { role: m.role, joinedAt: m.joinedAt }]));
  }
  if (d.to === 'finished') {
    next = {
      ...next,
      participants: mapParticipants(next, (p) => (p.isActive ? { ...p, isActive: false, isReady: false, leftAt: d.changedAt } : p)),
      roleSwaps: Object.fromEntries(
        Object.entries(next.roleSwaps).map(([id, s]) => [id, s.status === 'pending' ? { ...s, status: 'expired' as const } : s]),
      ),
    };
  }
  return next;
}

export function evolveRoom(state: RoomState, event: RoomEvent): RoomState {
  switch (event.type) {
    case 'RoomCreated':
      return roomCreated(event.data);
    case 'ParticipantJoined':
      return participantJoined(state, event.data);
    case 'ParticipantLeft':
      return withParticipant(state, event.data.userId, { isActive: false, isReady: false, leftAt: event.data.leftAt });
    case 'ParticipantRemoved':
      return withParticipant(state, event.data.userId, {
        isActive: false,
        isReady: false,
        leftAt: event.data.removedAt,
        removedAt: event.data.removedAt,
      });
    case 'ParticipantRoleChanged':
      return withRole(state, event.data.userId, event.data.to);
    case 'OwnershipTransferred':
      return { ...state, hostId: event.data.to };
    case 'ParticipantReadyChanged':
      return withParticipant(state, event.data.userId, { isReady: event.data.isReady });
    case 'RoomLanguageChanged':
      return { ...state, language: event.data.to };
    case 'RoomProblemSelected':
      return { ...state, problemId: event.data.to };
    case 'RoomSettingsChanged':
      return settingsChanged(state, event.data);
    case 'EditorLocked':
      return { ...state, editorLocked: true };
    case 'EditorUnlocked':
      return { ...state, editorLocked: false };
    case 'TimerPaused':
      return { ...state, timerPaused: true, elapsedMs: event.data.elapsedMs };
    case 'TimerResumed':
      return { ...state, timerPaused: false, phaseStartedAt: event.data.resumedAt };
    case 'PhaseChanged':
      return phaseChanged(state, event.data);
    case 'RoomForceClosed':
      return state;
    case 'RoleSwapRequested': {
      const d = event.data;
      return {
        ...state,
        roleSwaps: { ...state.roleSwaps, [d.swapId]: { ...d, status: 'pending', respondedAt: null } },
      };
    }
    case 'RoleSwapAccepted': {
      const d = event.data;
      let next = withSwap(state, d.swapId, { status: 'accepted', respondedAt: d.respondedAt });
      next = withRole(next, d.requesterId, d.requesterRole);
      return withRole(next, d.targetUserId, d.targetRole);
    }
    case 'RoleSwapDeclined':
      return withSwap(state, event.data.swapId, { status: 'declined', respondedAt: event.data.respondedAt });
    case 'RoleSwapExpired':
      return withSwap(state, event.data.swapId, { status: 'expired', respondedAt: event.data.expiredAt });
    case 'RoomDestroyed':
      return { ...state, destroyed: true };
  }
}
