/**
 * The room decider, rule by rule (SPEC §2 phases, §3 permissions and role invariants, §4.4–4.5 room commands):
 * given a history of events, when a command, then the events it produces or the error it raises.
 */
import { describe, expect, it } from '@jest/globals';
import { ROOM_STATUSES, type RoomStatus } from '../../src/domain/room/constants.js';
import type { RoomEvent } from '../../src/domain/room/events.js';
import {
  at,
  BOB,
  CAROL,
  CODE,
  created,
  DAVE,
  HOST,
  joined,
  left,
  peerRoomIn,
  phase,
  ready,
  readyPeerRoom,
  removed,
  ROOM,
  stateOf,
  thenError,
  transition,
  when,
} from './room-fixtures.js';

const join = (userId: string, o: { roomCode?: string | null; requestedRole?: 'interviewer' | 'candidate' | 'observer' | null; isAdmin?: boolean; t?: number } = {}) => ({
  type: 'JoinRoom' as const,
  userId,
  roomCode: o.roomCode === undefined ? CODE : o.roomCode,
  requestedRole: o.requestedRole ?? null,
  isAdmin: o.isAdmin ?? false,
  now: at(o.t ?? 50),
});

describe('create', () => {
  it('creates the room with the host as interviewer in a peer room', () => {
    const events = when([], {
      type: 'CreateRoom', roomId: ROOM, code: CODE, hostId: HOST, mode: 'peer', name: null, problemId: null, language: null,
      maxParticipants: 2, maxDuration: 120, isPrivate: true, now: at(0),
    });
    expect(events.map((e) => e.type)).toEqual(['RoomCreated', 'ParticipantJoined']);
    expect(events[1]!.data).toMatchObject({ userId: HOST, role: 'interviewer', reason: 'host' });
    const s = stateOf(events);
    expect(s).toMatchObject({ status: 'waiting', hostId: HOST, editorLocked: false, timerPaused: false, elapsedMs: 0, sessionId: null });
  });

  it('makes the host the candidate of an AI room', () => {
    const events = when([], {
      type: 'CreateRoom', roomId: ROOM, code: CODE, hostId: HOST, mode: 'ai', name: null, problemId: null, language: null,
      maxParticipants: 2, maxDuration: 120, isPrivate: true, now: at(0),
    });
    expect(events[1]!.data).toMatchObject({ role: 'candidate' });
  });

  it('is a no-op when the room already exists, and validates the configuration', () => {
    const cmd = {
      type: 'CreateRoom' as const, roomId: ROOM, code: CODE, hostId: HOST, mode: 'peer' as const, name: null, problemId: null, language: null,
      maxParticipants: 2, maxDuration: 120, isPrivate: true, now: at(0),
    };
    expect(when(created(), cmd)).toEqual([]);
    thenError([], { ...cmd, maxParticipants: 9 }, 'VALIDATION_FAILED', 400);
    thenError([], { ...cmd, maxParticipants: 1 }, 'VALIDATION_FAILED', 400);
    thenError([], { ...cmd, maxDuration: 0 }, 'VALIDATION_FAILED', 400);
  });
});

describe('join (SPEC §4.4 join algorithm)', () => {
  it('404 ROOM_NOT_FOUND for an unknown or destroyed room', () => {
    thenError([], join(BOB), 'ROOM_NOT_FOUND', 404);
    thenError([...created(), { type: 'RoomDestroyed', data: { destroyedBy: HOST, destroyedAt: at(2), code: CODE, sessionId: null } }], join(BOB), 'ROOM_NOT_FOUND', 404);
  });

  it('409 ROOM_FINISHED in a finished room', () => {
    thenError(peerRoomIn('finished'), join(CAROL), 'ROOM_FINISHED', 409);
  });

  it('403 ROOM_PARTICIPANT_REMOVED for a removed user, even with the right code', () => {
    thenError([...created(), joined(BOB, 'candidate'), removed(BOB)], join(BOB), 'ROOM_PARTICIPANT_REMOVED', 403);
  });

  it('checks the invite code of newcomers: required in private rooms, must match when given, case-insensitive', () => {
    thenError(created('peer', { isPrivate: true }), join(BOB, { roomCode: null }), 'ROOM_INVALID_CODE', 400);
    thenError(created('peer', { isPrivate: true }), join(BOB, { roomCode: 'ZZZ999' }), 'ROOM_INVALID_CODE', 400);
    thenError(created('peer', { isPrivate: false }), join(BOB, { roomCode: 'ZZZ999' }), 'ROOM_INVALID_CODE', 400);
    expect(when(created('peer', { isPrivate: false }), join(BOB, { roomCode: null }))).toHaveLength(1);
    expect(when(created('peer', { isPrivate: true }), join(BOB, { roomCode: CODE.toLowerCase() }))).toHaveLength(1);
  });

  it('lets admins join any room without the code (room:join-any)', () => {
    expect(when(created('peer', { isPrivate: true }), join(BOB, { roomCode: null, isAdmin: true }))).toHaveLength(1);
  });

  it('is idempotent for an active participant: no event, the current role stands', () => {
    expect(when([...created(), joined(BOB, 'candidate')], join(BOB, { roomCode: null }))).toEqual([]);
  });

  it('reactivates an inactive participant without a code and assigns an available role', () => {
    const given = [...created('peer', { isPrivate: true }), joined(BOB, 'candidate'), left(BOB), joined(CAROL, 'candidate', 4)];
    const [event] = when(given, join(BOB, { roomCode: null }));
    expect(event).toEqual({
      type: 'ParticipantJoined',
      data: { userId: BOB, role: 'observer', requestedRole: null, reason: 'fallback-observer', rejoined: true, joinedAt: at(50), sessionId: null },
    });
    const s = stateOf([...given, event!]);
    expect(s.participants[BOB]).toMatchObject({ isActive: true, leftAt: null, joinedAt: at(50), role: 'observer', isReady: false });
  });

  it('409 ROOM_FULL when the active participants fill maxParticipants (before role selection)', () => {
    const given = [...created('peer', { maxParticipants: 2 }), joined(BOB, 'candidate')];
    thenError(given, join(CAROL, { requestedRole: 'observer' }), 'ROOM_FULL', 409);
    // an inactive participant frees the seat
    expect(when([...given, left(BOB)], join(CAROL))).toHaveLength(1);
  });

  it('auto-assigns peer rooms: interviewer if free, else candidate, else observer (fallback)', () => {
    const peer = created('peer');
    expect(when(peer, join(BOB))[0]!.data).toMatchObject({ role: 'candidate', reason: 'auto-assigned' });
    expect(when([...peer, joined(BOB, 'candidate')], join(CAROL))[0]!.data).toMatchObject({ role: 'observer', reason: 'fallback-observer' });
    // the host gave up the interviewer seat: the next joiner takes it
    const hostObserver = [...peer, joined(BOB, 'candidate'), { type: 'ParticipantRoleChanged', data: { userId: HOST, from: 'interviewer', to: 'observer', changedBy: HOST, reason: 'assigned', changedAt: at(2) } } as RoomEvent];
    expect(when(hostObserver, join(CAROL))[0]!.data).toMatchObject({ role: 'interviewer', reason: 'auto-assigned' });
  });

  it('auto-assigns AI rooms: candidate if free, else observer', () => {
    expect(when(created('ai'), join(BOB))[0]!.data).toMatchObject({ role: 'observer', reason: 'fallback-observer' });
    const hostLeft = [...created('ai'), left(HOST)];
    expect(when(hostLeft, join(BOB))[0]!.data).toMatchObject({ role: 'candidate', reason: 'auto-assigned' });
  });

  it('grants a requested role when free, observer always; 409 ROOM_ROLE_UNAVAILABLE when taken', () => {
    expect(when(created('peer'), join(BOB, { requestedRole: 'candidate' }))[0]!.data).toMatchObject({ role: 'candidate', reason: 'requested', requestedRole: 'candidate' });
    expect(when(created('peer'), join(BOB, { requestedRole: 'observer' }))[0]!.data).toMatchObject({ role: 'observer', reason: 'requested' });
    thenError(created('peer'), join(BOB, { requestedRole: 'interviewer' }), 'ROOM_ROLE_UNAVAILABLE', 409);
    thenError([...created('peer'), joined(BOB, 'candidate')], join(CAROL, { requestedRole: 'candidate' }), 'ROOM_ROLE_UNAVAILABLE', 409);
  });

  it('409 ROOM_NOT_PEER_MODE for an interviewer request in an AI room', () => {
    thenError(created('ai'), join(BOB, { requestedRole: 'interviewer' }), 'ROOM_NOT_PEER_MODE', 409);
  });

  it('makes a late joiner a participant of the running session (DESIGN §10)', () => {
    const [event] = when(peerRoomIn('coding'), join(CAROL));
    expect(event!.data).toMatchObject({ userId: CAROL, role: 'observer', sessionId: 'session-1' });
    const s = stateOf([...peerRoomIn('coding'), event!]);
    expect(s.sessionMembers[CAROL]).toEqual({ role: 'observer', joinedAt: at(50) });
    expect(when(created(), join(CAROL))[0]!.data).toMatchObject({ sessionId: null });
  });
});

