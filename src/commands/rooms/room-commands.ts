/**
 * Running a room command: decide on the room stream, keep the session stream in line with what the room now says,
 * and answer once the read models have caught up with both appends (read-your-writes).
 */
import { handleCommand, type CommandResult } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { waitForProjections } from '../read-your-writes.js';
import type { RoomCommand } from '../../domain/room/commands.js';
import { roomDecider } from '../../domain/room/decider.js';
import { roomStream, type RoomEvent } from '../../domain/room/events.js';
import type { RoomState } from '../../domain/room/state.js';
import { sessionDecider, type ReconcileSession } from '../../domain/session/decider.js';
import { sessionStream } from '../../domain/session/events.js';
import type { Position } from '../../infra/eventstore/port.js';
import type { Ports, SettleDeps, WriteDeps } from '../ports.js';

export interface Written {
  position: Position | undefined;
  eventTypes: string[];
}

export interface RoomCommandResult {
  state: RoomState;
  events: RoomEvent[];
  writes: Written[];
}

export function written<S, E extends { type: string }>(result: CommandResult<S, E>): Written {
  return { position: result.position, eventTypes: result.events.map((e) => e.type) };
}

/** Wait until every projection reading the written event types has passed the last written position. */
export async function settleWrites(ctx: SettleDeps, writes: readonly Written[]): Promise<void> {
  let position: Position | undefined;
  const types = new Set<string>();
  for (const w of writes) {
    if (!w.position) continue;
    if (!position || w.position.commit > position.commit) position = w.position;
    for (const t of w.eventTypes) types.add(t);
  }
  await waitForProjections(
    { progress: ctx.progress, projections: ctx.projections, logger: ctx.logger, timeoutMs: ctx.config.READ_YOUR_WRITES_TIMEOUT_MS },
    position,
    [...types],
  );
}

/** What the room says its session is: the command that brings the session stream in line (idempotent). */
export function reconcileCommand(room: RoomState): ReconcileSession | undefined {
  if (!room.sessionId || !room.sessionStartedAt) return undefined;
  return {
    type: 'ReconcileSession',
    sessionId: room.sessionId,
    roomId: room.roomId,
    problemId: room.problemId,
    mode: room.mode,
    language: room.language,
    startedAt: room.sessionStartedAt,
    participants: Object.entries(room.sessionMembers).map(([userId, m]) => ({ userId, role: m.role, joinedAt: m.joinedAt })),
  };
}

export async function syncSession(ctx: Pick<Ports, 'store'>, room: RoomState, metadata: RequestMetadata): Promise<Written | undefined> {
  const command = reconcileCommand(room);
  if (!command) return undefined;
  const result = await handleCommand(ctx.store, sessionStream(command.sessionId), sessionDecider, command, metadata);
  return written(result);
}

/** Room events that change what the session records (its start, members, language, problem). */
const SESSION_RELEVANT = new Set<string>(['PhaseChanged', 'ParticipantJoined', 'RoleSwapAccepted', 'RoomLanguageChanged', 'RoomProblemSelected']);

export interface RunOptions {
  /** wait for the read models (default true) */
  settle?: boolean;
}

export async function runRoomCommand(
  ctx: WriteDeps,
  roomId: string,
  command: RoomCommand | ((state: RoomState) => RoomCommand),
  metadata: RequestMetadata,
  options: RunOptions = {},
): Promise<RoomCommandResult> {
  const result = await handleCommand(ctx.store, roomStream(roomId), roomDecider, command, metadata);
  const writes = [written(result)];
  if (result.state.sessionId && result.events.some((e) => SESSION_RELEVANT.has(e.type))) {
    const session = await syncSession(ctx, result.state, metadata);
    if (session) writes.push(session);
  }
  if (options.settle !== false) await settleWrites(ctx, writes);
  return { state: result.state, events: result.events, writes };
}
