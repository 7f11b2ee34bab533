/**
 * The session timeline: the real events of a room, its session and the code run in it, told in the
 * API vocabulary (`session_started`, `phase_changed`, `participant_joined`, …). One pure mapping used by the
 * timeline projection and by `syncode replay`, so both tell the same story.
 *
 * The timeline of a session starts with its room: the lobby (joins, readiness) leads to the start and belongs to the
 * record. Events of other modules are read defensively (they name the room in `data.roomId`).
 */
import { ROOM_EVENT_TYPES } from '../room/events.js';

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

/**
 * Event types the timeline reads: every room event after the room's creation (the room's own stream is its
 * timeline), then sessions, runs, submissions and the AI plane.
 */
export const TIMELINE_EVENT_TYPES = [
  ...ROOM_EVENT_TYPES.filter((type) => type !== 'RoomCreated'),
  'SessionStarted',
  'CodeSnapshotTaken',
  'SessionEndSnapshotConfirmed',
  'SessionFinished',
  'RunRequested',
  'RunCompleted',
  'SubmissionRequested',
  'SubmissionCompleted',
  'HintRequested',
  'HintGiven',
  'InterviewerMessageSent',
  'InterviewerReplied',
  'CodeAnalysisRequested',
  'CodeReviewRequested',
  'CodeReviewCompleted',
] as const;

function roomOf(source: TimelineSource): string | null {
  if (source.streamName.startsWith('room-')) return source.streamName.slice('room-'.length);
  return str(source.data['roomId']);
}