describe('leave', () => {
  it('marks the caller inactive (never removed)', () => {
    const events = when([...created(), joined(BOB, 'candidate')], { type: 'LeaveRoom', userId: BOB, now: at(9) });
    expect(events).toEqual([{ type: 'ParticipantLeft', data: { userId: BOB, reason: 'left', leftAt: at(9) } }]);
    expect(stateOf([...created(), joined(BOB, 'candidate'), ...events]).participants[BOB]).toMatchObject({ isActive: false, removedAt: null, leftAt: at(9) });
  });

  it('hands ownership to the active participant who joined earliest when the host leaves', () => {
    const given = [...created(), joined(BOB, 'candidate', 1), joined(CAROL, 'observer', 2)];
    const events = when(given, { type: 'LeaveRoom', userId: HOST, now: at(9) });
    expect(events).toEqual([
      { type: 'OwnershipTransferred', data: { from: HOST, to: BOB, transferredBy: HOST, reason: 'host_left', transferredAt: at(9) } },
      { type: 'ParticipantLeft', data: { userId: HOST, reason: 'left', leftAt: at(9) } },
    ]);
    const s = stateOf([...given, ...events]);
    expect(s.hostId).toBe(BOB);
    expect(s.participants[BOB]!.role).toBe('candidate'); // roles are not reshuffled
  });

  it('keeps the host when nobody else is active', () => {
    const events = when([...created(), joined(BOB, 'candidate'), left(BOB)], { type: 'LeaveRoom', userId: HOST, now: at(9) });
    expect(events.map((e) => e.type)).toEqual(['ParticipantLeft']);
  });

  it('is a no-op when already inactive; 403 for strangers and removed users; 409 in a finished room', () => {
    expect(when([...created(), joined(BOB, 'candidate'), left(BOB)], { type: 'LeaveRoom', userId: BOB, now: at(9) })).toEqual([]);
    thenError(created(), { type: 'LeaveRoom', userId: DAVE, now: at(9) }, 'ROOM_ACCESS_DENIED', 403);
    thenError([...created(), joined(BOB, 'candidate'), removed(BOB)], { type: 'LeaveRoom', userId: BOB, now: at(9) }, 'ROOM_ACCESS_DENIED', 403);
    thenError(peerRoomIn('finished'), { type: 'LeaveRoom', userId: BOB, now: at(9) }, 'ROOM_FINISHED', 409);
    thenError([], { type: 'LeaveRoom', userId: BOB, now: at(9) }, 'ROOM_NOT_FOUND', 404);
  });
});

describe('disconnect and presence sweep', () => {
  const given = [...created(), joined(BOB, 'candidate', 5)];

  it('marks a disconnected participant inactive at the reported time; the host keeps ownership', () => {
    expect(when(given, { type: 'DisconnectParticipant', userId: BOB, at: at(30) })).toEqual([
      { type: 'ParticipantLeft', data: { userId: BOB, reason: 'disconnected', leftAt: at(30) } },
    ]);
    expect(when(given, { type: 'DisconnectParticipant', userId: HOST, at: at(30) }).map((e) => e.type)).toEqual(['ParticipantLeft']);
  });

  it('ignores disconnects of inactive participants, of older sockets, and in finished rooms', () => {
    expect(when([...given, left(BOB, 6)], { type: 'DisconnectParticipant', userId: BOB, at: at(30) })).toEqual([]);
    expect(when(given, { type: 'DisconnectParticipant', userId: BOB, at: at(4) })).toEqual([]);
    expect(when(peerRoomIn('finished'), { type: 'DisconnectParticipant', userId: BOB, at: at(30) })).toEqual([]);
  });

  it('sweeps only the join it judged stale', () => {
    expect(when(given, { type: 'SweepParticipant', userId: BOB, joinedAt: at(5), now: at(200) })).toEqual([
      { type: 'ParticipantLeft', data: { userId: BOB, reason: 'swept', leftAt: at(200) } },
    ]);
    expect(when(given, { type: 'SweepParticipant', userId: BOB, joinedAt: at(1), now: at(200) })).toEqual([]);
    expect(when([...given, left(BOB, 6)], { type: 'SweepParticipant', userId: BOB, joinedAt: at(5), now: at(200) })).toEqual([]);
  });
});

