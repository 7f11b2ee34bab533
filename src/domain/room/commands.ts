/**
 * What can be asked of a room. Every command carries the time it happens (`now`, ISO) and any id it needs, so the
 * decider stays pure. Facts owned by other aggregates (is the problem published? is the caller an admin? was the
 * final snapshot recorded?) are read by the command handler and passed in as plain values.
 */
import type { FinishReason } from './events.js';
import type { Language, RoomMode, RoomRole, RoomStatus } from './constants.js';

export interface CreateRoom {
  type: 'CreateRoom';
  roomId: string;
  code: string;
  hostId: string;
  mode: RoomMode;
  name: string | null;
  problemId: string | null;
  language: Language | null;
  maxParticipants: number;
  maxDuration: number;
  isPrivate: boolean;
  matchId?: string | null;
  now: string;
}

export interface JoinRoom {
  type: 'JoinRoom';
  userId: string;
  roomCode: string | null;
  requestedRole: RoomRole | null;
  /** admins hold room:join-any and skip the invite code */
  isAdmin: boolean;
  now: string;
}

export interface LeaveRoom {
  type: 'LeaveRoom';
  userId: string;
  now: string;
}

/** The collab plane saw the user's socket close. */
export interface DisconnectParticipant {
  type: 'DisconnectParticipant';
  userId: string;
  at: string;
}

/** Presence sweep: `joinedAt` is the join the sweep judged stale; a newer join makes the command a no-op. */
export interface SweepParticipant {
  type: 'SweepParticipant';
  userId: string;
  joinedAt: string;
  now: string;
}

export interface RemoveParticipant {
  type: 'RemoveParticipant';
  by: string;
  userId: string;
  now: string;
}

export interface ChangeParticipantRole {
  type: 'ChangeParticipantRole';
  by: string;
  userId: string;
  role: RoomRole;
  now: string;
}

export interface TransferOwnership {
  type: 'TransferOwnership';
  by: string;
  userId: string;
  now: string;
}

export interface ToggleReady {
  type: 'ToggleReady';
  userId: string;
  now: string;
}

export interface ChangeLanguage {
  type: 'ChangeLanguage';
  by: string;
  language: Language;
  now: string;
}

export interface SelectProblem {
  type: 'SelectProblem';
  by: string;
  problemId: string;
  /** the problem exists, is not deleted and is published */
  problemAvailable: boolean;
  now: string;
}

export interface UpdateSettings {
  type: 'UpdateSettings';
  by: string;
  name?: string | null;
  maxParticipants?: number;
  maxDuration?: number;
  isPrivate?: boolean;
  now: string;
}

export interface SetEditorLock {
  type: 'SetEditorLock';
  by: string;
  locked: boolean;
  now: string;
}

export interface SetTimerPaused {
  type: 'SetTimerPaused';
  by: string;
  paused: boolean;
  now: string;
}

export interface TransitionPhase {
  type: 'TransitionPhase';
  by: string;
  target: RoomStatus;
  /** id for the session a waiting → warmup transition creates */
  newSessionId: string;
  /** → finished with a session: the collab plane's final (`session_end`) snapshot is recorded on the session */
  sessionEndRecorded: boolean;
  now: string;
}

/** The system finishes the room: abandoned-room cleanup, or an admin's force-close. */
export interface FinishBySystem {
  type: 'FinishBySystem';
  reason: Exclude<FinishReason, 'user'>;
  /** the admin for a force-close; null for the cleanup job */
  by: string | null;
  sessionEndRecorded: boolean;
  now: string;
}

export interface RequestRoleSwap {
  type: 'RequestRoleSwap';
  by: string;
  targetUserId: string;
  swapId: string;
  now: string;
}

export interface RespondToRoleSwap {
  type: 'RespondToRoleSwap';
  by: string;
  swapId: string;
  accept: boolean;
  now: string;
}

export interface ExpireRoleSwaps {
  type: 'ExpireRoleSwaps';
  now: string;
}

export interface DestroyRoom {
  type: 'DestroyRoom';
  by: string;
  /** admins hold room:delete-any */
  isAdmin: boolean;
  now: string;
}

export type RoomCommand =
  | CreateRoom
  | JoinRoom
  | LeaveRoom
  | DisconnectParticipant
  | SweepParticipant
  | RemoveParticipant
  | ChangeParticipantRole
  | TransferOwnership
  | ToggleReady
  | ChangeLanguage
  | SelectProblem
  | UpdateSettings
  | SetEditorLock
  | SetTimerPaused
  | TransitionPhase
  | FinishBySystem
  | RequestRoleSwap
  | RespondToRoleSwap
  | ExpireRoleSwaps
  | DestroyRoom;