/** What one event contributes to its room's timeline (nothing for events the timeline does not tell). */
export function timelineEntries(source: TimelineSource): TimelineItems | null {
  const roomId = roomOf(source);
  if (!roomId) return null;
  const d = source.data;
  const at = source.occurredAt;
  const entry = (eventType: string, userId: string | null, metadata: Record<string, unknown> | null, suffix = ''): TimelineEntry => ({
    id: `${source.id}${suffix}`,
    eventType,
    userId,
    metadata,
    timestamp: at,
  });
  const one = (e: TimelineEntry): TimelineItems => ({ roomId, entries: [e] });
  const isRoom = source.streamName.startsWith('room-');
  const isSession = source.streamName.startsWith('session-');

  if (isRoom) {
    switch (source.type) {
      case 'ParticipantJoined':
        return one(entry('participant_joined', str(d['userId']), { role: d['role'], reason: d['reason'], rejoined: d['rejoined'] === true }));
      case 'ParticipantLeft':
        return one(entry('participant_left', str(d['userId']), { reason: LEFT_REASONS[String(d['reason'])] ?? d['reason'] }));
      case 'ParticipantRemoved':
        return one(entry('participant_removed', str(d['userId']), { by: d['removedBy'] }));
      case 'ParticipantRoleChanged':
        return one(entry('role_changed', str(d['userId']), { from: d['from'], to: d['to'], by: d['changedBy'], reason: d['reason'] }));
      case 'OwnershipTransferred':
        return one(entry('ownership_transferred', str(d['transferredBy']), { from: d['from'], to: d['to'], reason: d['reason'] }));
      case 'ParticipantReadyChanged':
        return one(entry('ready_toggled', str(d['userId']), { isReady: d['isReady'] === true }));
      case 'RoomLanguageChanged':
        return one(entry('language_changed', str(d['changedBy']), { from: d['from'] ?? null, to: d['to'] }));
      case 'RoomProblemSelected':
        return one(entry('problem_selected', str(d['selectedBy']), { from: d['from'] ?? null, to: d['to'] }));
      case 'RoomSettingsChanged': {
        const { changedBy, changedAt: _changedAt, ...changes } = d;
        return one(entry('settings_changed', str(changedBy), changes));
      }
      case 'EditorLocked':
        return one(entry('editor_locked', str(d['lockedBy']), { by: d['lockedBy'] }));
      case 'EditorUnlocked':
        return one(entry('editor_unlocked', str(d['unlockedBy']), { by: d['unlockedBy'] }));
      case 'TimerPaused':
        return one(entry('timer_paused', str(d['pausedBy']), { elapsedMs: d['elapsedMs'] }));
      case 'TimerResumed':
        return one(entry('timer_resumed', str(d['resumedBy']), null));
      case 'PhaseChanged':
        return one(entry('phase_changed', str(d['changedBy']), { from: d['from'], to: d['to'], by: d['changedBy'] ?? 'system' }));
      case 'RoomForceClosed':
        return one(entry('room_force_closed', str(d['closedBy']), { previousStatus: d['previousStatus'] }));
      case 'RoleSwapRequested':
        return one(entry('role_swap_requested', str(d['requesterId']), { swapId: d['swapId'], targetUserId: d['targetUserId'] }));
      case 'RoleSwapAccepted': {
        const requester = str(d['requesterId']);
        const target = str(d['targetUserId']);
        return {
          roomId,
          entries: [
            entry('role_swap_accepted', target, { swapId: d['swapId'], requesterId: requester }),
            entry('role_changed', requester, { from: d['targetRole'], to: d['requesterRole'], by: target, reason: 'role_swap' }, ':requester'),
            entry('role_changed', target, { from: d['requesterRole'], to: d['targetRole'], by: target, reason: 'role_swap' }, ':target'),
          ],
        };
      }
      case 'RoleSwapDeclined':
        return one(entry('role_swap_declined', str(d['declinedBy']), { swapId: d['swapId'] }));
      case 'RoleSwapExpired':
        return one(entry('role_swap_expired', null, { swapId: d['swapId'] }));
      default:
        return null;
    }
  }

  if (isSession) {
    switch (source.type) {
      case 'SessionStarted':
        return one(entry('session_started', source.actorId, { phase: 'warmup', sessionId: d['sessionId'] }));
      case 'CodeSnapshotTaken':
        return one(entry('snapshot_taken', null, { snapshotId: d['snapshotId'], trigger: d['trigger'], language: d['language'], linesOfCode: d['linesOfCode'] }));
      case 'SessionEndSnapshotConfirmed':
        return one(entry('snapshot_taken', null, { snapshotId: d['snapshotId'], trigger: 'session_end', unchanged: true }));
      case 'SessionFinished':
        return one(entry('session_finished', str(d['finishedBy']), { durationMs: num(d['durationMs']), by: d['reason'] === 'user' ? 'user' : 'system' }));
      default:
        return null;
    }
  }

  // Code execution (execution module): runs and submissions name their room.
  switch (source.type) {
    case 'RunRequested':
      return one(entry('code_run', str(d['userId']) ?? source.actorId, { runId: d['runId'] ?? null, jobId: d['jobId'] ?? d['runId'] ?? null, status: 'queued', language: d['language'] ?? null }));
    case 'RunCompleted':
      return one(entry('code_run_completed', str(d['userId']) ?? source.actorId, { runId: d['runId'] ?? null, jobId: d['jobId'] ?? d['runId'] ?? null, status: d['status'] ?? 'completed', verdict: d['verdict'] ?? null }));
    case 'SubmissionRequested':
      return one(entry('code_submitted', str(d['userId']) ?? source.actorId, { submissionId: d['submissionId'] ?? null, language: d['language'] ?? null }));
    case 'SubmissionCompleted':
      return one(entry('submission_completed', str(d['userId']) ?? source.actorId, { submissionId: d['submissionId'] ?? null, passed: num(d['passed']), total: num(d['total']), verdict: d['verdict'] ?? null }));
    // AI plane (stream ai-<sessionId>): hints and the interviewer conversation, without their text.
    case 'HintRequested':
      return one(entry('hint_requested', str(d['userId']), { hintId: d['requestId'] ?? null, requestId: d['requestId'] ?? null, level: d['level'] ?? null, phase: d['phase'] ?? null }));
    case 'HintGiven':
      return one(entry('hint_given', str(d['userId']), { requestId: d['requestId'] ?? null, level: d['level'] ?? null }));
    case 'InterviewerMessageSent':
      if (d['trigger'] === 'proactive' || !str(d['content'])) return null;
      return one(entry('ai_message', str(d['userId']), { role: 'user', messageId: d['messageId'] ?? null }));
    case 'InterviewerReplied':
      if (!str(d['content'])) return null;
      return one(entry('ai_message', null, { role: 'assistant', messageId: d['messageId'] ?? null }));
    case 'CodeAnalysisRequested':
      return one(entry('code_analysis_requested', str(d['userId']), { jobId: d['jobId'] ?? null }));
    case 'CodeReviewRequested':
      return one(entry('code_review_requested', str(d['userId']), { jobId: d['jobId'] ?? null }));
    case 'CodeReviewCompleted':
      return one(entry('code_review_completed', str(d['userId']), { jobId: d['jobId'] ?? null, overallScore: num(d['overallScore']) }));
    default:
      return null;
  }
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
