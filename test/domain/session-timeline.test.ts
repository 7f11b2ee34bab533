/** The timeline vocabulary (SPEC §9.3) told from real events, and the code at an instant. */
import { describe, expect, it } from '@jest/globals';
import { codeAt, timelineEntries, type TimelineSource } from '../../src/domain/session/timeline.js';

const ROOM = '11111111-1111-4111-8111-111111111111';
const at = '2026-03-03T12:00:00.000Z';
const src = (type: string, data: Record<string, unknown>, streamName = `room-${ROOM}`): TimelineSource => ({ id: 'e1', type, streamName, data, occurredAt: at, actorId: 'actor' });
const told = (s: TimelineSource) => timelineEntries(s)?.entries.map((e) => [e.eventType, e.userId, e.metadata]);

describe('timelineEntries', () => {
  it('tells room events in the SPEC vocabulary', () => {
    expect(told(src('ParticipantJoined', { userId: 'u', role: 'candidate', reason: 'requested', rejoined: true }))).toEqual([['participant_joined', 'u', { role: 'candidate', reason: 'requested', rejoined: true }]]);
    expect(told(src('ParticipantLeft', { userId: 'u', reason: 'disconnected' }))).toEqual([['participant_left', 'u', { reason: 'disconnect' }]]);
    expect(told(src('ParticipantLeft', { userId: 'u', reason: 'swept' }))).toEqual([['participant_left', 'u', { reason: 'swept' }]]);
    expect(told(src('ParticipantRemoved', { userId: 'u', removedBy: 'h' }))).toEqual([['participant_removed', 'u', { by: 'h' }]]);
    expect(told(src('ParticipantRoleChanged', { userId: 'u', from: 'observer', to: 'candidate', changedBy: 'h', reason: 'assigned' }))).toEqual([
      ['role_changed', 'u', { from: 'observer', to: 'candidate', by: 'h', reason: 'assigned' }],
    ]);
    expect(told(src('OwnershipTransferred', { from: 'h', to: 'u', transferredBy: 'h', reason: 'transfer' }))).toEqual([['ownership_transferred', 'h', { from: 'h', to: 'u', reason: 'transfer' }]]);
    expect(told(src('ParticipantReadyChanged', { userId: 'u', isReady: true }))).toEqual([['ready_toggled', 'u', { isReady: true }]]);
    expect(told(src('RoomLanguageChanged', { from: null, to: 'go', changedBy: 'u' }))).toEqual([['language_changed', 'u', { from: null, to: 'go' }]]);
    expect(told(src('EditorLocked', { lockedBy: 'h' }))).toEqual([['editor_locked', 'h', { by: 'h' }]]);
    expect(told(src('EditorUnlocked', { unlockedBy: 'h' }))).toEqual([['editor_unlocked', 'h', { by: 'h' }]]);
    expect(told(src('PhaseChanged', { from: 'coding', to: 'finished', changedBy: null }))).toEqual([['phase_changed', null, { from: 'coding', to: 'finished', by: 'system' }]]);
    expect(told(src('RoomSettingsChanged', { changedBy: 'h', changedAt: at, name: 'x' }))).toEqual([['settings_changed', 'h', { name: 'x' }]]);
    expect(told(src('TimerPaused', { pausedBy: 'h', elapsedMs: 5 }))).toEqual([['timer_paused', 'h', { elapsedMs: 5 }]]);
    expect(told(src('RoleSwapAccepted', { swapId: 's', requesterId: 'a', targetUserId: 'b', requesterRole: 'candidate', targetRole: 'interviewer' }))).toEqual([
      ['role_swap_accepted', 'b', { swapId: 's', requesterId: 'a' }],
      ['role_changed', 'a', { from: 'interviewer', to: 'candidate', by: 'b', reason: 'role_swap' }],
      ['role_changed', 'b', { from: 'candidate', to: 'interviewer', by: 'b', reason: 'role_swap' }],
    ]);
    expect(timelineEntries(src('RoleSwapAccepted', { swapId: 's', requesterId: 'a', targetUserId: 'b' }))!.entries.map((e) => e.id)).toEqual(['e1', 'e1:requester', 'e1:target']);
    expect(told(src('RoomCreated', {}))).toBeUndefined();
  });

  it('tells session events', () => {
    const s = (type: string, data: Record<string, unknown>) => src(type, { roomId: ROOM, ...data }, 'session-s1');
    expect(timelineEntries(s('SessionStarted', { sessionId: 's1' }))?.roomId).toBe(ROOM);
    expect(told(s('SessionStarted', { sessionId: 's1' }))).toEqual([['session_started', 'actor', { phase: 'warmup', sessionId: 's1' }]]);
    expect(told(s('CodeSnapshotTaken', { snapshotId: 'x', trigger: 'periodic', language: 'go', linesOfCode: 3 }))).toEqual([['snapshot_taken', null, { snapshotId: 'x', trigger: 'periodic', language: 'go', linesOfCode: 3 }]]);
    expect(told(s('SessionEndSnapshotConfirmed', { snapshotId: 'x' }))).toEqual([['snapshot_taken', null, { snapshotId: 'x', trigger: 'session_end', unchanged: true }]]);
    expect(told(s('SessionFinished', { durationMs: 9, finishedBy: null, reason: 'abandoned' }))).toEqual([['session_finished', null, { durationMs: 9, by: 'system' }]]);
    expect(told(s('SessionHiddenForUser', { userId: 'u' }))).toBeUndefined();
  });

  it('tells runs and submissions made in the room', () => {
    const r = (type: string, data: Record<string, unknown>, stream: string) => src(type, { roomId: ROOM, userId: 'u', ...data }, stream);
    expect(told(r('RunRequested', { runId: 'r1', language: 'go' }, 'run-r1'))).toEqual([['code_run', 'u', { runId: 'r1', jobId: 'r1', status: 'queued', language: 'go' }]]);
    expect(told(r('RunCompleted', { runId: 'r1', status: 'completed', verdict: 'AC' }, 'run-r1'))).toEqual([['code_run_completed', 'u', { runId: 'r1', jobId: 'r1', status: 'completed', verdict: 'AC' }]]);
    expect(told(r('SubmissionRequested', { submissionId: 's', language: 'go' }, 'submission-s'))).toEqual([['code_submitted', 'u', { submissionId: 's', language: 'go' }]]);
    expect(told(r('SubmissionCompleted', { submissionId: 's', passed: 2, total: 3, verdict: 'WA' }, 'submission-s'))).toEqual([['submission_completed', 'u', { submissionId: 's', passed: 2, total: 3, verdict: 'WA' }]]);
    expect(timelineEntries(src('RunRequested', { userId: 'u' }, 'run-x'))).toBeNull(); // no room
  });
});

describe('codeAt', () => {
  const snaps = [
    { snapshotId: 'a', code: 'v1', language: 'python', trigger: 'periodic', takenAt: '2026-03-03T12:00:00.000Z' },
    { snapshotId: 'b', code: 'v2', language: 'python', trigger: 'periodic', takenAt: '2026-03-03T12:00:30.000Z' },
  ];
  it('is the last snapshot at or before the instant', () => {
    expect(codeAt(snaps, '2026-03-03T11:59:59.999Z')).toBeNull();
    expect(codeAt(snaps, '2026-03-03T12:00:00.000Z')?.code).toBe('v1');
    expect(codeAt(snaps, '2026-03-03T12:00:29.000Z')?.code).toBe('v1');
    expect(codeAt(snaps, '2026-03-03T13:00:00.000Z')?.code).toBe('v2');
  });
});
