/**
 * Live room events (docs/room-events.md): everything a participant's view depends on — run and submission results,
 * people joining, leaving and being kicked, role changes and swaps, the timer, problem and settings changes — goes to
 * the room's sockets on the collab event channel (text frames or binary type 100, see protocol.ts), so a client never
 * polls for them. The feed is a subscription to the event store, not a call from the routes: whatever appends the event
 * (an HTTP command, a worker, the scheduler, another API instance) the room hears of it once.
 *
 * Visibility: both participants see a run's output and a submission's verdicts (as in CoderPad), but a hidden test
 * case travels as its verdict only — never its input, expected output, actual output or program output.
 *
 * Wire names (event `type` → `data`):
 *   participant-joined {userId, role, rejoined, joinedAt} · participant-left {userId, reason, leftAt} ·
 *   participant-kicked {userId, removedBy, removedAt} · role-changed {userId, from, to, changedBy, reason} ·
 *   ownership-transferred {from, to, reason} · role-swap-requested {swapId, requesterId, targetUserId, requesterRole,
 *   targetRole, expiresAt} · role-swapped {swapId, requesterId, targetUserId, requesterRole, targetRole} ·
 *   role-swap-declined {swapId, declinedBy} · role-swap-expired {swapId} · timer-paused {pausedBy, elapsedMs,
 *   pausedAt} · timer-resumed {resumedBy, resumedAt} · problem-changed {problemId, previousProblemId, changedBy} ·
 *   settings-changed {changedBy, name?, maxParticipants?, maxDuration?, isPrivate?} · run-started {runId, userId,
 *   language} · run-completed {runId, userId, status, verdict, stdout, stderr, exitCode, durationMs, timedOut,
 *   outputTruncated, error, completedAt} · submission-started {submissionId, userId, language, testCaseCount} ·
 *   submission-tests-judged {submissionId, results[]} · submission-completed {submissionId, userId, status,
 *   verdict, passed, failed, errors, total, accepted, totalDurationMs, compileError, completedAt}.
 */
import type { EventStore, Position, RecordedEvent } from '../infra/eventstore/port.js';
import type { CollabLogger } from './options.js';
import type { CollabRole } from './token.js';

type Data = Record<string, unknown>;

export interface RoomBroadcast {
  roomId: string;
  type: string;
  data: Data;
  /** role changes the room must apply to its write rule */
  roles?: Array<{ userId: string; role: CollabRole }>;
}

/** Where broadcasts go: the live rooms of this node (the registry). */
export interface RoomSink {
  live(roomId: string): { broadcast(type: string, data: unknown): void; setRole(userId: string, role: CollabRole): void } | undefined;
}

const pick = (d: Data, keys: readonly string[]): Data => Object.fromEntries(keys.filter((k) => k in d).map((k) => [k, d[k]]));
const ROLES = new Set<unknown>(['interviewer', 'candidate', 'observer']);
const asRole = (v: unknown): CollabRole | null => (ROLES.has(v) ? (v as CollabRole) : null);

/** A judged test as both participants may see it: a hidden case keeps only its verdict and timing. */
export function visibleTestResult(t: Data): Data {
  const base = pick(t, ['testCaseIndex', 'verdict', 'passed', 'durationMs', 'timedOut']);
  if (t['isHidden'] === true) return { ...base, isHidden: true };
  return { ...base, isHidden: false, ...pick(t, ['stdout', 'stderr', 'exitCode', 'expectedOutput', 'actualOutput', 'outputTruncated', 'errorMessage']) };
}

function fromRoomStream(roomId: string, type: string, d: Data): RoomBroadcast | null {
  const one = (wire: string, data: Data, roles?: RoomBroadcast['roles']): RoomBroadcast => ({ roomId, type: wire, data, ...(roles ? { roles } : {}) });
  switch (type) {
    case 'ParticipantJoined':
      return one('participant-joined', pick(d, ['userId', 'role', 'rejoined', 'joinedAt']));
    case 'ParticipantLeft':
      return one('participant-left', pick(d, ['userId', 'reason', 'leftAt']));
    case 'ParticipantRemoved':
      return one('participant-kicked', pick(d, ['userId', 'removedBy', 'removedAt']));
    case 'ParticipantRoleChanged': {
      const role = asRole(d['to']);
      return one('role-changed', pick(d, ['userId', 'from', 'to', 'changedBy', 'reason']), role ? [{ userId: String(d['userId']), role }] : undefined);
    }
    case 'OwnershipTransferred':
      return one('ownership-transferred', pick(d, ['from', 'to', 'reason']));
    case 'RoleSwapRequested':
      return one('role-swap-requested', pick(d, ['swapId', 'requesterId', 'targetUserId', 'requesterRole', 'targetRole', 'expiresAt']));
    case 'RoleSwapAccepted': {
      const roles: RoomBroadcast['roles'] = [];
      const r = asRole(d['requesterRole']);
      const t = asRole(d['targetRole']);
      if (r) roles.push({ userId: String(d['requesterId']), role: r });
      if (t) roles.push({ userId: String(d['targetUserId']), role: t });
      return one('role-swapped', pick(d, ['swapId', 'requesterId', 'targetUserId', 'requesterRole', 'targetRole']), roles);
    }
    case 'RoleSwapDeclined':
      return one('role-swap-declined', pick(d, ['swapId', 'declinedBy']));
    case 'RoleSwapExpired':
      return one('role-swap-expired', pick(d, ['swapId']));
    case 'TimerPaused':
      return one('timer-paused', pick(d, ['pausedBy', 'elapsedMs', 'pausedAt']));
    case 'TimerResumed':
      return one('timer-resumed', pick(d, ['resumedBy', 'resumedAt']));
    case 'RoomProblemSelected':
      return one('problem-changed', { problemId: d['to'] ?? null, previousProblemId: d['from'] ?? null, changedBy: d['selectedBy'] ?? null });
    case 'RoomSettingsChanged':
      return one('settings-changed', pick(d, ['changedBy', 'name', 'maxParticipants', 'maxDuration', 'isPrivate']));
    default:
      return null;
  }
}