describe('remove (kick)', () => {
  const given = [...created(), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2)];
  const kick = (by: string, userId: string) => ({ type: 'RemoveParticipant' as const, by, userId, now: at(9) });

  it('host removes an active participant: inactive, leftAt and removedAt set, barred from re-joining', () => {
    const events = when(given, kick(HOST, BOB));
    expect(events).toEqual([{ type: 'ParticipantRemoved', data: { userId: BOB, removedBy: HOST, removedAt: at(9) } }]);
    const after = [...given, ...events];
    expect(stateOf(after).participants[BOB]).toMatchObject({ isActive: false, leftAt: at(9), removedAt: at(9) });
    thenError(after, join(BOB), 'ROOM_PARTICIPANT_REMOVED', 403);
  });

  it('rejects: self 400, non-host 403, missing or inactive target 404, unknown room 404', () => {
    thenError(given, kick(HOST, HOST), 'ROOM_PERMISSION_DENIED', 400);
    thenError(given, kick(BOB, CAROL), 'ROOM_PERMISSION_DENIED', 403);
    thenError(given, kick(HOST, DAVE), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([...given, left(CAROL)], kick(HOST, CAROL), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([], kick(HOST, BOB), 'ROOM_NOT_FOUND', 404);
  });
});

describe('role change by the host (SPEC §3.4, §4.4)', () => {
  const given = [...created(), joined(CAROL, 'observer', 2)];
  const change = (by: string, userId: string, role: 'interviewer' | 'candidate' | 'observer') => ({ type: 'ChangeParticipantRole' as const, by, userId, role, now: at(9) });

  it('changes an active participant role in waiting', () => {
    expect(when(given, change(HOST, CAROL, 'candidate'))).toEqual([
      { type: 'ParticipantRoleChanged', data: { userId: CAROL, from: 'observer', to: 'candidate', changedBy: HOST, reason: 'assigned', changedAt: at(9) } },
    ]);
    expect(when(given, change(HOST, CAROL, 'observer'))).toEqual([]);
  });

  it('enforces the role invariants: 409 ROOM_ROLE_CONSTRAINT_VIOLATION, 409 ROOM_NOT_PEER_MODE', () => {
    thenError(given, change(HOST, CAROL, 'interviewer'), 'ROOM_ROLE_CONSTRAINT_VIOLATION', 409);
    thenError([...given, joined(BOB, 'candidate', 3)], change(HOST, CAROL, 'candidate'), 'ROOM_ROLE_CONSTRAINT_VIOLATION', 409);
    thenError([...created('ai'), joined(CAROL, 'observer', 2)], change(HOST, CAROL, 'interviewer'), 'ROOM_NOT_PEER_MODE', 409);
  });

  it('rejects: non-host 403, finished 409, after waiting 400 ROOM_ROLES_LOCKED, host target 400, inactive target 404', () => {
    thenError(given, change(CAROL, CAROL, 'candidate'), 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('finished'), change(HOST, BOB, 'observer'), 'ROOM_FINISHED', 409);
    thenError(peerRoomIn('warmup'), change(HOST, BOB, 'observer'), 'ROOM_ROLES_LOCKED', 400);
    thenError(peerRoomIn('coding'), change(HOST, BOB, 'observer'), 'ROOM_ROLES_LOCKED', 400);
    thenError(given, change(HOST, HOST, 'observer'), 'VALIDATION_FAILED', 400);
    thenError([...given, left(CAROL)], change(HOST, CAROL, 'candidate'), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([], change(HOST, CAROL, 'candidate'), 'ROOM_NOT_FOUND', 404);
  });
});

describe('ownership transfer (SPEC §3.3, §4.4)', () => {
  const transfer = (by: string, userId: string) => ({ type: 'TransferOwnership' as const, by, userId, now: at(9) });

  it('peer: the new host takes the interviewer role, the old host the target’s former role', () => {
    const given = [...created('peer'), joined(BOB, 'candidate')];
    const events = when(given, transfer(HOST, BOB));
    expect(events).toEqual([
      { type: 'OwnershipTransferred', data: { from: HOST, to: BOB, transferredBy: HOST, reason: 'transfer', transferredAt: at(9) } },
      { type: 'ParticipantRoleChanged', data: { userId: BOB, from: 'candidate', to: 'interviewer', changedBy: HOST, reason: 'ownership_transfer', changedAt: at(9) } },
      { type: 'ParticipantRoleChanged', data: { userId: HOST, from: 'interviewer', to: 'candidate', changedBy: HOST, reason: 'ownership_transfer', changedAt: at(9) } },
    ]);
    const s = stateOf([...given, ...events]);
    expect(s.hostId).toBe(BOB);
  });

  it('ai: the new host becomes the candidate, the old host takes the observer seat', () => {
    const events = when([...created('ai'), joined(BOB, 'observer')], transfer(HOST, BOB));
    expect(events.slice(1).map((e) => e.data)).toMatchObject([{ userId: BOB, to: 'candidate' }, { userId: HOST, to: 'observer' }]);
  });

  it('a target already holding the host role keeps it; the old host becomes observer', () => {
    const given = [...created('peer'), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2), ...when([...created('peer'), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2)], { type: 'LeaveRoom', userId: HOST, now: at(3) })];
    // BOB is host (candidate) now; HOST is inactive. Carol becomes interviewer through a role change, then BOB hands over.
    const withInterviewer = [...given, { type: 'ParticipantRoleChanged', data: { userId: CAROL, from: 'observer', to: 'interviewer', changedBy: BOB, reason: 'assigned', changedAt: at(4) } } as RoomEvent];
    const events = when(withInterviewer, transfer(BOB, CAROL));
    expect(events.map((e) => e.type)).toEqual(['OwnershipTransferred', 'ParticipantRoleChanged']);
    expect(events[1]!.data).toMatchObject({ userId: BOB, from: 'candidate', to: 'observer' });
  });

  it('409 ROOM_ROLE_CONSTRAINT_VIOLATION when the transfer would seat two interviewers', () => {
    const afterLeave = [...created('peer'), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2), joined(DAVE, 'observer', 3)];
    const handover = when(afterLeave, { type: 'LeaveRoom', userId: HOST, now: at(4) }); // BOB (candidate) becomes host
    const given = [...afterLeave, ...handover, { type: 'ParticipantRoleChanged', data: { userId: CAROL, from: 'observer', to: 'interviewer', changedBy: BOB, reason: 'assigned', changedAt: at(5) } } as RoomEvent];
    // DAVE (observer) would become interviewer next to CAROL
    thenError(given, transfer(BOB, DAVE), 'ROOM_ROLE_CONSTRAINT_VIOLATION', 409);
  });

  it('rejects: non-host 403, finished 409, after waiting 400 ROOM_ROLES_LOCKED, self/inactive 400, missing 404', () => {
    const given = [...created(), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2)];
    thenError(given, transfer(BOB, CAROL), 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('finished'), transfer(HOST, BOB), 'ROOM_FINISHED', 409);
    thenError(peerRoomIn('warmup'), transfer(HOST, BOB), 'ROOM_ROLES_LOCKED', 400);
    thenError(given, transfer(HOST, HOST), 'PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP', 400);
    thenError(given, transfer(HOST, DAVE), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([...given, left(CAROL)], transfer(HOST, CAROL), 'PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP', 400);
    thenError([...given, left(HOST)], transfer(HOST, CAROL), 'PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP', 400);
    thenError([], transfer(HOST, BOB), 'ROOM_NOT_FOUND', 404);
  });
});

