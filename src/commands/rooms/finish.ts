/**
 * Finishing a room (collab-first and fail-closed), for a participant's transition to `finished`, the
 * abandoned-room cleanup and an admin's force-close alike:
 *
 * 1. The room's rules are checked first (a dry run of the decider), so a forbidden finish never touches the collab.
 * 2. When the room has a session (and, for system finishes, a language), the collab plane must take the final
 *    `session_end` snapshot: a torn-down document is recreated from its stored state, then the collab is told the
 *    room is finished; it snapshots and calls back POST /internal/collab/snapshot, which records the snapshot on the
 *    session. Any failure aborts here, with nothing committed.
 * 3. The room's PhaseChanged is appended (the decider checks the session_end snapshot is on record). If that fails
 *    after the collab was told, the collab is asked to restore the previous phase (best effort) and the original
 *    error surfaces.
 * 4. The session is finished with the accumulated coding time. Reports are another module's reaction to
 *    SessionFinished.
 *
 * A room without a session (finished from waiting) needs no final snapshot; the collab hears about the
 * finish best effort.
 */
import { randomUUID } from 'node:crypto';
import { handleCommand, readAggregate } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import type { RoomCommand } from '../../domain/room/commands.js';
import type { RoomStatus } from '../../domain/room/constants.js';
import { needsFinalSnapshot, roomDecider } from '../../domain/room/decider.js';
import { roomStream, type FinishReason, type PhaseChanged } from '../../domain/room/events.js';
import type { RoomState } from '../../domain/room/state.js';
import { sessionDecider } from '../../domain/session/decider.js';
import { sessionStream } from '../../domain/session/events.js';
import { CollabNotFoundError } from '../../infra/collab-client/index.js';
import type { Ports, StorageDeps, WriteDeps } from '../ports.js';
import { exportWhiteboardAtFinish } from '../media/whiteboard.js';
import { bestEffort, collabFailure, collabOf, createCollabDocument } from './collab.js';
import { settleWrites, syncSession, written, type RoomCommandResult, type Written } from './room-commands.js';
import { loadDocSnapshot } from './room-store.js';

export type FinishRequest =
  | { kind: 'user'; by: string }
  | { kind: 'system'; reason: Exclude<FinishReason, 'user'>; by: string | null };

export interface FinishOutcome extends RoomCommandResult {
  previousStatus: RoomStatus;
}

function finishCommand(request: FinishRequest, sessionEndRecorded: boolean, now: string): RoomCommand {
  return request.kind === 'user'
    ? { type: 'TransitionPhase', by: request.by, target: 'finished', newSessionId: randomUUID(), sessionEndRecorded, now }
    : { type: 'FinishBySystem', reason: request.reason, by: request.by, sessionEndRecorded, now };
}

/** Step 2: the collab's strict final snapshot, recreating a torn-down document (from its stored state) first. */
async function finaliseCollab(ctx: Pick<Ports, 'collab' | 'db' | 'logger'>, room: RoomState, changedBy: string | null): Promise<void> {
  const collab = collabOf(ctx);
  const input = {
    phase: 'finished' as const,
    editorLocked: room.editorLocked,
    ...(room.language ? { language: room.language } : {}),
    ...(changedBy ? { changedBy } : {}),
  };
  if (await loadDocSnapshot(ctx.db, room.roomId)) await bestEffort(ctx, 'createDocument', () => createCollabDocument(ctx, room));
  try {
    await collab.updateState(room.roomId, input);
  } catch (err) {
    if (!(err instanceof CollabNotFoundError)) throw collabFailure(err);
    try {
      await createCollabDocument(ctx, room);
      await collab.updateState(room.roomId, input);
    } catch (retryErr) {
      throw collabFailure(retryErr);
    }
  }
}

export async function finishRoom(ctx: WriteDeps & StorageDeps & Pick<Ports, 'collab' | 'db'>, roomId: string, request: FinishRequest, requestMeta: RequestMetadata): Promise<FinishOutcome> {
  let metadata = requestMeta;
  let now = metadata.now.toISOString();
  const reason: FinishReason = request.kind === 'user' ? 'user' : request.reason;
  const current = await readAggregate(ctx.store, roomStream(roomId), roomDecider);
  const previousStatus = current.state.status;
  // 1. every rule but the final snapshot, before anything else happens
  const dryRun = roomDecider.decide(finishCommand(request, true, now), current.state);
  if (dryRun.length === 0) return { state: current.state, events: [], writes: [], previousStatus };

  const writes: Written[] = [];
  const strict = needsFinalSnapshot(current.state, reason);
  let sessionEndRecorded = false;
  if (strict) {
    const started = await syncSession(ctx, current.state, metadata); // the snapshot needs a session to land in
    if (started) writes.push(started);
    await finaliseCollab(ctx, current.state, request.by); // 2.
    const session = await readAggregate(ctx.store, sessionStream(current.state.sessionId!), sessionDecider);
    sessionEndRecorded = session.state.sessionEndSnapshots > 0;
    // The finish happens after the final snapshot it waited for: read the clock again, so the session's timeline
    // never runs backwards (the snapshot was recorded with a later time than the request arrived).
    metadata = { ...metadata, now: new Date(Math.max(Date.now(), metadata.now.getTime())) };
    now = metadata.now.toISOString();
  }

  let result;
  try {
    result = await handleCommand(ctx.store, roomStream(roomId), roomDecider, finishCommand(request, sessionEndRecorded, now), metadata); // 3.
  } catch (err) {
    if (strict) {
      await bestEffort(ctx, 'updateState', (c) =>
        c.updateState(roomId, {
          phase: current.state.status,
          editorLocked: current.state.editorLocked,
          ...(current.state.language ? { language: current.state.language } : {}),
        }),
      );
    }
    throw err;
  }
  writes.push(written(result));

  const phase = result.events.find((e): e is PhaseChanged => e.type === 'PhaseChanged');
  if (phase && result.state.sessionId) {
    const synced = await syncSession(ctx, result.state, metadata);
    if (synced) writes.push(synced);
    const finished = await handleCommand(ctx.store, sessionStream(result.state.sessionId), sessionDecider, {
      type: 'FinishSession',
      finishedAt: phase.data.changedAt,
      durationMs: phase.data.elapsedMs,
      finishedBy: request.by,
      reason,
      language: result.state.language,
    }, metadata); // 4.
    writes.push(written(finished));
    await exportWhiteboardAtFinish(ctx, result.state.sessionId, roomId, request.by);
  }
  if (phase && !strict) {
    await bestEffort(ctx, 'updateState', (c) =>
      c.updateState(roomId, {
        phase: 'finished',
        editorLocked: result.state.editorLocked,
        ...(result.state.language ? { language: result.state.language } : {}),
        ...(request.by ? { changedBy: request.by } : {}),
      }),
    );
  }
  await settleWrites(ctx, writes);
  return { state: result.state, events: result.events, writes, previousStatus };
}