function fromExecution(type: string, d: Data): RoomBroadcast | null {
  const roomId = typeof d['roomId'] === 'string' ? d['roomId'] : null;
  if (!roomId) return null;
  switch (type) {
    case 'RunRequested':
      return { roomId, type: 'run-started', data: pick(d, ['runId', 'userId', 'language']) };
    case 'RunCompleted':
      return {
        roomId,
        type: 'run-completed',
        data: pick(d, ['runId', 'userId', 'status', 'verdict', 'stdout', 'stderr', 'exitCode', 'durationMs', 'timedOut', 'outputTruncated', 'error', 'completedAt']),
      };
    case 'SubmissionRequested':
      return { roomId, type: 'submission-started', data: pick(d, ['submissionId', 'userId', 'language', 'testCaseCount']) };
    case 'SubmissionTestsJudged': {
      const results = Array.isArray(d['results']) ? (d['results'] as Data[]).map(visibleTestResult) : [];
      return { roomId, type: 'submission-tests-judged', data: { submissionId: d['submissionId'], results } };
    }
    case 'SubmissionCompleted':
      return {
        roomId,
        type: 'submission-completed',
        data: pick(d, ['submissionId', 'userId', 'status', 'verdict', 'passed', 'failed', 'errors', 'total', 'accepted', 'totalDurationMs', 'compileError', 'completedAt']),
      };
    default:
      return null;
  }
}

/** The event types the feed reads. */
export const ROOM_FEED_EVENT_TYPES = [
  'ParticipantJoined',
  'ParticipantLeft',
  'ParticipantRemoved',
  'ParticipantRoleChanged',
  'OwnershipTransferred',
  'RoleSwapRequested',
  'RoleSwapAccepted',
  'RoleSwapDeclined',
  'RoleSwapExpired',
  'TimerPaused',
  'TimerResumed',
  'RoomProblemSelected',
  'RoomSettingsChanged',
  'RunRequested',
  'RunCompleted',
  'SubmissionRequested',
  'SubmissionTestsJudged',
  'SubmissionCompleted',
] as const;

/** What one stored event tells the room's sockets (null for events they do not hear about). */
export function roomBroadcastOf(event: Pick<RecordedEvent, 'type' | 'streamName' | 'data'>): RoomBroadcast | null {
  const d = event.data as Data;
  if (event.streamName.startsWith('room-')) return fromRoomStream(event.streamName.slice('room-'.length), event.type, d);
  if (event.streamName.startsWith('run-') || event.streamName.startsWith('submission-')) return fromExecution(event.type, d);
  return null;
}

export function deliver(sink: RoomSink, b: RoomBroadcast): boolean {
  const room = sink.live(b.roomId);
  if (!room) return false;
  for (const r of b.roles ?? []) room.setRole(r.userId, r.role);
  room.broadcast(b.type, b.data);
  return true;
}

export interface RoomEventFeed {
  /** resolves once the subscription reached the end of the store (events appended after it are delivered) */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Subscribe from the current end of the store and deliver to the rooms live on this node. A broken subscription
 * (database restart) resumes from the last delivered position after `retryMs`.
 */
export function startRoomEventFeed(store: EventStore, sink: RoomSink, logger: CollabLogger, options: { retryMs?: number } = {}): RoomEventFeed {
  const abort = new AbortController();
  const filter = { on: 'eventType' as const, prefixes: ROOM_FEED_EVENT_TYPES };
  let from: Position | 'end' = 'end';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        for await (const message of store.subscribeToAll({ fromPosition: from, filter, signal: abort.signal })) {
          if (message.kind === 'caughtUp') markReady();
          if (message.kind === 'checkpoint') from = message.position;
          if (message.kind !== 'event') continue;
          from = message.event.position;
          // the filter matches by prefix: a type that merely starts like one of ours is not ours
          if (!(ROOM_FEED_EVENT_TYPES as readonly string[]).includes(message.event.type)) continue;
          const b = roomBroadcastOf(message.event);
          if (b) deliver(sink, b);
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        logger.warn({ err }, 'room event feed interrupted; resuming');
      }
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, options.retryMs ?? 1000).unref());
    }
  };
  const done = run();
  return {
    ready,
    async stop() {
      abort.abort();
      await done.catch(() => undefined);
    },
  };
}