describe('ready toggle', () => {
  const toggle = (userId: string) => ({ type: 'ToggleReady' as const, userId, now: at(9) });

  it('toggles the caller’s readiness in waiting', () => {
    const given = [...created(), joined(BOB, 'candidate')];
    const first = when(given, toggle(BOB));
    expect(first).toEqual([{ type: 'ParticipantReadyChanged', data: { userId: BOB, isReady: true, changedAt: at(9) } }]);
    expect(when([...given, ...first], toggle(BOB))[0]!.data).toMatchObject({ isReady: false });
  });

  it('rejects: outside waiting 409 ROOM_INVALID_TRANSITION, non-participant 404, unknown room 404', () => {
    thenError(peerRoomIn('coding'), toggle(BOB), 'ROOM_INVALID_TRANSITION', 409);
    thenError(created(), toggle(DAVE), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([...created(), joined(BOB, 'candidate'), left(BOB)], toggle(BOB), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([], toggle(BOB), 'ROOM_NOT_FOUND', 404);
  });
});

describe('language change', () => {
  const change = (by: string, language: 'python' | 'go' = 'go') => ({ type: 'ChangeLanguage' as const, by, language, now: at(9) });
  const given = [...created(), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2)];

  it('candidates, interviewers and the host change it; the same language is a no-op', () => {
    expect(when(given, change(BOB))).toEqual([{ type: 'RoomLanguageChanged', data: { from: 'python', to: 'go', changedBy: BOB, changedAt: at(9) } }]);
    expect(when(given, change(HOST))).toHaveLength(1);
    expect(when(given, change(BOB, 'python'))).toEqual([]);
  });

  it('observer (non-host) 403 ROOM_PERMISSION_DENIED; stranger 403 ROOM_ACCESS_DENIED; finished 400 ROOM_INVALID_STATE', () => {
    thenError(given, change(CAROL), 'ROOM_PERMISSION_DENIED', 403);
    thenError(given, change(DAVE), 'ROOM_ACCESS_DENIED', 403);
    thenError(peerRoomIn('finished'), change(HOST), 'ROOM_INVALID_STATE', 400);
    thenError([], change(HOST), 'ROOM_NOT_FOUND', 404);
  });
});

describe('a host without a participant role that can edit', () => {
  it('changes the language through the host override', () => {
    // peer room: host hands the interviewer seat away by transfer and gets it back as observer
    const room = [...created('peer'), joined(BOB, 'observer')];
    const first = when(room, { type: 'TransferOwnership', by: HOST, userId: BOB, now: at(3) }); // BOB interviewer+host, HOST observer
    const s1 = stateOf([...room, ...first]);
    expect(s1.participants[HOST]!.role).toBe('observer');
    // HOST is an observer and not the host: cannot change the language
    thenError([...room, ...first], { type: 'ChangeLanguage', by: HOST, language: 'go', now: at(5) }, 'ROOM_PERMISSION_DENIED', 403);
    // BOB (host) makes HOST host again by leaving; HOST keeps the observer role but is host now
    const handover = when([...room, ...first], { type: 'LeaveRoom', userId: BOB, now: at(6) });
    const s2 = stateOf([...room, ...first, ...handover]);
    expect([s2.hostId, s2.participants[HOST]!.role]).toEqual([HOST, 'observer']);
    expect(when([...room, ...first, ...handover], { type: 'ChangeLanguage', by: HOST, language: 'go', now: at(7) })).toHaveLength(1);
  });
});

describe('select problem and settings (host only)', () => {
  const select = (by: string, available = true, problemId = 'p-2') => ({ type: 'SelectProblem' as const, by, problemId, problemAvailable: available, now: at(9) });

  it('the host selects a published problem before coding', () => {
    expect(when(readyPeerRoom(), select(HOST))).toEqual([{ type: 'RoomProblemSelected', data: { from: null, to: 'p-2', selectedBy: HOST, selectedAt: at(9) } }]);
    expect(when(peerRoomIn('warmup'), select(HOST))).toHaveLength(1);
  });

  it('rejects: non-host 403, from coding 409 ROOM_INVALID_STATE, unpublished/unknown 404 PROBLEM_NOT_FOUND, finished 409', () => {
    thenError(readyPeerRoom(), select(BOB), 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('coding'), select(HOST), 'ROOM_INVALID_STATE', 409);
    thenError(readyPeerRoom(), select(HOST, false), 'PROBLEM_NOT_FOUND', 404);
    thenError(peerRoomIn('finished'), select(HOST), 'ROOM_FINISHED', 409);
    thenError(created(), select(DAVE), 'ROOM_ACCESS_DENIED', 403);
  });

  it('settings: only changed fields, maxParticipants not below the active count', () => {
    const given = [...created('peer', { maxParticipants: 4 }), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2)];
    const cmd = { type: 'UpdateSettings' as const, by: HOST, now: at(9) };
    expect(when(given, { ...cmd, name: 'New', maxParticipants: 4, isPrivate: false })).toEqual([
      { type: 'RoomSettingsChanged', data: { name: 'New', isPrivate: false, changedBy: HOST, changedAt: at(9) } },
    ]);
    expect(when(given, { ...cmd, maxParticipants: 4 })).toEqual([]);
    thenError(given, { ...cmd, maxParticipants: 2 }, 'VALIDATION_FAILED', 400);
    thenError(given, { ...cmd, by: BOB, name: 'x' }, 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('finished'), { ...cmd, name: 'x' }, 'ROOM_FINISHED', 409);
  });
});

