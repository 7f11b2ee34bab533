/** Room settings while it runs: language, problem, settings, the editor lock and the coding timer. */
import type {
  ChangeLanguage,
  SelectProblem,
  SetEditorLock,
  SetTimerPaused,
  UpdateSettings,
} from './commands.js';
import {
  MAX_PARTICIPANTS,
  MIN_PARTICIPANTS,
} from './constants.js';
import { roomErrors } from './errors.js';
import type { RoomEvent } from './events.js';
import {
  activeParticipants,
  can,
  elapsedSince,
  isHostOrInterviewer,
  requireActive,
} from './rules.js';
import { type RoomState } from './state.js';
import { requireNotFinished, requireRoom } from './guards.js';


export function changeLanguage(c: ChangeLanguage, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (s.status === 'finished') throw roomErrors.outsidePhase('The language of a finished room cannot change');
  const p = requireActive(s, c.by);
  if (!can(s, p, 'code:change-language')) throw roomErrors.permissionDenied('Your role cannot change the language');
  if (s.language === c.language) return [];
  return [{ type: 'RoomLanguageChanged', data: { from: s.language, to: c.language, changedBy: c.by, changedAt: c.now } }];
}

export function selectProblem(c: SelectProblem, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  const p = requireActive(s, c.by);
  if (!can(s, p, 'room:select-problem')) throw roomErrors.permissionDenied('Only the host can select the problem');
  if (s.status !== 'waiting' && s.status !== 'warmup') throw roomErrors.invalidState('The problem can only change before coding starts');
  if (!c.problemAvailable) throw roomErrors.problemNotFound();
  if (s.problemId === c.problemId) return [];
  return [{ type: 'RoomProblemSelected', data: { from: s.problemId, to: c.problemId, selectedBy: c.by, selectedAt: c.now } }];
}

export function updateSettings(c: UpdateSettings, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  const p = requireActive(s, c.by);
  if (!can(s, p, 'room:settings')) throw roomErrors.permissionDenied('Only the host can change the settings');
  if (c.maxParticipants !== undefined) {
    if (c.maxParticipants < MIN_PARTICIPANTS || c.maxParticipants > MAX_PARTICIPANTS) {
      throw roomErrors.validation('config.maxParticipants', `maxParticipants must be between ${MIN_PARTICIPANTS} and ${MAX_PARTICIPANTS}`, c.maxParticipants);
    }
    const active = activeParticipants(s).length;
    if (c.maxParticipants < active) {
      throw roomErrors.validation('config.maxParticipants', `maxParticipants cannot be below the ${active} active participants`, c.maxParticipants);
    }
  }
  if (c.maxDuration !== undefined && c.maxDuration <= 0) throw roomErrors.validation('config.maxDuration', 'maxDuration must be positive', c.maxDuration);
  const changes: { name?: string | null; maxParticipants?: number; maxDuration?: number; isPrivate?: boolean } = {};
  if (c.name !== undefined && c.name !== s.name) changes.name = c.name;
  if (c.maxParticipants !== undefined && c.maxParticipants !== s.maxParticipants) changes.maxParticipants = c.maxParticipants;
  if (c.maxDuration !== undefined && c.maxDuration !== s.maxDuration) changes.maxDuration = c.maxDuration;
  if (c.isPrivate !== undefined && c.isPrivate !== s.isPrivate) changes.isPrivate = c.isPrivate;
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'RoomSettingsChanged', data: { ...changes, changedBy: c.by, changedAt: c.now } }];
}

/** Lock/unlock: host or interviewer, active, room not finished; idempotent. */
export function setEditorLock(c: SetEditorLock, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  const p = requireActive(s, c.by);
  if (!isHostOrInterviewer(s, p)) throw roomErrors.permissionDenied('Only the host or the interviewer can lock the editor');
  if (s.editorLocked === c.locked) return [];
  return c.locked
    ? [{ type: 'EditorLocked', data: { lockedBy: c.by, lockedAt: c.now } }]
    : [{ type: 'EditorUnlocked', data: { unlockedBy: c.by, unlockedAt: c.now } }];
}

export function setTimerPaused(c: SetTimerPaused, s: RoomState): RoomEvent[] {
  requireRoom(s);
  requireNotFinished(s);
  const p = requireActive(s, c.by);
  if (!isHostOrInterviewer(s, p)) throw roomErrors.permissionDenied('Only the host or the interviewer can pause the timer');
  if (s.status !== 'coding') throw roomErrors.invalidState('The timer can only be paused or resumed while coding');
  if (s.timerPaused === c.paused) return [];
  return c.paused
    ? [{ type: 'TimerPaused', data: { pausedBy: c.by, pausedAt: c.now, elapsedMs: s.elapsedMs + elapsedSince(s.phaseStartedAt, c.now) } }]
    : [{ type: 'TimerResumed', data: { resumedBy: c.by, resumedAt: c.now } }];
}

/** A phase transition's checks, then its effects. */
