/**
 * Events of the `session-<id>` stream: one interview run of a room. Started when the room leaves
 * `waiting`, finished with the room; code snapshots (text + hash, de-duplicated) live here too.
 */
import type { DomainEvent } from '../shared/decider.js';
import type { Language, RoomMode, RoomRole, RoomStatus } from '../room/constants.js';
import type { FinishReason } from '../room/events.js';

export const SNAPSHOT_TRIGGERS = ['periodic', 'phase_change', 'submission', 'manual', 'session_end'] as const;
export type SnapshotTrigger = (typeof SNAPSHOT_TRIGGERS)[number];

export interface SessionMember {
  userId: string;
  role: RoomRole;
  joinedAt: string;
}

export type SessionStarted = DomainEvent<
  'SessionStarted',
  {
    sessionId: string;
    roomId: string;
    problemId: string | null;
    mode: RoomMode;
    language: Language | null;
    participants: SessionMember[];
    startedAt: string;
  }
>;

export type SessionParticipantAdded = DomainEvent<'SessionParticipantAdded', { sessionId: string; userId: string; role: RoomRole; joinedAt: string }>;
export type SessionParticipantRoleChanged = DomainEvent<
  'SessionParticipantRoleChanged',
  { sessionId: string; userId: string; from: RoomRole; to: RoomRole }
>;
export type SessionLanguageChanged = DomainEvent<'SessionLanguageChanged', { sessionId: string; from: Language | null; to: Language | null }>;
export type SessionProblemChanged = DomainEvent<'SessionProblemChanged', { sessionId: string; from: string | null; to: string | null }>;

export type CodeSnapshotTaken = DomainEvent<
  'CodeSnapshotTaken',
  {
    snapshotId: string;
    sessionId: string;
    roomId: string;
    code: string;
    /** sha256 (hex) of the code */
    codeHash: string;
    language: string;
    trigger: SnapshotTrigger;
    phase: RoomStatus | null;
    linesOfCode: number;
    takenAt: string;
  }
>;

/**
 * The collab plane's `session_end` snapshot when the code had not changed since the last recorded one: no new copy
 * of the code, but the final snapshot the finishing protocol requires is on record, pointing at the existing one.
 */
export type SessionEndSnapshotConfirmed = DomainEvent<
  'SessionEndSnapshotConfirmed',
  { sessionId: string; roomId: string; snapshotId: string; codeHash: string; phase: RoomStatus | null; takenAt: string }
>;

export type SessionFinished = DomainEvent<
  'SessionFinished',
  {
    sessionId: string;
    roomId: string;
    finishedAt: string;
    /** accumulated coding time */
    durationMs: number;
    finishedBy: string | null;
    reason: FinishReason;
    language: Language | null;
  }
>;

/** Per-user soft delete: the session disappears from that user's history only. */
export type SessionHiddenForUser = DomainEvent<'SessionHiddenForUser', { sessionId: string; userId: string; hiddenAt: string }>;

/** The room was destroyed before it finished: its session goes with it. */
export type SessionDiscarded = DomainEvent<'SessionDiscarded', { sessionId: string; roomId: string; discardedAt: string }>;

export type SessionEvent =
  | SessionStarted
  | SessionParticipantAdded
  | SessionParticipantRoleChanged
  | SessionLanguageChanged
  | SessionProblemChanged
  | CodeSnapshotTaken
  | SessionEndSnapshotConfirmed
  | SessionFinished
  | SessionHiddenForUser
  | SessionDiscarded;

export const SESSION_EVENT_TYPES = [
  'SessionStarted',
  'SessionParticipantAdded',
  'SessionParticipantRoleChanged',
  'SessionLanguageChanged',
  'SessionProblemChanged',
  'CodeSnapshotTaken',
  'SessionEndSnapshotConfirmed',
  'SessionFinished',
  'SessionHiddenForUser',
  'SessionDiscarded',
] as const satisfies readonly SessionEvent['type'][];

export const sessionStream = (sessionId: string) => `session-${sessionId}`;