describe('editor lock (SPEC §2.5, DESIGN §10)', () => {
  const lock = (by: string, locked = true) => ({ type: 'SetEditorLock' as const, by, locked, now: at(9) });
  const given = [...peerRoomIn('coding'), joined(CAROL, 'observer', 30, 'session-1')];

  it('host or interviewer lock and unlock; repeating is a no-op', () => {
    expect(when(given, lock(HOST))).toEqual([{ type: 'EditorLocked', data: { lockedBy: HOST, lockedAt: at(9) } }]);
    const locked = [...given, ...when(given, lock(HOST))];
    expect(when(locked, lock(HOST))).toEqual([]);
    expect(when(locked, lock(HOST, false))).toEqual([{ type: 'EditorUnlocked', data: { unlockedBy: HOST, unlockedAt: at(9) } }]);
    expect(when(given, lock(HOST, false))).toEqual([]);
  });

  it('a non-host interviewer may lock', () => {
    const plain = [...created('peer'), { type: 'ParticipantRoleChanged', data: { userId: HOST, from: 'interviewer', to: 'observer', changedBy: HOST, reason: 'assigned', changedAt: at(1) } } as RoomEvent, joined(BOB, 'interviewer', 2)];
    expect(when(plain, lock(BOB))).toHaveLength(1);
  });

  it('rejects: candidate/observer 403 ROOM_PERMISSION_DENIED, stranger 403 ROOM_ACCESS_DENIED, finished 409 ROOM_FINISHED', () => {
    thenError(given, lock(BOB), 'ROOM_PERMISSION_DENIED', 403);
    thenError(given, lock(CAROL), 'ROOM_PERMISSION_DENIED', 403);
    thenError(given, lock(DAVE), 'ROOM_ACCESS_DENIED', 403);
    thenError(peerRoomIn('finished'), lock(HOST), 'ROOM_FINISHED', 409);
    thenError([], lock(HOST), 'ROOM_NOT_FOUND', 404);
  });
});

describe('timer pause / resume', () => {
  const pause = (by: string, paused = true, t = 50) => ({ type: 'SetTimerPaused' as const, by, paused, now: at(t) });

  it('pause folds the running coding time into elapsedMs; resume restarts the clock', () => {
    const coding = peerRoomIn('coding'); // coding since t=20
    const paused = when(coding, pause(HOST, true, 50));
    expect(paused).toEqual([{ type: 'TimerPaused', data: { pausedBy: HOST, pausedAt: at(50), elapsedMs: 30_000 } }]);
    expect(when([...coding, ...paused], pause(HOST, true, 55))).toEqual([]);
    const resumed = when([...coding, ...paused], pause(HOST, false, 70));
    expect(resumed).toEqual([{ type: 'TimerResumed', data: { resumedBy: HOST, resumedAt: at(70) } }]);
    // leaving coding at t=80 counts 30 s before the pause + 10 s after the resume
    const wrap = when([...coding, ...paused, ...resumed], transition(HOST, 'wrapup', 80));
    expect(wrap[0]!.data).toMatchObject({ elapsedMs: 40_000 });
    // paused time does not count
    const wrapWhilePaused = when([...coding, ...paused], transition(HOST, 'wrapup', 90));
    expect(wrapWhilePaused[0]!.data).toMatchObject({ elapsedMs: 30_000 });
    expect(stateOf([...coding, ...paused, ...wrapWhilePaused]).timerPaused).toBe(false);
  });

  it('rejects: outside coding 409 ROOM_INVALID_STATE, candidate 403, finished 409', () => {
    thenError(peerRoomIn('warmup'), pause(HOST), 'ROOM_INVALID_STATE', 409);
    thenError(peerRoomIn('coding'), pause(BOB), 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('finished'), pause(HOST), 'ROOM_FINISHED', 409);
  });
});

describe('phase transitions: the graph (SPEC §2.1)', () => {
  const allowed: Record<RoomStatus, RoomStatus[]> = {
    waiting: ['warmup', 'finished'],
    warmup: ['coding', 'finished'],
    coding: ['wrapup', 'finished'],
    wrapup: ['finished'],
    finished: [],
  };
  for (const from of ROOM_STATUSES) {
    for (const to of ROOM_STATUSES) {
      const ok = allowed[from].includes(to);
      const expected = ok ? 'allowed' : from === 'finished' && to !== 'finished' ? '403 (everyone is inactive once finished)' : '409 ROOM_INVALID_TRANSITION';
      it(`${from} → ${to}: ${expected}`, () => {
        const given = peerRoomIn(from);
        if (ok) {
          const [event] = when(given, transition(HOST, to));
          expect(event).toMatchObject({ type: 'PhaseChanged', data: { from, to, changedBy: HOST, changedAt: at(100) } });
          expect(stateOf([...given, event!]).status).toBe(to);
        } else if (from === 'finished' && to !== 'finished') {
          // everyone is inactive once finished; only the host's finish is let through to the graph check
          thenError(given, transition(HOST, to), 'ROOM_ACCESS_DENIED', 403);
        } else {
          thenError(given, transition(HOST, to), 'ROOM_INVALID_TRANSITION', 409);
        }
      });
    }
  }
});

