/** The recording decider: given events / when command / then events or error, no database. */
import { describe, expect, it } from '@jest/globals';
import { recordingDecider, type RecordingEvent } from '../../src/domain/recording/index.js';
import { deciderSpec, rejection } from '../support/decider-spec.js';

const ROOM = '11111111-1111-4111-8111-111111111111';
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const T0 = new Date('2026-03-03T12:00:00.000Z');
const T1 = new Date('2026-03-03T12:05:00.000Z');

const consent = (userId: string, value: boolean): RecordingEvent => ({
  type: 'RecordingConsentRecorded',
  data: { roomId: ROOM, userId, consent: value, recordedAt: T0.toISOString() },
});
const started: RecordingEvent = {
  type: 'RecordingStarted',
  data: { roomId: ROOM, recordingId: 'r1', sessionId: null, egressId: 'EG_1', storageKey: 'recordings/x/r1.mp4', format: 'mp4', startedAt: T0.toISOString() },
};
const start = { type: 'StartRecording' as const, roomId: ROOM, recordingId: 'r2', sessionId: null, egressId: 'EG_2', storageKey: 'k', now: T1 };

const given = deciderSpec(recordingDecider).stateOf;
const code = (fn: () => unknown): string | undefined => rejection(fn).code;

describe('recording decider', () => {
  it('records a consent, and nothing when the answer is unchanged', () => {
    expect(recordingDecider.decide({ type: 'RecordConsent', roomId: ROOM, userId: A, consent: true, now: T0 }, given([]))).toEqual([consent(A, true)]);
    expect(recordingDecider.decide({ type: 'RecordConsent', roomId: ROOM, userId: A, consent: true, now: T0 }, given([consent(A, true)]))).toEqual([]);
    expect(recordingDecider.decide({ type: 'RecordConsent', roomId: ROOM, userId: A, consent: false, now: T0 }, given([consent(A, true)]))).toHaveLength(1);
  });

  it('start needs every active participant’s latest consent', () => {
    expect(code(() => recordingDecider.decide({ ...start, activeParticipantIds: [A, B] }, given([consent(A, true)])))).toBe('RECORDING_CONSENT_MISSING');
    expect(code(() => recordingDecider.decide({ ...start, activeParticipantIds: [A] }, given([consent(A, true), consent(A, false)])))).toBe('RECORDING_CONSENT_MISSING');
    const events = recordingDecider.decide({ ...start, activeParticipantIds: [A, B] }, given([consent(A, true), consent(B, true)]));
    expect(events).toEqual([{ type: 'RecordingStarted', data: expect.objectContaining({ recordingId: 'r2', egressId: 'EG_2', startedAt: T1.toISOString(), format: 'mp4' }) }]);
  });

  it('one recording at a time; stop needs a running one and measures it', () => {
    expect(code(() => recordingDecider.decide({ ...start, activeParticipantIds: [] }, given([started])))).toBe('RECORDING_ALREADY_ACTIVE');
    expect(code(() => recordingDecider.decide({ type: 'StopRecording', roomId: ROOM, now: T1 }, given([])))).toBe('RECORDING_NOT_ACTIVE');
    const stopped = recordingDecider.decide({ type: 'StopRecording', roomId: ROOM, now: T1 }, given([started]));
    expect(stopped).toEqual([
      { type: 'RecordingStopped', data: { roomId: ROOM, recordingId: 'r1', egressId: 'EG_1', stoppedAt: T1.toISOString(), durationMs: 5 * 60_000 } },
    ]);
    expect(given([started, ...stopped]).active).toBeNull();
  });
});
