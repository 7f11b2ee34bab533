/**
 * Events of the `room-<id>` stream. They are a public contract (other modules project them): add optional fields,
 * never rename. Timestamps that rules depend on travel in `data`, so folding a stream needs nothing but the events.
 */
import type { DomainEvent } from '../shared/decider.js';
import type { AssignmentReason, Language, RoomMode, RoomRole, RoomStatus } from './constants.js';

export interface SessionMemberData {
  userId: string;
  role: RoomRole;
  /** when the participant (last) joined the room */
  joinedAt: string;
}

export type RoomCreated = DomainEvent<
  'RoomCreated',
  {
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
    createdAt: string;
    /** set when the room was created by matchmaking */
    matchId?: string | null;
  }
>;

export type ParticipantJoined = DomainEvent<
  'ParticipantJoined',
  {
    userId: string;
    role: RoomRole;
    requestedRole: RoomRole | null;
    /** `host` for the creator's own row */
    reason: AssignmentReason | 'host';
    /** true when an inactive row was reactivated */
    rejoined: boolean;
    joinedAt: string;
    /** the ongoing session the joiner becomes a participant of (late joiners) */
    sessionId: string | null;
  }
>;

export type ParticipantLeft = DomainEvent<
  'ParticipantLeft',
  { userId: string; reason: 'left' | 'disconnected' | 'swept'; leftAt: string }
>;

export type ParticipantRemoved = DomainEvent<'ParticipantRemoved', { userId: string; removedBy: string; removedAt: string }>;

export type ParticipantRoleChanged = DomainEvent<
  'ParticipantRoleChanged',
  {
    userId: string;
    from: RoomRole;
    to: RoomRole;
    changedBy: string;
    reason: 'assigned' | 'ownership_transfer' | 'role_swap';
    changedAt: string;
  }
>;

export type OwnershipTransferred = DomainEvent<
  'OwnershipTransferred',
  { from: string; to: string; transferredBy: string; reason: 'transfer' | 'host_left'; transferredAt: string }
>;

export type ParticipantReadyChanged = DomainEvent<'ParticipantReadyChanged', { userId: string; isReady: boolean; changedAt: string }>;

export type RoomLanguageChanged = DomainEvent<
  'RoomLanguageChanged',
  { from: Language | null; to: Language; changedBy: string; changedAt: string }
>;

export type RoomProblemSelected = DomainEvent<
  'RoomProblemSelected',
  { from: string | null; to: string; selectedBy: string; selectedAt: string }
>;

export type RoomSettingsChanged = DomainEvent<
  'RoomSettingsChanged',
  {
    changedBy: string;
    changedAt: string;
    name?: string | null;
    maxParticipants?: number;
    maxDuration?: number;
    isPrivate?: boolean;
  }
>;

export type EditorLocked = DomainEvent<'EditorLocked', { lockedBy: string; lockedAt: string }>;
export type EditorUnlocked = DomainEvent<'EditorUnlocked', { unlockedBy: string; unlockedAt: string }>;

export type TimerPaused = DomainEvent<'TimerPaused', { pausedBy: string; pausedAt: string; elapsedMs: number }>;
export type TimerResumed = DomainEvent<'TimerResumed', { resumedBy: string; resumedAt: string }>;

export type FinishReason = 'user' | 'abandoned' | 'admin';

export type PhaseChanged = DomainEvent<
  'PhaseChanged',
  {
    from: RoomStatus;
    to: RoomStatus;
    /** null when the system finished the room */
    changedBy: string | null;
    changedAt: string;
    /** accumulated coding time after this transition */
    elapsedMs: number;
    /** the room's session: created by waiting → warmup, finished with the room */
    sessionId: string | null;
    /** waiting → warmup: the active participants, who become the session's participants */
    sessionParticipants?: SessionMemberData[];
    /** → finished */
    finishReason?: FinishReason;
    /** → finished: participants that were active and are now inactive */
    deactivated?: string[];
  }
>;

export type RoomForceClosed = DomainEvent<'RoomForceClosed', { closedBy: string; closedAt: string; previousStatus: RoomStatus }>;

export type RoleSwapRequested = DomainEvent<
  'RoleSwapRequested',
  {
    swapId: string;
    requesterId: string;
    targetUserId: string;
    requesterRole: RoomRole;
    targetRole: RoomRole;
    requestedAt: string;
    expiresAt: string;
  }
>;
export type RoleSwapAccepted = DomainEvent<
  'RoleSwapAccepted',
  { swapId: string; requesterId: string; targetUserId: string; requesterRole: RoomRole; targetRole: RoomRole; respondedAt: string }
>;
export type RoleSwapDeclined = DomainEvent<'RoleSwapDeclined', { swapId: string; declinedBy: string; respondedAt: string }>;
export type RoleSwapExpired = DomainEvent<'RoleSwapExpired', { swapId: string; expiredAt: string }>;

export type RoomDestroyed = DomainEvent<
  'RoomDestroyed',
  { destroyedBy: string; destroyedAt: string; code: string; sessionId: string | null }
>;

export type RoomEvent =
  | RoomCreated
  | ParticipantJoined
  | ParticipantLeft
  | ParticipantRemoved
  | ParticipantRoleChanged
  | OwnershipTransferred
  | ParticipantReadyChanged
  | RoomLanguageChanged
  | RoomProblemSelected
  | RoomSettingsChanged
  | EditorLocked
  | EditorUnlocked
  | TimerPaused
  | TimerResumed
  | PhaseChanged
  | RoomForceClosed
  | RoleSwapRequested
  | RoleSwapAccepted
  | RoleSwapDeclined
  | RoleSwapExpired
  | RoomDestroyed;

export const ROOM_EVENT_TYPES = [
  'RoomCreated',
  'ParticipantJoined',
  'ParticipantLeft',
  'ParticipantRemoved',
  'ParticipantRoleChanged',
  'OwnershipTransferred',
  'ParticipantReadyChanged',
  'RoomLanguageChanged',
  'RoomProblemSelected',
  'RoomSettingsChanged',
  'EditorLocked',
  'EditorUnlocked',
  'TimerPaused',
  'TimerResumed',
  'PhaseChanged',
  'RoomForceClosed',
  'RoleSwapRequested',
  'RoleSwapAccepted',
  'RoleSwapDeclined',
  'RoleSwapExpired',
  'RoomDestroyed',
] as const satisfies readonly RoomEvent['type'][];

export const roomStream = (roomId: string) => `room-${roomId}`;
