/**
 * Recording consent and start / stop. The rules are checked on the `recording-<roomId>`
 * stream before the media server is called, and again by the decider when the event is appended; a start that loses
 * a race after the egress began stops that egress again (best effort).
 */
import { randomUUID } from 'node:crypto';
import type { RequestMetadata } from '../metadata.js';
import { readAggregate } from '../handle-command.js';
import { assertCanStart, assertCanStop, recordingDecider, recordingStream } from '../../domain/recording/index.js';
import { roomErrors } from '../../domain/room/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import { execute } from '../execute.js';
import { egressOf, mediaUnavailable } from '../../infra/livekit/index.js';
import { listParticipants } from '../../projections/rooms/queries.js';
import type { Ports, WriteDeps } from '../ports.js';
import { authorizeMedia } from './access.js';

/** Any active participant records their own answer; repeating it is a no-op. */
export async function recordConsent(ctx: WriteDeps & Pick<Ports, 'db'>, metadata: RequestMetadata, roomId: string, userId: string, consent: boolean): Promise<void> {
  await authorizeMedia(ctx.db, roomId, userId, [], { finished: roomErrors.finished });
  await execute(ctx, metadata, recordingStream(roomId), recordingDecider, { type: 'RecordConsent', roomId, userId, consent, now: metadata.now });
}

async function activeParticipantIds(ctx: Pick<Ports, 'db'>, roomId: string): Promise<string[]> {
  const rows = await listParticipants(ctx.db, roomId);
  return rows.filter((p) => p.isActive && !p.removedAt).map((p) => p.userId);
}

export async function startRecording(
  ctx: WriteDeps & Pick<Ports, 'db' | 'egress'>,
  metadata: RequestMetadata,
  roomId: string,
  userId: string,
): Promise<{ recordingId: string; startedAt: Date }> {
  const access = await authorizeMedia(ctx.db, roomId, userId, ['recording:toggle'], { finished: roomErrors.finished });
  const egress = egressOf(ctx);
  if (!egress) throw mediaUnavailable();
  const active = await activeParticipantIds(ctx, roomId);
  const { state } = await readAggregate(ctx.store, recordingStream(roomId), recordingDecider);
  assertCanStart(state, active);

  const recordingId = randomUUID();
  const storageKey = `recordings/${roomId}/${recordingId}.mp4`;
  const { egressId } = await egress.startRoomRecording(roomId, storageKey);
  try {
    const result = await execute(ctx, metadata, recordingStream(roomId), recordingDecider, {
      type: 'StartRecording',
      roomId,
      recordingId,
      sessionId: access.room.sessionId,
      egressId,
      storageKey,
      activeParticipantIds: active,
      now: metadata.now,
    });
    return { recordingId, startedAt: new Date(result.state.active?.startedAt ?? metadata.now.toISOString()) };
  } catch (err) {
    // Lost a race with another start (or consent changed meanwhile): the egress just begun must not keep running.
    if (err instanceof DomainError && err.code.startsWith('RECORDING_')) {
      await egress.stopRecording(egressId).catch((stopErr: unknown) => ctx.logger.warn({ err: stopErr, egressId }, 'could not stop an egress of a refused recording start'));
    }
    throw err;
  }
}

export async function stopRecording(
  ctx: WriteDeps & Pick<Ports, 'db' | 'egress'>,
  metadata: RequestMetadata,
  roomId: string,
  userId: string,
): Promise<{ recordingId: string; stoppedAt: Date }> {
  await authorizeMedia(ctx.db, roomId, userId, ['recording:toggle'], { finished: roomErrors.finished });
  const egress = egressOf(ctx);
  if (!egress) throw mediaUnavailable();
  const { state } = await readAggregate(ctx.store, recordingStream(roomId), recordingDecider);
  const active = assertCanStop(state);
  await egress.stopRecording(active.egressId);
  const result = await execute(ctx, metadata, recordingStream(roomId), recordingDecider, { type: 'StopRecording', roomId, now: metadata.now });
  const stopped = result.events.find((e) => e.type === 'RecordingStopped');
  return {
    recordingId: stopped?.type === 'RecordingStopped' ? stopped.data.recordingId : active.recordingId,
    stoppedAt: stopped?.type === 'RecordingStopped' ? new Date(stopped.data.stoppedAt) : metadata.now,
  };
}