describe('phase transitions: who may trigger (SPEC §2.2, in order)', () => {
  it('1. unknown room 404', () => {
    thenError([], transition(HOST, 'warmup'), 'ROOM_NOT_FOUND', 404);
  });

  it('2. no participant row, or a removed one: 403 ROOM_ACCESS_DENIED', () => {
    thenError(readyPeerRoom(), transition(DAVE, 'warmup'), 'ROOM_ACCESS_DENIED', 403);
    thenError([...readyPeerRoom(), joined(CAROL, 'observer', 3), removed(CAROL, 4)], transition(CAROL, 'finished'), 'ROOM_ACCESS_DENIED', 403);
  });

  it('3. inactive: 403, except the host finishing', () => {
    const coding = [...peerRoomIn('coding'), left(HOST, 30)];
    thenError(coding, transition(HOST, 'wrapup'), 'ROOM_ACCESS_DENIED', 403);
    expect(when(coding, transition(HOST, 'finished'))[0]!.data).toMatchObject({ to: 'finished', changedBy: HOST });
  });

  it('4. candidates and observers (not host): 403 ROOM_PERMISSION_DENIED; a non-host interviewer may', () => {
    thenError(peerRoomIn('coding'), transition(BOB, 'wrapup'), 'ROOM_PERMISSION_DENIED', 403);
    thenError([...peerRoomIn('coding'), joined(CAROL, 'observer', 30, 'session-1')], transition(CAROL, 'wrapup'), 'ROOM_PERMISSION_DENIED', 403);
    const plain = [...created('peer'), { type: 'ParticipantRoleChanged', data: { userId: HOST, from: 'interviewer', to: 'observer', changedBy: HOST, reason: 'assigned', changedAt: at(1) } } as RoomEvent, joined(BOB, 'interviewer', 2), joined(CAROL, 'candidate', 3), ready(BOB), ready(CAROL)];
    expect(when(plain, transition(BOB, 'warmup'))[0]!.data).toMatchObject({ to: 'warmup', changedBy: BOB });
  });

  it('5. an invalid target comes after the permission checks', () => {
    thenError(peerRoomIn('waiting'), transition(BOB, 'coding'), 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('waiting'), transition(HOST, 'coding'), 'ROOM_INVALID_TRANSITION', 409);
    thenError(peerRoomIn('coding'), transition(HOST, 'coding'), 'ROOM_INVALID_TRANSITION', 409);
    thenError(peerRoomIn('wrapup'), transition(HOST, 'coding'), 'ROOM_INVALID_TRANSITION', 409);
  });
});

describe('waiting → warmup: configuration and readiness (SPEC §2.2 step 6)', () => {
  it('peer room needs exactly one interviewer and one candidate: 409 ROOM_ROLE_CONSTRAINT_VIOLATION', () => {
    thenError([...created('peer'), ready(HOST)], transition(HOST, 'warmup'), 'ROOM_ROLE_CONSTRAINT_VIOLATION', 409);
    thenError([...created('peer'), joined(BOB, 'observer'), ready(HOST), ready(BOB)], transition(HOST, 'warmup'), 'ROOM_ROLE_CONSTRAINT_VIOLATION', 409);
  });

  it('counts only active participants', () => {
    thenError([...readyPeerRoom(), left(BOB, 4)], transition(HOST, 'warmup'), 'ROOM_ROLE_CONSTRAINT_VIOLATION', 409);
  });

  it('peer room with the candidate not ready: 400 ROOM_PARTICIPANTS_NOT_READY', () => {
    thenError([...created('peer'), joined(BOB, 'candidate'), ready(HOST)], transition(HOST, 'warmup'), 'ROOM_PARTICIPANTS_NOT_READY', 400);
    thenError([...created('peer'), joined(BOB, 'candidate'), ready(BOB)], transition(HOST, 'warmup'), 'ROOM_PARTICIPANTS_NOT_READY', 400);
  });

  it('a not-ready observer does not block', () => {
    expect(when([...readyPeerRoom(), joined(CAROL, 'observer', 3)], transition(HOST, 'warmup'))).toHaveLength(1);
  });

  it('ai room: exactly one candidate, ready', () => {
    thenError(created('ai'), transition(HOST, 'warmup'), 'ROOM_PARTICIPANTS_NOT_READY', 400);
    expect(when([...created('ai'), ready(HOST)], transition(HOST, 'warmup'))).toHaveLength(1);
    // the candidate (host) left: only an observer is active
    thenError([...created('ai'), ready(HOST), joined(BOB, 'observer', 3), left(HOST, 4)], transition(HOST, 'warmup'), 'ROOM_ACCESS_DENIED', 403);
    const hostObserver = [...created('ai'), joined(BOB, 'observer', 3), ...when([...created('ai'), joined(BOB, 'observer', 3)], { type: 'TransferOwnership', by: HOST, userId: BOB, now: at(4) })];
    // BOB is host and candidate now, HOST an observer; BOB not ready yet
    thenError(hostObserver, transition(BOB, 'warmup'), 'ROOM_PARTICIPANTS_NOT_READY', 400);
    expect(when([...hostObserver, ready(BOB, true, 5)], transition(BOB, 'warmup', 6))).toHaveLength(1);
  });

  it('starts the session: the active participants become its participants, readiness resets', () => {
    const given = [...readyPeerRoom(), joined(CAROL, 'observer', 3), joined(DAVE, 'observer', 4), left(DAVE, 5)];
    const [event] = when(given, { type: 'TransitionPhase', by: HOST, target: 'warmup', newSessionId: 'session-9', sessionEndRecorded: false, now: at(10) });
    expect(event!.data).toEqual({
      from: 'waiting',
      to: 'warmup',
      changedBy: HOST,
      changedAt: at(10),
      elapsedMs: 0,
      sessionId: 'session-9',
      sessionParticipants: [
        { userId: HOST, role: 'interviewer', joinedAt: at(0) },
        { userId: BOB, role: 'candidate', joinedAt: at(1) },
        { userId: CAROL, role: 'observer', joinedAt: at(3) },
      ],
    });
    const s = stateOf([...given, event!]);
    expect(s.sessionId).toBe('session-9');
    expect(Object.values(s.participants).every((p) => !p.isReady)).toBe(true);
    expect(Object.keys(s.sessionMembers).sort()).toEqual([BOB, CAROL, HOST].sort());
  });
});

