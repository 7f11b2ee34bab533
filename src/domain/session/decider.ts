/**
 * The session decider. The room decides when a session starts, who is in it and when it ends; the session stream
 * records it (`Reconcile` brings the session in line with what the room says, idempotently, so a crash between the
 * two appends is repaired by the next command) and owns what is only the session's: code snapshots, per-user soft
 * delete.
 */
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { Language, RoomMode, RoomStatus } from '../room/constants.js';
import type { FinishReason } from '../room/events.js';
import type { SessionEvent, SessionMember, SnapshotTrigger } from './events.js';

export interface SnapshotRef {
  snapshotId: string;
  codeHash: string;
  language: string;
  takenAt: string;
}

export interface SessionState {
  exists: boolean;
  discarded: boolean;
  sessionId: string;
  roomId: string;
  problemId: string | null;
  mode: RoomMode;
  language: Language | null;
  startedAt: string;
  status: 'ongoing' | 'finished';
  finishedAt: string | null;
  durationMs: number | null;
  participants: Record<string, { role: SessionMember['role']; joinedAt: string }>;
  lastSnapshot: SnapshotRef | null;
  /** how many `session_end` snapshots are on record (new or confirmed) */
  sessionEndSnapshots: number;
  /** `<trigger>@<takenAt>` of recent snapshot deliveries: a retried callback is recognised and ignored */
  recentDeliveries: string[];
  hiddenFor: Record<string, string>;
}

export interface ReconcileSession {
  type: 'ReconcileSession';
  sessionId: string;
  roomId: string;
  problemId: string | null;
  mode: RoomMode;
  language: Language | null;
  startedAt: string;
  participants: SessionMember[];
}

export interface RecordSnapshot {
  type: 'RecordSnapshot';
  snapshotId: string;
  roomId: string;
  code: string;
  codeHash: string;
  language: string;
  trigger: SnapshotTrigger;
  phase: RoomStatus | null;
  takenAt: string;
}

export interface FinishSession {
  type: 'FinishSession';
  finishedAt: string;
  durationMs: number;
  finishedBy: string | null;
  reason: FinishReason;
  language: Language | null;
}

export interface HideSession {
  type: 'HideSession';
  userId: string;
  isAdmin: boolean;
  now: string;
}

export interface DiscardSession {
  type: 'DiscardSession';
  now: string;
}

export type SessionCommand = ReconcileSession | RecordSnapshot | FinishSession | HideSession | DiscardSession;

export const sessionErrors = {
  notFound: () => new DomainError('SESSION_NOT_FOUND', 'Session not found'),
  notParticipant: () => new DomainError('SESSION_NOT_PARTICIPANT', 'You did not take part in this session'),
};

const DELIVERY_MEMORY = 32;

export function initialSessionState(): SessionState {
  return {
    exists: false,
    discarded: false,
    sessionId: '',
    roomId: '',
    problemId: null,
    mode: 'peer',
    language: null,
    startedAt: '',
    status: 'ongoing',
    finishedAt: null,
    durationMs: null,
    participants: {},
    lastSnapshot: null,
    sessionEndSnapshots: 0,
    recentDeliveries: [],
    hiddenFor: {},
  };
}

const deliveryKey = (trigger: string, takenAt: string) => `${trigger}@${takenAt}`;

function remember(state: SessionState, key: string): string[] {
  return [...state.recentDeliveries, key].slice(-DELIVERY_MEMORY);
}

export function evolveSession(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionStarted': {
      const d = event.data;
      return {
        ...initialSessionState(),
        exists: true,
        sessionId: d.sessionId,
        roomId: d.roomId,
        problemId: d.problemId,
        mode: d.mode,
        language: d.language,
        startedAt: d.startedAt,
        participants: Object.fromEntries(d.participants.map((p) => [p.userId, { role: p.role, joinedAt: p.joinedAt }])),
      };
    }
    case 'SessionParticipantAdded':
      return { ...state, participants: { ...state.participants, [event.data.userId]: { role: event.data.role, joinedAt: event.data.joinedAt } } };
    case 'SessionParticipantRoleChanged': {
      const p = state.participants[event.data.userId];
      if (!p) return state;
      return { ...state, participants: { ...state.participants, [event.data.userId]: { ...p, role: event.data.to } } };
    }
    case 'SessionLanguageChanged':
      return { ...state, language: event.data.to };
    case 'SessionProblemChanged':
      return { ...state, problemId: event.data.to };
    case 'CodeSnapshotTaken': {
      const d = event.data;
      return {
        ...state,
        lastSnapshot: { snapshotId: d.snapshotId, codeHash: d.codeHash, language: d.language, takenAt: d.takenAt },
        sessionEndSnapshots: state.sessionEndSnapshots + (d.trigger === 'session_end' ? 1 : 0),
        recentDeliveries: remember(state, deliveryKey(d.trigger, d.takenAt)),
      };
    }
    case 'SessionEndSnapshotConfirmed':
      return {
        ...state,
        sessionEndSnapshots: state.sessionEndSnapshots + 1,
        recentDeliveries: remember(state, deliveryKey('session_end', event.data.takenAt)),
      };
    case 'SessionFinished':
      return { ...state, status: 'finished', finishedAt: event.data.finishedAt, durationMs: event.data.durationMs, language: event.data.language };
    case 'SessionHiddenForUser':
      return { ...state, hiddenFor: { ...state.hiddenFor, [event.data.userId]: event.data.hiddenAt } };
    case 'SessionDiscarded':
      return { ...state, discarded: true };
  }
}

