/**
 * Recording of a room: one `recording-<roomId>` stream holds every participant's consent
 * and the start and stop of each recording. Who may toggle and who must have consented are facts of the rooms read
 * model; they arrive inside the command, so `decide` stays pure.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';

export const RECORDING_FORMAT = 'mp4';

export type RecordingEvent =
  | DomainEvent<'RecordingConsentRecorded', { roomId: string; userId: string; consent: boolean; recordedAt: string }>
  | DomainEvent<
      'RecordingStarted',
      { roomId: string; recordingId: string; sessionId: string | null; egressId: string; storageKey: string; format: string; startedAt: string }
    >
  | DomainEvent<'RecordingStopped', { roomId: string; recordingId: string; egressId: string; stoppedAt: string; durationMs: number }>;

export type RecordingCommand =
  | { type: 'RecordConsent'; roomId: string; userId: string; consent: boolean; now: Date }
  | {
      type: 'StartRecording';
      roomId: string;
      recordingId: string;
      sessionId: string | null;
      egressId: string;
      storageKey: string;
      /** users whose consent is required: the room's active participants when the command was issued */
      activeParticipantIds: readonly string[];
      now: Date;
    }
  | { type: 'StopRecording'; roomId: string; now: Date };

export interface ActiveRecording {
  recordingId: string;
  egressId: string;
  startedAt: string;
}

export interface RecordingState {
  consents: Readonly<Record<string, boolean>>;
  active: ActiveRecording | null;
}

export const recordingErrors = {
  alreadyActive: () => new DomainError('RECORDING_ALREADY_ACTIVE', 'A recording is already running in this room'),
  notActive: () => new DomainError('RECORDING_NOT_ACTIVE', 'No recording is running in this room'),
  consentMissing: (missing: readonly string[]) =>
    new DomainError('RECORDING_CONSENT_MISSING', 'Every active participant must consent to the recording first', { missingUserIds: [...missing] }),
};

export const recordingStream = (roomId: string) => `recording-${roomId}`;

/** The participants among `activeParticipantIds` who have not consented (in the given order). */
export function missingConsents(state: RecordingState, activeParticipantIds: readonly string[]): string[] {
  return activeParticipantIds.filter((id) => state.consents[id] !== true);
}

/** The rules a start must pass, checked before the media server is asked for anything and again by `decide`. */
export function assertCanStart(state: RecordingState, activeParticipantIds: readonly string[]): void {
  if (state.active) throw recordingErrors.alreadyActive();
  const missing = missingConsents(state, activeParticipantIds);
  if (missing.length > 0) throw recordingErrors.consentMissing(missing);
}

export function assertCanStop(state: RecordingState): ActiveRecording {
  if (!state.active) throw recordingErrors.notActive();
  return state.active;
}

export const recordingDecider: Decider<RecordingCommand, RecordingState, RecordingEvent> = {
  initialState: () => ({ consents: {}, active: null }),
  evolve(state, event) {
    switch (event.type) {
      case 'RecordingConsentRecorded':
        return { ...state, consents: { ...state.consents, [event.data.userId]: event.data.consent } };
      case 'RecordingStarted':
        return { ...state, active: { recordingId: event.data.recordingId, egressId: event.data.egressId, startedAt: event.data.startedAt } };
      case 'RecordingStopped':
        return { ...state, active: null };
      default:
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'RecordConsent':
        // Repeating the current answer changes nothing, so it records nothing.
        if (state.consents[command.userId] === command.consent) return [];
        return [
          {
            type: 'RecordingConsentRecorded',
            data: { roomId: command.roomId, userId: command.userId, consent: command.consent, recordedAt: command.now.toISOString() },
          },
        ];
      case 'StartRecording':
        assertCanStart(state, command.activeParticipantIds);
        return [
          {
            type: 'RecordingStarted',
            data: {
              roomId: command.roomId,
              recordingId: command.recordingId,
              sessionId: command.sessionId,
              egressId: command.egressId,
              storageKey: command.storageKey,
              format: RECORDING_FORMAT,
              startedAt: command.now.toISOString(),
            },
          },
        ];
      case 'StopRecording': {
        const active = assertCanStop(state);
        const durationMs = Math.max(0, command.now.getTime() - Date.parse(active.startedAt));
        return [
          {
            type: 'RecordingStopped',
            data: {
              roomId: command.roomId,
              recordingId: active.recordingId,
              egressId: active.egressId,
              stoppedAt: command.now.toISOString(),
              durationMs,
            },
          },
        ];
      }
    }
  },
};

