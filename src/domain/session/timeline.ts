/**
 * The session timeline: the real events of a room, its session and the code run in it, told in the
 * API vocabulary (`session_started`, `phase_changed`, `participant_joined`, …). One pure mapping used by the
 * timeline projection and by `syncode replay`, so both tell the same story.
 *
 * The timeline of a session starts with its room: the lobby (joins, readiness) leads to the start and belongs to the
 * record. Events of other modules are read defensively (they name the room in `data.roomId`).
 */
import type { AiEvent } from '../ai/events.js';
import { ROOM_EVENT_TYPES, type RoomEvent } from '../room/events.js';
import type { RunEvent } from '../run/run.js';
import type { SubmissionEvent } from '../submission/submission.js';
import type { SessionEvent } from './events.js';

export interface TimelineSource {
  /** the source event's id */
  id: string;
  type: string;
  streamName: string;
  data: Record<string, unknown>;
  /** ISO time the event happened */
  occurredAt: string;
  actorId: string | null;
}

export interface TimelineEntry {
  /** stable: the source event id, suffixed when one event tells several things */
  id: string;
  eventType: string;
  userId: string | null;
  metadata: Record<string, unknown> | null;
  timestamp: string;
}

export interface TimelineItems {
  roomId: string;
  entries: TimelineEntry[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

const LEFT_REASONS: Record<string, string> = { disconnected: 'disconnect', left: 'left', swept: 'swept' };

/** Makes an entry of the event being told; `suffix` tells apart several entries of one event. */
type Entry = (eventType: string, userId: string | null, metadata: Record<string, unknown> | null, suffix?: string) => TimelineEntry;
/** How one event type is told: its entries, or null when this occurrence tells nothing. */
type Teller = (d: Record<string, unknown>, entry: Entry, source: TimelineSource) => TimelineEntry | TimelineEntry[] | null;

/** Room events (the room's own stream is its timeline). Keys are checked against the room's event types. */
const ROOM_TELLERS: Partial<Record<RoomEvent['type'], Teller>> = {
  ParticipantJoined: (d, entry) => entry('participant_joined', str(d['userId']), { role: d['role'], reason: d['reason'], rejoined: d['rejoined'] === true }),
  ParticipantLeft: (d, entry) => entry('participant_left', str(d['userId']), { reason: LEFT_REASONS[String(d['reason'])] ?? d['reason'] }),
  ParticipantRemoved: (d, entry) => entry('participant_removed', str(d['userId']), { by: d['removedBy'] }),
  ParticipantRoleChanged: (d, entry) => entry('role_changed', str(d['userId']), { from: d['from'], to: d['to'], by: d['changedBy'], reason: d['reason'] }),
  OwnershipTransferred: (d, entry) => entry('ownership_transferred', str(d['transferredBy']), { from: d['from'], to: d['to'], reason: d['reason'] }),
  ParticipantReadyChanged: (d, entry) => entry('ready_toggled', str(d['userId']), { isReady: d['isReady'] === true }),
  RoomLanguageChanged: (d, entry) => entry('language_changed', str(d['changedBy']), { from: d['from'] ?? null, to: d['to'] }),
  RoomProblemSelected: (d, entry) => entry('problem_selected', str(d['selectedBy']), { from: d['from'] ?? null, to: d['to'] }),
  RoomSettingsChanged: (d, entry) => {
    const { changedBy, changedAt: _changedAt, ...changes } = d;
    return entry('settings_changed', str(changedBy), changes);
  },
  EditorLocked: (d, entry) => entry('editor_locked', str(d['lockedBy']), { by: d['lockedBy'] }),
  EditorUnlocked: (d, entry) => entry('editor_unlocked', str(d['unlockedBy']), { by: d['unlockedBy'] }),
  TimerPaused: (d, entry) => entry('timer_paused', str(d['pausedBy']), { elapsedMs: d['elapsedMs'] }),
  TimerResumed: (d, entry) => entry('timer_resumed', str(d['resumedBy']), null),
  PhaseChanged: (d, entry) => entry('phase_changed', str(d['changedBy']), { from: d['from'], to: d['to'], by: d['changedBy'] ?? 'system' }),
  RoomForceClosed: (d, entry) => entry('room_force_closed', str(d['closedBy']), { previousStatus: d['previousStatus'] }),
  RoleSwapRequested: (d, entry) => entry('role_swap_requested', str(d['requesterId']), { swapId: d['swapId'], targetUserId: d['targetUserId'] }),
  RoleSwapAccepted: (d, entry) => {
    const requester = str(d['requesterId']);
    const target = str(d['targetUserId']);
    return [
      entry('role_swap_accepted', target, { swapId: d['swapId'], requesterId: requester }),
      entry('role_changed', requester, { from: d['targetRole'], to: d['requesterRole'], by: target, reason: 'role_swap' }, ':requester'),
      entry('role_changed', target, { from: d['requesterRole'], to: d['targetRole'], by: target, reason: 'role_swap' }, ':target'),
    ];
  },
  RoleSwapDeclined: (d, entry) => entry('role_swap_declined', str(d['declinedBy']), { swapId: d['swapId'] }),
  RoleSwapExpired: (d, entry) => entry('role_swap_expired', null, { swapId: d['swapId'] }),
};

/** Session events (stream session-<id>). */
const SESSION_TELLERS: Partial<Record<SessionEvent['type'], Teller>> = {
  SessionStarted: (d, entry, source) => entry('session_started', source.actorId, { phase: 'warmup', sessionId: d['sessionId'] }),
  CodeSnapshotTaken: (d, entry) => entry('snapshot_taken', null, { snapshotId: d['snapshotId'], trigger: d['trigger'], language: d['language'], linesOfCode: d['linesOfCode'] }),
  SessionEndSnapshotConfirmed: (d, entry) => entry('snapshot_taken', null, { snapshotId: d['snapshotId'], trigger: 'session_end', unchanged: true }),
  SessionFinished: (d, entry) => entry('session_finished', str(d['finishedBy']), { durationMs: num(d['durationMs']), by: d['reason'] === 'user' ? 'user' : 'system' }),
};

const runner = (d: Record<string, unknown>, source: TimelineSource) => str(d['userId']) ?? source.actorId;

/** Code execution (runs and submissions name their room) and the AI plane (hints and the conversation, without text). */
const OTHER_TELLERS: Partial<Record<RunEvent['type'] | SubmissionEvent['type'] | AiEvent['type'], Teller>> = {
  RunRequested: (d, entry, source) =>
    entry('code_run', runner(d, source), { runId: d['runId'] ?? null, jobId: d['jobId'] ?? d['runId'] ?? null, status: 'queued', language: d['language'] ?? null }),
  RunCompleted: (d, entry, source) =>
    entry('code_run_completed', runner(d, source), { runId: d['runId'] ?? null, jobId: d['jobId'] ?? d['runId'] ?? null, status: d['status'] ?? 'completed', verdict: d['verdict'] ?? null }),
  SubmissionRequested: (d, entry, source) => entry('code_submitted', runner(d, source), { submissionId: d['submissionId'] ?? null, language: d['language'] ?? null }),
  SubmissionCompleted: (d, entry, source) =>
    entry('submission_completed', runner(d, source), { submissionId: d['submissionId'] ?? null, passed: num(d['passed']), total: num(d['total']), verdict: d['verdict'] ?? null }),
  HintRequested: (d, entry) => entry('hint_requested', str(d['userId']), { hintId: d['requestId'] ?? null, requestId: d['requestId'] ?? null, level: d['level'] ?? null, phase: d['phase'] ?? null }),
  HintGiven: (d, entry) => entry('hint_given', str(d['userId']), { requestId: d['requestId'] ?? null, level: d['level'] ?? null }),
  InterviewerMessageSent: (d, entry) =>
    d['trigger'] === 'proactive' || !str(d['content']) ? null : entry('ai_message', str(d['userId']), { role: 'user', messageId: d['messageId'] ?? null }),
  InterviewerReplied: (d, entry) => (!str(d['content']) ? null : entry('ai_message', null, { role: 'assistant', messageId: d['messageId'] ?? null })),
  CodeAnalysisRequested: (d, entry) => entry('code_analysis_requested', str(d['userId']), { jobId: d['jobId'] ?? null }),
  CodeReviewRequested: (d, entry) => entry('code_review_requested', str(d['userId']), { jobId: d['jobId'] ?? null }),
  CodeReviewCompleted: (d, entry) => entry('code_review_completed', str(d['userId']), { jobId: d['jobId'] ?? null, overallScore: num(d['overallScore']) }),
};

/**
 * Event types the timeline reads: every room event after the room's creation (RoomDestroyed takes the timeline
 * away), then the session, execution and AI events it tells — derived from the tables above, never restated.
 */
export const TIMELINE_EVENT_TYPES: readonly string[] = [
  ...ROOM_EVENT_TYPES.filter((type) => type !== 'RoomCreated'),
  ...Object.keys(SESSION_TELLERS),
  ...Object.keys(OTHER_TELLERS),
];

function roomOf(source: TimelineSource): string | null {
  if (source.streamName.startsWith('room-')) return source.streamName.slice('room-'.length);
  return str(source.data['roomId']);
}

function tellersOf(streamName: string): Partial<Record<string, Teller>> {
  if (streamName.startsWith('room-')) return ROOM_TELLERS;
  if (streamName.startsWith('session-')) return SESSION_TELLERS;
  return OTHER_TELLERS;
}

/** What one event contributes to its room's timeline (nothing for events the timeline does not tell). */
export function timelineEntries(source: TimelineSource): TimelineItems | null {
  const roomId = roomOf(source);
  const teller = tellersOf(source.streamName)[source.type];
  if (!roomId || !teller) return null;
  const entry: Entry = (eventType, userId, metadata, suffix = '') => ({ id: `${source.id}${suffix}`, eventType, userId, metadata, timestamp: source.occurredAt });
  const told = teller(source.data, entry, source);
  if (!told) return null;
  return { roomId, entries: Array.isArray(told) ? told : [told] };
}

export interface CodeSnapshotRecord {
  snapshotId: string;
  code: string;
  language: string;
  trigger: string;
  takenAt: string;
}

/** The code as it stood at `at`: the last snapshot taken at or before that instant (null before the first one). */
export function codeAt(snapshots: readonly CodeSnapshotRecord[], at: string): CodeSnapshotRecord | null {
  const limit = Date.parse(at);
  let found: CodeSnapshotRecord | null = null;
  for (const s of snapshots) {
    if (Date.parse(s.takenAt) <= limit && (!found || Date.parse(s.takenAt) >= Date.parse(found.takenAt))) found = s;
  }
  return found;
}
