/** Given/when/then helpers for the room decider tests: histories are built from the same events the decider emits. */
import type { DomainError } from '../../src/domain/shared/errors.js';
import { roomDecider } from '../../src/domain/room/decider.js';
import type { RoomCommand } from '../../src/domain/room/commands.js';
import type { RoomMode, RoomRole, RoomStatus } from '../../src/domain/room/constants.js';
import type { RoomEvent, SessionMemberData } from '../../src/domain/room/events.js';
import type { RoomState } from '../../src/domain/room/state.js';
import { deciderSpec } from '../support/decider-spec.js';
import { clock, T0 as CLOCK_START } from '../support/clock.js';

export const T0 = Date.parse(CLOCK_START);
/** ISO time `s` seconds after T0. */
export const at = clock(CLOCK_START);

export const ROOM = 'room-1';
export const CODE = 'ABC234';
export const HOST = 'host';
export const BOB = 'bob';
export const CAROL = 'carol';
export const DAVE = 'dave';

export function created(mode: RoomMode = 'peer', o: { isPrivate?: boolean; maxParticipants?: number; language?: string | null } = {}): RoomEvent[] {
  return [
    {
      type: 'RoomCreated',
      data: {
        roomId: ROOM,
        code: CODE,
        hostId: HOST,
        mode,
        name: 'Practice',
        problemId: null,
        language: (o.language === undefined ? 'python' : o.language) as never,
        maxParticipants: o.maxParticipants ?? 4,
        maxDuration: 120,
        isPrivate: o.isPrivate ?? true,
        createdAt: at(0),
      },
    },
    {
      type: 'ParticipantJoined',
      data: { userId: HOST, role: mode === 'peer' ? 'interviewer' : 'candidate', requestedRole: null, reason: 'host', rejoined: false, joinedAt: at(0), sessionId: null },
    },
  ];
}

export function joined(userId: string, role: RoomRole, t = 1, sessionId: string | null = null): RoomEvent {
  return { type: 'ParticipantJoined', data: { userId, role, requestedRole: null, reason: 'auto-assigned', rejoined: false, joinedAt: at(t), sessionId } };
}

export function ready(userId: string, isReady = true, t = 2): RoomEvent {
  return { type: 'ParticipantReadyChanged', data: { userId, isReady, changedAt: at(t) } };
}

export function left(userId: string, t = 3, reason: 'left' | 'disconnected' | 'swept' = 'disconnected'): RoomEvent {
  return { type: 'ParticipantLeft', data: { userId, reason, leftAt: at(t) } };
}

export function removed(userId: string, t = 3): RoomEvent {
  return { type: 'ParticipantRemoved', data: { userId, removedBy: HOST, removedAt: at(t) } };
}

export function phase(from: RoomStatus, to: RoomStatus, t: number, extra: { elapsedMs?: number; sessionId?: string | null; sessionParticipants?: SessionMemberData[] } = {}): RoomEvent {
  return {
    type: 'PhaseChanged',
    data: {
      from,
      to,
      changedBy: HOST,
      changedAt: at(t),
      elapsedMs: extra.elapsedMs ?? 0,
      sessionId: extra.sessionId === undefined ? (from === 'waiting' && to !== 'finished' ? 'session-1' : from === 'waiting' ? null : 'session-1') : extra.sessionId,
      ...(extra.sessionParticipants ? { sessionParticipants: extra.sessionParticipants } : {}),
      ...(to === 'finished' ? { finishReason: 'user' as const, deactivated: [] } : {}),
    },
  };
}

/** A peer room with the host (interviewer) and Bob (candidate), both ready. */
export function readyPeerRoom(): RoomEvent[] {
  return [...created('peer'), joined(BOB, 'candidate'), ready(HOST), ready(BOB)];
}

/** The ready peer room moved into `status` through the real transitions (session-1 starting at warmup). */
export function peerRoomIn(status: RoomStatus): RoomEvent[] {
  const events = readyPeerRoom();
  if (status === 'waiting') return events;
  if (status === 'finished') return [...events, phase('waiting', 'finished', 5, { sessionId: null })];
  const members: SessionMemberData[] = [
    { userId: HOST, role: 'interviewer', joinedAt: at(0) },
    { userId: BOB, role: 'candidate', joinedAt: at(1) },
  ];
  events.push(phase('waiting', 'warmup', 10, { sessionId: 'session-1', sessionParticipants: members }));
  if (status === 'warmup') return events;
  events.push(phase('warmup', 'coding', 20));
  if (status === 'coding') return events;
  events.push(phase('coding', 'wrapup', 80, { elapsedMs: 60_000 }));
  return events;
}

const roomSpec = deciderSpec(roomDecider);

export const stateOf = (events: RoomEvent[]): RoomState => roomSpec.stateOf(events);

export function when(given: RoomEvent[], command: RoomCommand): RoomEvent[] {
  return roomSpec.when(given, command);
}

export function thenError(given: RoomEvent[], command: RoomCommand, code: string, status: number): DomainError {
  return roomSpec.thenError(given, command, code, status);
}

export function transition(by: string, target: RoomStatus, t = 100, sessionEndRecorded = true): RoomCommand {
  return { type: 'TransitionPhase', by, target, newSessionId: 'session-new', sessionEndRecorded, now: at(t) };
}