describe('phase effects (SPEC §2.3)', () => {
  it('warmup → coding starts the clock with the editor untouched', () => {
    const [event] = when(peerRoomIn('warmup'), transition(HOST, 'coding', 30));
    const s = stateOf([...peerRoomIn('warmup'), event!]);
    expect(s).toMatchObject({ status: 'coding', phaseStartedAt: at(30), elapsedMs: 0, editorLocked: false, timerPaused: false });
  });

  it('coding → wrapup accumulates the coding time', () => {
    const [event] = when(peerRoomIn('coding'), transition(HOST, 'wrapup', 65));
    expect(event!.data).toMatchObject({ elapsedMs: 45_000 });
  });

  it('wrapup → finished keeps the accumulated time and deactivates every active participant', () => {
    const given = [...peerRoomIn('wrapup'), joined(CAROL, 'observer', 85, 'session-1')];
    const [event] = when(given, transition(HOST, 'finished', 90));
    expect(event!.data).toMatchObject({ to: 'finished', elapsedMs: 60_000, sessionId: 'session-1', finishReason: 'user', deactivated: [HOST, BOB, CAROL] });
    const s = stateOf([...given, event!]);
    expect(s.endedAt).toBe(at(90));
    expect(Object.values(s.participants).map((p) => [p.isActive, p.leftAt])).toEqual([[false, at(90)], [false, at(90)], [false, at(90)]]);
  });

  it('finishing straight from coding folds the running time', () => {
    const [event] = when(peerRoomIn('coding'), transition(HOST, 'finished', 50));
    expect(event!.data).toMatchObject({ elapsedMs: 30_000 });
  });

  it('finishing from waiting is allowed and needs no session, language or final snapshot (DESIGN §10)', () => {
    const [event] = when(created('peer', { language: null }), transition(HOST, 'finished', 5, false));
    expect(event!.data).toMatchObject({ from: 'waiting', to: 'finished', sessionId: null });
  });

  it('finishing a session needs a language: 400 VALIDATION_FAILED', () => {
    const noLanguage = [...created('peer', { language: null }), joined(BOB, 'candidate'), ready(HOST), ready(BOB), phase('waiting', 'warmup', 10, { sessionId: 'session-1', sessionParticipants: [] })];
    thenError(noLanguage, transition(HOST, 'finished', 20), 'VALIDATION_FAILED', 400);
  });

  it('finishing a session needs the recorded session_end snapshot: 500 INTERNAL_ERROR', () => {
    thenError(peerRoomIn('coding'), transition(HOST, 'finished', 50, false), 'INTERNAL_ERROR', 500);
  });

  it('pending role swaps lapse when the room finishes', () => {
    const swap = when(peerRoomIn('warmup'), { type: 'RequestRoleSwap', by: HOST, targetUserId: BOB, swapId: 'sw', now: at(11) });
    const fin = when([...peerRoomIn('warmup'), ...swap], transition(HOST, 'finished', 12));
    expect(stateOf([...peerRoomIn('warmup'), ...swap, ...fin]).roleSwaps['sw']!.status).toBe('expired');
  });
});

describe('system finish (SPEC §2.6, admin force-close)', () => {
  const finish = (reason: 'abandoned' | 'admin', sessionEndRecorded = true, by: string | null = reason === 'admin' ? 'admin-1' : null) =>
    ({ type: 'FinishBySystem' as const, reason, by, sessionEndRecorded, now: at(900) });

  it('abandoned: finishes a room without active participants; no-op if someone is active', () => {
    const empty = [...peerRoomIn('coding'), left(HOST, 30), left(BOB, 31)];
    expect(when(empty, finish('abandoned'))).toEqual([
      { type: 'PhaseChanged', data: { from: 'coding', to: 'finished', changedBy: null, changedAt: at(900), elapsedMs: 880_000, sessionId: 'session-1', finishReason: 'abandoned', deactivated: [] } },
    ]);
    expect(when(peerRoomIn('coding'), finish('abandoned'))).toEqual([]);
  });

  it('admin: records the force-close and finishes regardless of participants', () => {
    const events = when(peerRoomIn('waiting'), finish('admin'));
    expect(events.map((e) => e.type)).toEqual(['RoomForceClosed', 'PhaseChanged']);
    expect(events[0]!.data).toEqual({ closedBy: 'admin-1', closedAt: at(900), previousStatus: 'waiting' });
    expect(events[1]!.data).toMatchObject({ changedBy: 'admin-1', finishReason: 'admin', deactivated: [HOST, BOB] });
  });

  it('needs the final snapshot when the session has a language, not without one; 409 when already finished', () => {
    thenError(peerRoomIn('coding'), finish('admin', false), 'INTERNAL_ERROR', 500);
    const noLanguage = [...created('peer', { language: null }), joined(BOB, 'candidate'), ready(HOST), ready(BOB), phase('waiting', 'warmup', 10, { sessionId: 'session-1', sessionParticipants: [] })];
    expect(when(noLanguage, finish('admin', false))).toHaveLength(2);
    thenError(peerRoomIn('finished'), finish('admin'), 'ROOM_FINISHED', 409);
    thenError([], finish('admin'), 'ROOM_NOT_FOUND', 404);
  });
});

