/**
 * Room lifecycle and membership commands: create (with a unique invite code), join, leave, remove,
 * role change, ownership transfer, ready toggle, language change, destroy. Each runs the room decider and then the
 * collab side effects, which are best effort (a failure never undoes a committed command).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { claimUnique, releaseUnique } from '../reservation.js';
import type { RequestMetadata } from '../metadata.js';
import { handleCommand } from '../handle-command.js';
import {
  DEFAULT_MAX_DURATION_MINUTES,
  DEFAULT_MAX_PARTICIPANTS,
  ROOM_CODE_ALPHABET,
  ROOM_CODE_LENGTH,
  ROOM_CODE_MAX_ATTEMPTS,
  type AssignmentReason,
  type Language,
  type RoomMode,
  type RoomRole,
} from '../../domain/room/constants.js';
import { roomErrors } from '../../domain/room/errors.js';
import type { ParticipantJoined } from '../../domain/room/events.js';
import type { RoomState } from '../../domain/room/state.js';
import { sessionDecider } from '../../domain/session/decider.js';
import { sessionStream } from '../../domain/session/events.js';
import { DomainError } from '../../domain/shared/errors.js';
import { findProblem } from '../../projections/problems/queries.js';
import type { Ports, WriteDeps } from '../ports.js';
import { bestEffort, createCollabDocument } from './collab.js';
import { deleteRoomState } from './room-store.js';
import { runRoomCommand, settleWrites, written, type RoomCommandResult } from './room-commands.js';

export function generateRoomCode(): string {
  let code = '';
  for (let i = 0; i < ROOM_CODE_LENGTH; i++) code += ROOM_CODE_ALPHABET[randomInt(ROOM_CODE_ALPHABET.length)];
  return code;
}

const codeTaken = () => new DomainError('ROOM_CODE_TAKEN', 'Room code already taken');

export interface CreateRoomInput {
  hostId: string;
  mode: RoomMode;
  name?: string | null;
  problemId?: string | null;
  language?: Language | null;
  config?: { maxParticipants?: number; maxDuration?: number; isPrivate?: boolean };
  matchId?: string | null;
}

export interface CreatedRoom {
  state: RoomState;
  collabCreated: boolean;
  mediaCreated: boolean;
}

/** A published, not deleted problem, or undefined. */
export async function availableProblem(ctx: Pick<Ports, 'db'>, problemId: string) {
  const problem = await findProblem(ctx.db, problemId, { includeDrafts: false });
  return problem && !problem.deletedAt ? problem : undefined;
}

/**
 * POST /rooms: the problem must be available; the invite code is claimed on its reservation stream (up to five
 * fresh codes, then 500 ROOM_INVITE_CODE_EXHAUSTED); then the room with its host; then, best effort, the collab
 * document seeded with the problem's starter code.
 */
export async function createRoom(
  ctx: WriteDeps & Pick<Ports, 'collab' | 'db'>,
  input: CreateRoomInput,
  metadata: RequestMetadata,
  generateCode: () => string = generateRoomCode,
): Promise<CreatedRoom> {
  if (input.problemId && !(await availableProblem(ctx, input.problemId))) throw roomErrors.problemNotFound();
  const roomId = randomUUID();
  let code: string | undefined;
  for (let attempt = 0; attempt < ROOM_CODE_MAX_ATTEMPTS && !code; attempt++) {
    const candidate = generateCode();
    try {
      await claimUnique(ctx.store, 'room-code', candidate, roomId, codeTaken(), metadata);
      code = candidate;
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'ROOM_CODE_TAKEN') throw err;
    }
  }
  if (!code) throw new DomainError('ROOM_INVITE_CODE_EXHAUSTED', 'Could not generate a unique room code');
  const result = await runRoomCommand(ctx, roomId, {
    type: 'CreateRoom',
    roomId,
    code,
    hostId: input.hostId,
    mode: input.mode,
    name: input.name ?? null,
    problemId: input.problemId ?? null,
    language: input.language ?? null,
    maxParticipants: input.config?.maxParticipants ?? DEFAULT_MAX_PARTICIPANTS,
    maxDuration: input.config?.maxDuration ?? DEFAULT_MAX_DURATION_MINUTES,
    isPrivate: input.config?.isPrivate ?? true,
    matchId: input.matchId ?? null,
    now: metadata.now.toISOString(),
  }, metadata);
  const collab = await bestEffort(ctx, 'createDocument', () => createCollabDocument(ctx, result.state));
  return { state: result.state, collabCreated: collab !== undefined, mediaCreated: false };
}

export interface JoinOutcome extends RoomCommandResult {
  assignedRole: RoomRole;
  requestedRole: RoomRole | null;
  assignmentReason: AssignmentReason;
}

