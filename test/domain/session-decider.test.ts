/** The session decider: reconciliation with the room, de-duplicated snapshots, finish, per-user soft delete. */
import { describe, expect, it } from '@jest/globals';
import { fold } from '../../src/domain/shared/decider.js';
import { sessionDecider, type RecordSnapshot, type ReconcileSession } from '../../src/domain/session/decider.js';
import { deciderSpec } from '../support/decider-spec.js';
import { clock } from '../support/clock.js';

const at = clock();
const { when, errorOf } = deciderSpec(sessionDecider);

const reconcile = (o: Partial<ReconcileSession> = {}): ReconcileSession => ({
  type: 'ReconcileSession',
  sessionId: 's1',
  roomId: 'r1',
  problemId: null,
  mode: 'peer',
  language: 'python',
  startedAt: at(10),
  participants: [
    { userId: 'h', role: 'interviewer', joinedAt: at(0) },
    { userId: 'b', role: 'candidate', joinedAt: at(1) },
  ],
  ...o,
});
const started = () => when([], reconcile());
const snap = (code: string, trigger: RecordSnapshot['trigger'], t: number, o: Partial<RecordSnapshot> = {}): RecordSnapshot => ({
  type: 'RecordSnapshot',
  snapshotId: `snap-${t}`,
  roomId: 'r1',
  code,
  codeHash: `hash:${code}`,
  language: 'python',
  trigger,
  phase: 'coding',
  takenAt: at(t),
  ...o,
});

describe('reconcile', () => {
  it('starts the session once', () => {
    const events = started();
    expect(events).toEqual([
      { type: 'SessionStarted', data: { sessionId: 's1', roomId: 'r1', problemId: null, mode: 'peer', language: 'python', participants: reconcile().participants, startedAt: at(10) } },
    ]);
    expect(when(events, reconcile())).toEqual([]);
  });

  it('adds late joiners, follows role swaps, language and problem changes', () => {
    const events = when(started(), reconcile({
      language: 'go',
      problemId: 'p1',
      participants: [
        { userId: 'h', role: 'candidate', joinedAt: at(0) },
        { userId: 'b', role: 'interviewer', joinedAt: at(1) },
        { userId: 'c', role: 'observer', joinedAt: at(30) },
      ],
    }));
    expect(events.map((e) => e.type)).toEqual([
      'SessionParticipantRoleChanged', 'SessionParticipantRoleChanged', 'SessionParticipantAdded', 'SessionLanguageChanged', 'SessionProblemChanged',
    ]);
  });

  it('leaves a finished session untouched', () => {
    const fin = [...started(), ...when(started(), { type: 'FinishSession', finishedAt: at(90), durationMs: 1000, finishedBy: 'h', reason: 'user', language: 'python' })];
    expect(when(fin, reconcile({ language: 'go' }))).toEqual([]);
  });
});

describe('code snapshots, de-duplicated by content', () => {
  it('records a new snapshot with its line count', () => {
    const [e] = when(started(), snap('a\nb\nc', 'periodic', 30));
    expect(e).toEqual({
      type: 'CodeSnapshotTaken',
      data: { snapshotId: 'snap-30', sessionId: 's1', roomId: 'r1', code: 'a\nb\nc', codeHash: 'hash:a\nb\nc', language: 'python', trigger: 'periodic', phase: 'coding', linesOfCode: 3, takenAt: at(30) },
    });
    expect(when(started(), snap('', 'periodic', 30))[0]!.data).toMatchObject({ linesOfCode: 0 });
  });

  it('adds nothing when code and language are unchanged', () => {
    const given = [...started(), ...when(started(), snap('x', 'periodic', 30))];
    expect(when(given, snap('x', 'periodic', 60))).toEqual([]);
    expect(when(given, snap('x', 'phase_change', 61))).toEqual([]);
    expect(when(given, snap('x', 'periodic', 62, { language: 'go' }))).toHaveLength(1);
  });

  it('confirms an unchanged session_end against the existing snapshot', () => {
    const given = [...started(), ...when(started(), snap('x', 'periodic', 30))];
    expect(when(given, snap('x', 'session_end', 90))).toEqual([
      { type: 'SessionEndSnapshotConfirmed', data: { sessionId: 's1', roomId: 'r1', snapshotId: 'snap-30', codeHash: 'hash:x', phase: 'coding', takenAt: at(90) } },
    ]);
    const after = [...given, ...when(given, snap('x', 'session_end', 90))];
    expect(fold(sessionDecider, after).sessionEndSnapshots).toBe(1);
    // the same delivery retried is recognised
    expect(when(after, snap('x', 'session_end', 90))).toEqual([]);
  });

  it('a changed session_end is a new snapshot; a retried delivery is ignored', () => {
    const given = [...started(), ...when(started(), snap('x', 'periodic', 30))];
    const [e] = when(given, snap('y', 'session_end', 90));
    expect(e!.type).toBe('CodeSnapshotTaken');
    expect(when([...given, e!], snap('y', 'session_end', 90))).toEqual([]);
  });

  it('404 SESSION_NOT_FOUND without a session; ignored once finished', () => {
    expect(errorOf([], snap('x', 'session_end', 1))).toBe('404 SESSION_NOT_FOUND');
    const fin = [...started(), ...when(started(), { type: 'FinishSession', finishedAt: at(90), durationMs: 1, finishedBy: null, reason: 'abandoned', language: null })];
    expect(when(fin, snap('x', 'periodic', 95))).toEqual([]);
  });
});

describe('finish, soft delete, discard', () => {
  it('finishes once', () => {
    const cmd = { type: 'FinishSession' as const, finishedAt: at(90), durationMs: 60_000, finishedBy: 'h', reason: 'user' as const, language: 'python' as const };
    const events = when(started(), cmd);
    expect(events).toEqual([{ type: 'SessionFinished', data: { sessionId: 's1', roomId: 'r1', finishedAt: at(90), durationMs: 60_000, finishedBy: 'h', reason: 'user', language: 'python' } }]);
    expect(when([...started(), ...events], cmd)).toEqual([]);
    expect(errorOf([], cmd)).toBe('404 SESSION_NOT_FOUND');
  });

  it('hides the session for a participant or an admin, idempotently; 403 for others', () => {
    const hide = (userId: string, isAdmin = false) => ({ type: 'HideSession' as const, userId, isAdmin, now: at(99) });
    const events = when(started(), hide('b'));
    expect(events).toEqual([{ type: 'SessionHiddenForUser', data: { sessionId: 's1', userId: 'b', hiddenAt: at(99) } }]);
    expect(when([...started(), ...events], hide('b'))).toEqual([]);
    expect(when(started(), hide('admin', true))).toHaveLength(1);
    expect(errorOf(started(), hide('stranger'))).toBe('403 SESSION_NOT_PARTICIPANT');
    expect(errorOf([], hide('b'))).toBe('404 SESSION_NOT_FOUND');
  });

  it('a discarded session is gone', () => {
    const d = when(started(), { type: 'DiscardSession', now: at(50) });
    expect(d.map((e) => e.type)).toEqual(['SessionDiscarded']);
    expect(errorOf([...started(), ...d], { type: 'HideSession', userId: 'b', isAdmin: false, now: at(99) })).toBe('404 SESSION_NOT_FOUND');
    expect(when([...started(), ...d], reconcile())).toEqual([]);
  });
});