function reconcile(c: ReconcileSession, s: SessionState): SessionEvent[] {
  if (s.discarded) return [];
  if (!s.exists) {
    return [
      {
        type: 'SessionStarted',
        data: {
          sessionId: c.sessionId,
          roomId: c.roomId,
          problemId: c.problemId,
          mode: c.mode,
          language: c.language,
          participants: c.participants,
          startedAt: c.startedAt,
        },
      },
    ];
  }
  if (s.status === 'finished') return []; // a finished session's record is final
  const events: SessionEvent[] = [];
  for (const p of c.participants) {
    const known = s.participants[p.userId];
    if (!known) events.push({ type: 'SessionParticipantAdded', data: { sessionId: s.sessionId, userId: p.userId, role: p.role, joinedAt: p.joinedAt } });
    else if (known.role !== p.role) {
      events.push({ type: 'SessionParticipantRoleChanged', data: { sessionId: s.sessionId, userId: p.userId, from: known.role, to: p.role } });
    }
  }
  if (c.language !== s.language) events.push({ type: 'SessionLanguageChanged', data: { sessionId: s.sessionId, from: s.language, to: c.language } });
  if (c.problemId !== s.problemId) events.push({ type: 'SessionProblemChanged', data: { sessionId: s.sessionId, from: s.problemId, to: c.problemId } });
  return events;
}

/**
 * De-duplication by content : a snapshot whose code and language equal the last recorded one adds
 * nothing — except a `session_end`, which is confirmed against the existing snapshot so the finish can proceed.
 */
function recordSnapshot(c: RecordSnapshot, s: SessionState): SessionEvent[] {
  if (!s.exists || s.discarded) throw sessionErrors.notFound();
  if (s.status === 'finished') return [];
  if (s.recentDeliveries.includes(deliveryKey(c.trigger, c.takenAt))) return [];
  const last = s.lastSnapshot;
  if (last && last.codeHash === c.codeHash && last.language === c.language) {
    if (c.trigger !== 'session_end') return [];
    return [
      {
        type: 'SessionEndSnapshotConfirmed',
        data: { sessionId: s.sessionId, roomId: c.roomId, snapshotId: last.snapshotId, codeHash: c.codeHash, phase: c.phase, takenAt: c.takenAt },
      },
    ];
  }
  return [
    {
      type: 'CodeSnapshotTaken',
      data: {
        snapshotId: c.snapshotId,
        sessionId: s.sessionId,
        roomId: c.roomId,
        code: c.code,
        codeHash: c.codeHash,
        language: c.language,
        trigger: c.trigger,
        phase: c.phase,
        linesOfCode: linesOfCode(c.code),
        takenAt: c.takenAt,
      },
    },
  ];
}

function finish(c: FinishSession, s: SessionState): SessionEvent[] {
  if (!s.exists || s.discarded) throw sessionErrors.notFound();
  if (s.status === 'finished') return [];
  return [
    {
      type: 'SessionFinished',
      data: {
        sessionId: s.sessionId,
        roomId: s.roomId,
        finishedAt: c.finishedAt,
        durationMs: c.durationMs,
        finishedBy: c.finishedBy,
        reason: c.reason,
        language: c.language,
      },
    },
  ];
}

function hide(c: HideSession, s: SessionState): SessionEvent[] {
  if (!s.exists || s.discarded) throw sessionErrors.notFound();
  if (!c.isAdmin && !s.participants[c.userId]) throw sessionErrors.notParticipant();
  if (s.hiddenFor[c.userId]) return [];
  return [{ type: 'SessionHiddenForUser', data: { sessionId: s.sessionId, userId: c.userId, hiddenAt: c.now } }];
}

function discard(c: DiscardSession, s: SessionState): SessionEvent[] {
  if (!s.exists || s.discarded) return [];
  return [{ type: 'SessionDiscarded', data: { sessionId: s.sessionId, roomId: s.roomId, discardedAt: c.now } }];
}

export function decideSession(command: SessionCommand, state: SessionState): SessionEvent[] {
  switch (command.type) {
    case 'ReconcileSession':
      return reconcile(command, state);
    case 'RecordSnapshot':
      return recordSnapshot(command, state);
    case 'FinishSession':
      return finish(command, state);
    case 'HideSession':
      return hide(command, state);
    case 'DiscardSession':
      return discard(command, state);
  }
}

/** Line count of a code text; 0 for empty code. */
export function linesOfCode(code: string): number {
  if (code.length === 0) return 0;
  return code.split(/\r\n|\r|\n/).length;
}

export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  initialState: initialSessionState,
  evolve: evolveSession,
  decide: decideSession,
};