export async function joinRoom(
  ctx: WriteDeps,
  roomId: string,
  input: { userId: string; roomCode: string | null; requestedRole: RoomRole | null; isAdmin: boolean },
  metadata: RequestMetadata,
): Promise<JoinOutcome> {
  const result = await runRoomCommand(ctx, roomId, { type: 'JoinRoom', ...input, now: metadata.now.toISOString() }, metadata);
  const joined = result.events.find((e): e is ParticipantJoined => e.type === 'ParticipantJoined');
  const current = result.state.participants[input.userId]!;
  return {
    ...result,
    assignedRole: current.role,
    requestedRole: input.requestedRole,
    assignmentReason: joined && joined.data.reason !== 'host' ? joined.data.reason : 'auto-assigned',
  };
}

export async function leaveRoom(ctx: WriteDeps & Pick<Ports, 'collab'>, roomId: string, userId: string, metadata: RequestMetadata): Promise<RoomCommandResult> {
  const result = await runRoomCommand(ctx, roomId, { type: 'LeaveRoom', userId, now: metadata.now.toISOString() }, metadata);
  if (result.events.length > 0) await bestEffort(ctx, 'kick', (c) => c.kick(roomId, userId, 'Left the room'));
  return result;
}

export async function removeParticipant(ctx: WriteDeps & Pick<Ports, 'collab'>, roomId: string, by: string, userId: string, metadata: RequestMetadata): Promise<RoomCommandResult> {
  const result = await runRoomCommand(ctx, roomId, { type: 'RemoveParticipant', by, userId, now: metadata.now.toISOString() }, metadata);
  await bestEffort(ctx, 'kick', (c) => c.kick(roomId, userId, 'Removed by the host'));
  return result;
}

export async function changeParticipantRole(
  ctx: WriteDeps,
  roomId: string,
  by: string,
  userId: string,
  role: RoomRole,
  metadata: RequestMetadata,
): Promise<RoomCommandResult & { previousRole: RoomRole }> {
  let previousRole: RoomRole = role;
  const result = await runRoomCommand(ctx, roomId, (s) => {
    previousRole = s.participants[userId]?.role ?? role;
    return { type: 'ChangeParticipantRole', by, userId, role, now: metadata.now.toISOString() };
  }, metadata);
  return { ...result, previousRole };
}

export async function transferOwnership(ctx: WriteDeps, roomId: string, by: string, userId: string, metadata: RequestMetadata): Promise<RoomCommandResult> {
  return runRoomCommand(ctx, roomId, { type: 'TransferOwnership', by, userId, now: metadata.now.toISOString() }, metadata);
}

export async function toggleReady(ctx: WriteDeps & Pick<Ports, 'collab'>, roomId: string, userId: string, metadata: RequestMetadata): Promise<RoomCommandResult> {
  const result = await runRoomCommand(ctx, roomId, { type: 'ToggleReady', userId, now: metadata.now.toISOString() }, metadata);
  const isReady = result.state.participants[userId]?.isReady ?? false;
  await bestEffort(ctx, 'participantReady', (c) => c.participantReady(roomId, userId, isReady));
  return result;
}

export async function changeLanguage(ctx: WriteDeps & Pick<Ports, 'collab'>, roomId: string, by: string, language: Language, metadata: RequestMetadata): Promise<RoomCommandResult> {
  const result = await runRoomCommand(ctx, roomId, { type: 'ChangeLanguage', by, language, now: metadata.now.toISOString() }, metadata);
  if (result.events.length > 0) await bestEffort(ctx, 'changeLanguage', (c) => c.changeLanguage(roomId, language, by));
  return result;
}

export interface DestroyedRoom {
  roomId: string;
  finalSnapshot?: number[];
  collabDeleted: boolean;
  mediaDeleted: boolean;
}

/**
 * DELETE /rooms/:id: the room and its session are gone (their read models drop every row), the invite code is free
 * again, the stored document state is deleted; then, best effort, the collab document (sockets closed with 4403).
 */
export async function destroyRoom(ctx: WriteDeps & Pick<Ports, 'collab' | 'db'>, roomId: string, by: string, isAdmin: boolean, metadata: RequestMetadata): Promise<DestroyedRoom> {
  const result = await runRoomCommand(ctx, roomId, { type: 'DestroyRoom', by, isAdmin, now: metadata.now.toISOString() }, metadata, { settle: false });
  const writes = [...result.writes];
  if (result.state.sessionId) {
    const discarded = await handleCommand(ctx.store, sessionStream(result.state.sessionId), sessionDecider, { type: 'DiscardSession', now: metadata.now.toISOString() }, metadata);
    writes.push(written(discarded));
  }
  await releaseUnique(ctx.store, 'room-code', result.state.code, roomId, metadata);
  await deleteRoomState(ctx.db, roomId);
  await settleWrites(ctx, writes);
  const collab = await bestEffort(ctx, 'destroyDocument', (c) => c.destroyDocument(roomId));
  return {
    roomId,
    ...(collab?.finalSnapshot ? { finalSnapshot: collab.finalSnapshot } : {}),
    collabDeleted: collab !== undefined,
    mediaDeleted: false,
  };
}
