/**
 * Whiteboard export of a session: the collab plane renders the board (SVG + raw records), the
 * two objects go to object storage under `whiteboard-exports/<sessionId>/`, and the capture is recorded on
 * `whiteboard-<sessionId>`. Taken when the session finishes (best effort: a finish never fails for its picture) and
 * on demand by the host. A board nobody drew on is not exported.
 */
import { randomUUID } from 'node:crypto';
import { handleCommand } from '../handle-command.js';
import { systemMetadata, type RequestMetadata } from '../metadata.js';
import { settleWrites, written } from '../rooms/room-commands.js';
import { roomErrors } from '../../domain/room/errors.js';
import { sessionErrors } from '../../domain/session/decider.js';
import { DomainError } from '../../domain/shared/errors.js';
import { whiteboardExportDecider, whiteboardStream, type WhiteboardExportTrigger } from '../../domain/whiteboard/export.js';
import { localStorageOf, storageOf } from '../../infra/storage/index.js';
import { findRoomAccess } from '../../projections/rooms/queries.js';
import type { Ports, StorageDeps, WriteDeps } from '../ports.js';
import { collabFailure, collabOf } from '../rooms/collab.js';

/** How long a whiteboard download URL stays valid. */
export const WHITEBOARD_URL_TTL_SECONDS = 60 * 60;

export const whiteboardNotFound = () => new DomainError('SESSION_WHITEBOARD_NOT_FOUND', 'The whiteboard of this session was never used');

/** Stores an object through the driver's own write when it has one, else through a signed PUT. */
async function putObject(ctx: StorageDeps, key: string, body: Buffer, contentType: string): Promise<void> {
  const local = localStorageOf(ctx);
  if (local) return local.write(key, body, contentType);
  const url = await storageOf(ctx).signedPutUrl(key, { contentType, expiresInSeconds: 300 });
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
  if (!res.ok) throw new Error(`storing ${key} failed with HTTP ${res.status}`);
}

export interface WhiteboardCapture {
  svgKey: string;
  capturedAt: Date;
  shapeCount: number;
}

/** Capture the board now; null when it has no shapes. Collab failures surface as 503/504. */
export async function exportWhiteboard(
  ctx: WriteDeps & StorageDeps & Pick<Ports, 'collab'>,
  o: { sessionId: string; roomId: string; trigger: WhiteboardExportTrigger; by: string | null; metadata: RequestMetadata },
): Promise<WhiteboardCapture | null> {
  const collab = collabOf(ctx);
  if (!collab.exportWhiteboard) return null;
  let board;
  try {
    board = await collab.exportWhiteboard(o.roomId);
  } catch (err) {
    throw collabFailure(err);
  }
  if (board.shapeCount === 0) return null;
  const base = `whiteboard-exports/${o.sessionId}/${board.capturedAt}`;
  const svgKey = `${base}.svg`;
  const jsonKey = `${base}.json`;
  await putObject(ctx, svgKey, Buffer.from(board.svg, 'utf8'), 'image/svg+xml');
  await putObject(ctx, jsonKey, Buffer.from(JSON.stringify({ roomId: o.roomId, capturedAt: board.capturedAt, records: board.records })), 'application/json');
  const capturedAt = new Date(board.capturedAt);
  const result = await handleCommand(ctx.store, whiteboardStream(o.sessionId), whiteboardExportDecider, {
    type: 'RecordWhiteboardExport',
    sessionId: o.sessionId,
    roomId: o.roomId,
    svgKey,
    jsonKey,
    shapeCount: board.shapeCount,
    trigger: o.trigger,
    exportedBy: o.by,
    capturedAt: capturedAt.toISOString(),
  }, o.metadata);
  await settleWrites(ctx, [written(result)]);
  return { svgKey, capturedAt, shapeCount: board.shapeCount };
}

/** After a session finished: capture the final board. Never throws (the finish is already committed). */
export async function exportWhiteboardAtFinish(ctx: WriteDeps & StorageDeps & Pick<Ports, 'collab'>, sessionId: string, roomId: string, by: string | null): Promise<void> {
  try {
    await exportWhiteboard(ctx, { sessionId, roomId, trigger: 'session_end', by, metadata: systemMetadata(randomUUID()) });
  } catch (err) {
    ctx.logger.warn({ err, sessionId, roomId }, 'whiteboard export at the finish failed');
  }
}

/**
 * POST /rooms/:id/whiteboard/export: the host captures the board of the room's session now. 404 ROOM_NOT_FOUND;
 * 403 ROOM_ACCESS_DENIED (no participant row, or removed); 403 ROOM_PERMISSION_DENIED (not the host); 404
 * SESSION_NOT_FOUND (no session yet); 404 SESSION_WHITEBOARD_NOT_FOUND (nothing drawn).
 */
export async function exportWhiteboardByHost(ctx: WriteDeps & StorageDeps & Pick<Ports, 'collab' | 'db'>, roomId: string, userId: string, metadata: RequestMetadata): Promise<{ url: string; capturedAt: Date; shapeCount: number }> {
  const access = await findRoomAccess(ctx.db, roomId, userId);
  if (!access) throw roomErrors.notFound();
  if (!access.participant || access.participant.removedAt) throw roomErrors.accessDenied();
  if (access.room.hostId !== userId) throw roomErrors.permissionDenied('Only the host can export the whiteboard');
  const sessionId = access.room.sessionId;
  if (!sessionId) throw sessionErrors.notFound();
  const capture = await exportWhiteboard(ctx, { sessionId, roomId, trigger: 'manual', by: userId, metadata });
  if (!capture) throw whiteboardNotFound();
  const url = await storageOf(ctx).signedGetUrl(capture.svgKey, WHITEBOARD_URL_TTL_SECONDS);
  return { url, capturedAt: capture.capturedAt, shapeCount: capture.shapeCount };
}