describe('role swap (peer rooms, 30 s to answer)', () => {
  const request = (by = HOST, target = BOB, t = 11, swapId = 'sw-1') => ({ type: 'RequestRoleSwap' as const, by, targetUserId: target, swapId, now: at(t) });
  const respond = (by: string, accept: boolean, t = 20, swapId = 'sw-1') => ({ type: 'RespondToRoleSwap' as const, by, swapId, accept, now: at(t) });
  const waiting = [...created('peer'), joined(BOB, 'candidate'), joined(CAROL, 'observer', 2)];
  const requested = [...waiting, ...when(waiting, request())];

  it('a request records both roles and the 30 s deadline', () => {
    expect(when(waiting, request())).toEqual([
      { type: 'RoleSwapRequested', data: { swapId: 'sw-1', requesterId: HOST, targetUserId: BOB, requesterRole: 'interviewer', targetRole: 'candidate', requestedAt: at(11), expiresAt: at(41) } },
    ]);
    expect(when(requested, request())).toEqual([]);
  });

  it('request rejects: AI room 409 ROOM_NOT_PEER_MODE, in wrapup or finished 409 PARTICIPANT_CANNOT_CHANGE_ROLE, self 400, inactive target 404, same role 409, stranger 403', () => {
    thenError([...created('ai'), joined(BOB, 'observer')], request(), 'ROOM_NOT_PEER_MODE', 409);
    thenError(peerRoomIn('wrapup'), request(), 'PARTICIPANT_CANNOT_CHANGE_ROLE', 409);
    thenError(waiting, request(HOST, HOST), 'VALIDATION_FAILED', 400);
    thenError([...waiting, left(BOB)], request(), 'PARTICIPANT_NOT_FOUND', 404);
    thenError([...waiting, joined(DAVE, 'observer', 3)], request(CAROL, DAVE), 'PARTICIPANT_CANNOT_CHANGE_ROLE', 409);
    thenError(waiting, request(DAVE, BOB), 'ROOM_ACCESS_DENIED', 403);
    thenError(peerRoomIn('finished'), request(), 'PARTICIPANT_CANNOT_CHANGE_ROLE', 409);
  });

  it('the target accepts: roles are exchanged once; accepting again is a no-op', () => {
    const accepted = when(requested, respond(BOB, true));
    expect(accepted).toEqual([
      { type: 'RoleSwapAccepted', data: { swapId: 'sw-1', requesterId: HOST, targetUserId: BOB, requesterRole: 'candidate', targetRole: 'interviewer', respondedAt: at(20) } },
    ]);
    const s = stateOf([...requested, ...accepted]);
    expect([s.participants[HOST]!.role, s.participants[BOB]!.role]).toEqual(['candidate', 'interviewer']);
    expect(when([...requested, ...accepted], respond(BOB, true, 25))).toEqual([]);
    thenError([...requested, ...accepted], respond(BOB, false, 25), 'ROLE_SWAP_NOT_FOUND', 404);
  });

  it('a swap during warmup updates the session participants too', () => {
    const warm = peerRoomIn('warmup');
    const req = when(warm, request(HOST, BOB, 11));
    const acc = when([...warm, ...req], respond(BOB, true, 12));
    expect(stateOf([...warm, ...req, ...acc]).sessionMembers).toEqual({
      [HOST]: { role: 'candidate', joinedAt: at(0) },
      [BOB]: { role: 'interviewer', joinedAt: at(1) },
    });
  });

  it('either side may decline; only the target may accept; others 403', () => {
    expect(when(requested, respond(BOB, false))[0]).toMatchObject({ type: 'RoleSwapDeclined', data: { declinedBy: BOB } });
    expect(when(requested, respond(HOST, false))[0]).toMatchObject({ type: 'RoleSwapDeclined', data: { declinedBy: HOST } });
    thenError(requested, respond(HOST, true), 'ROOM_PERMISSION_DENIED', 403);
    thenError(requested, respond(CAROL, true), 'ROOM_PERMISSION_DENIED', 403);
  });

  it('409 ROLE_SWAP_EXPIRED after 30 s or once expired; 404 ROLE_SWAP_NOT_FOUND for unknown or declined swaps', () => {
    thenError(requested, respond(BOB, true, 42), 'ROLE_SWAP_EXPIRED', 409);
    const expired = [...requested, ...when(requested, { type: 'ExpireRoleSwaps', now: at(45) })];
    thenError(expired, respond(BOB, true, 46), 'ROLE_SWAP_EXPIRED', 409);
    thenError(requested, respond(BOB, true, 20, 'nope'), 'ROLE_SWAP_NOT_FOUND', 404);
    const declined = [...requested, ...when(requested, respond(BOB, false))];
    thenError(declined, respond(BOB, true, 21), 'ROLE_SWAP_NOT_FOUND', 404);
  });

  it('the halfway swap: requested and accepted while coding, the session roles follow', () => {
    const coding = peerRoomIn('coding');
    const req = when(coding, request(HOST, BOB, 30));
    expect(req[0]).toMatchObject({ type: 'RoleSwapRequested', data: { requesterRole: 'interviewer', targetRole: 'candidate' } });
    const acc = when([...coding, ...req], respond(BOB, true, 31));
    expect(acc).toEqual([
      { type: 'RoleSwapAccepted', data: { swapId: 'sw-1', requesterId: HOST, targetUserId: BOB, requesterRole: 'candidate', targetRole: 'interviewer', respondedAt: at(31) } },
    ]);
    expect(stateOf([...coding, ...req, ...acc]).sessionMembers).toEqual({
      [HOST]: { role: 'candidate', joinedAt: at(0) },
      [BOB]: { role: 'interviewer', joinedAt: at(1) },
    });
  });

  it('409 PARTICIPANT_CANNOT_CHANGE_ROLE when the roles changed since the request or the session reached wrapup', () => {
    const changed = [...requested, { type: 'ParticipantRoleChanged', data: { userId: BOB, from: 'candidate', to: 'observer', changedBy: HOST, reason: 'assigned', changedAt: at(12) } } as RoomEvent];
    thenError(changed, respond(BOB, true), 'PARTICIPANT_CANNOT_CHANGE_ROLE', 409);
    thenError([...requested, left(BOB, 12)], respond(BOB, true), 'PARTICIPANT_CANNOT_CHANGE_ROLE', 409);
    const warm = peerRoomIn('warmup');
    const req = when(warm, request(HOST, BOB, 11));
    const wrapup = [...warm, ...req, phase('warmup', 'coding', 12), phase('coding', 'wrapup', 13)];
    thenError(wrapup, respond(BOB, true, 14), 'PARTICIPANT_CANNOT_CHANGE_ROLE', 409);
    expect(when(wrapup, respond(BOB, false, 14))[0]).toMatchObject({ type: 'RoleSwapDeclined' });
  });

  it('expiry lapses only overdue pending swaps', () => {
    expect(when(requested, { type: 'ExpireRoleSwaps', now: at(40) })).toEqual([]);
    expect(when(requested, { type: 'ExpireRoleSwaps', now: at(41) })).toEqual([{ type: 'RoleSwapExpired', data: { swapId: 'sw-1', expiredAt: at(41) } }]);
    expect(when([], { type: 'ExpireRoleSwaps', now: at(41) })).toEqual([]);
  });
});

describe('destroy', () => {
  const destroy = (by: string, isAdmin = false) => ({ type: 'DestroyRoom' as const, by, isAdmin, now: at(9) });

  it('the host (or an admin) destroys a room that is not finished; the room is gone afterwards', () => {
    const events = when(peerRoomIn('coding'), destroy(HOST));
    expect(events).toEqual([{ type: 'RoomDestroyed', data: { destroyedBy: HOST, destroyedAt: at(9), code: CODE, sessionId: 'session-1' } }]);
    expect(when(created(), destroy('admin-1', true))).toHaveLength(1);
    thenError([...created(), ...events], join(BOB), 'ROOM_NOT_FOUND', 404);
    thenError([...created(), ...events], destroy(HOST), 'ROOM_NOT_FOUND', 404);
  });

  it('rejects: non-host 403, finished 409 ROOM_FINISHED', () => {
    thenError([...created(), joined(BOB, 'candidate')], destroy(BOB), 'ROOM_PERMISSION_DENIED', 403);
    thenError(peerRoomIn('finished'), destroy(HOST), 'ROOM_FINISHED', 409);
    thenError([], destroy(HOST), 'ROOM_NOT_FOUND', 404);
  });
});
