/**
 * Room control: phase transitions, editor lock, timer pause/resume, problem
 * selection, settings, role swaps. Collab broadcasts after a change are best effort.
 */
import { randomUUID } from 'node:crypto';
import type { RequestMetadata } from '../metadata.js';
import type { RoomStatus } from '../../domain/room/constants.js';
import type { RoleSwapRequested } from '../../domain/room/events.js';
import type { RoleSwap } from '../../domain/room/state.js';
import type { Ports, StorageDeps, WriteDeps } from '../ports.js';
import { pushRoomState } from './collab.js';
import { finishRoom } from './finish.js';
import { availableProblem } from './lifecycle.js';
import { runRoomCommand, type RoomCommandResult } from './room-commands.js';

export interface TransitionOutcome extends RoomCommandResult {
  previousStatus: RoomStatus;
}

/** POST /rooms/:id/control/transition (and the AI worker's transition acting as a participant). */
export async function transitionRoom(ctx: WriteDeps & StorageDeps & Pick<Ports, 'collab' | 'db'>, roomId: string, by: string, target: RoomStatus, metadata: RequestMetadata): Promise<TransitionOutcome> {
  if (target === 'finished') return finishRoom(ctx, roomId, { kind: 'user', by }, metadata);
  let previousStatus: RoomStatus = 'waiting';
  const result = await runRoomCommand(ctx, roomId, (s) => {
    previousStatus = s.status;
    return { type: 'TransitionPhase', by, target, newSessionId: randomUUID(), sessionEndRecorded: false, now: metadata.now.toISOString() };
  }, metadata);
  await pushRoomState(ctx, result.state, by);
  return { ...result, previousStatus };
}

export async function setEditorLock(ctx: WriteDeps & Pick<Ports, 'collab'>, roomId: string, by: string, locked: boolean, metadata: RequestMetadata): Promise<RoomCommandResult> {
  const result = await runRoomCommand(ctx, roomId, { type: 'SetEditorLock', by, locked, now: metadata.now.toISOString() }, metadata);
  if (result.events.length > 0) await pushRoomState(ctx, result.state, by);
  return result;
}

export async function setTimerPaused(ctx: WriteDeps, roomId: string, by: string, paused: boolean, metadata: RequestMetadata): Promise<RoomCommandResult> {
  return runRoomCommand(ctx, roomId, { type: 'SetTimerPaused', by, paused, now: metadata.now.toISOString() }, metadata);
}

export async function selectProblem(ctx: WriteDeps & Pick<Ports, 'db'>, roomId: string, by: string, problemId: string, metadata: RequestMetadata): Promise<RoomCommandResult> {
  const problemAvailable = (await availableProblem(ctx, problemId)) !== undefined;
  return runRoomCommand(ctx, roomId, { type: 'SelectProblem', by, problemId, problemAvailable, now: metadata.now.toISOString() }, metadata);
}

export interface SettingsInput {
  name?: string | null;
  maxParticipants?: number;
  maxDuration?: number;
  isPrivate?: boolean;
}

export async function updateSettings(ctx: WriteDeps, roomId: string, by: string, input: SettingsInput, metadata: RequestMetadata): Promise<RoomCommandResult> {
  return runRoomCommand(ctx, roomId, { type: 'UpdateSettings', by, ...input, now: metadata.now.toISOString() }, metadata);
}

export async function requestRoleSwap(
  ctx: WriteDeps,
  roomId: string,
  by: string,
  targetUserId: string,
  metadata: RequestMetadata,
): Promise<RoomCommandResult & { swap: RoleSwapRequested['data'] }> {
  const swapId = randomUUID();
  const result = await runRoomCommand(ctx, roomId, { type: 'RequestRoleSwap', by, targetUserId, swapId, now: metadata.now.toISOString() }, metadata);
  const swap = result.state.roleSwaps[swapId]!;
  return {
    ...result,
    swap: {
      swapId,
      requesterId: swap.requesterId,
      targetUserId: swap.targetUserId,
      requesterRole: swap.requesterRole,
      targetRole: swap.targetRole,
      requestedAt: swap.requestedAt,
      expiresAt: swap.expiresAt,
    },
  };
}

export async function respondToRoleSwap(
  ctx: WriteDeps,
  roomId: string,
  by: string,
  swapId: string,
  accept: boolean,
  metadata: RequestMetadata,
): Promise<RoomCommandResult & { swap: RoleSwap }> {
  const result = await runRoomCommand(ctx, roomId, { type: 'RespondToRoleSwap', by, swapId, accept, now: metadata.now.toISOString() }, metadata);
  return { ...result, swap: result.state.roleSwaps[swapId]! };
}
