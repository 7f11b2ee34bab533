/**
 * What the control plane does for the collab plane's callbacks. Served over HTTP by the internal routes
 * and in process by `inProcessControlPlaneCallbacks` (role `all`): one implementation, two transports.
 */
import { randomUUID } from 'node:crypto';
import { systemMetadata } from '../metadata.js';
import { collabJoinDenial } from '../../domain/room/rules.js';
import { DomainError } from '../../domain/shared/errors.js';
import { findRoomAccess } from '../../projections/rooms/queries.js';
import type { Ports, WriteDeps } from '../ports.js';
import { recordCollabSnapshot, type CollabSnapshot } from '../sessions/snapshots.js';
import { runRoomCommand } from './room-commands.js';
import { MAX_DOC_SNAPSHOT_BYTES, recordHeartbeats, saveDocSnapshot } from './room-store.js';

export interface AuthorizeJoinAnswer {
  authorized: boolean;
  reason?: string;
}

/** Every WebSocket join: inactive-but-not-removed members are authorised (the socket reactivates them via join). */
export async function authorizeJoin(ctx: Pick<Ports, 'db'>, roomId: string, userId: string): Promise<AuthorizeJoinAnswer> {
  const access = await findRoomAccess(ctx.db, roomId, userId);
  const denial = collabJoinDenial(access?.room, access?.participant);
  return denial ? { authorized: false, reason: denial } : { authorized: true };
}

export async function snapshotReady(ctx: Pick<Ports, 'db' | 'store'>, payload: CollabSnapshot): Promise<{ success: boolean }> {
  return recordCollabSnapshot(ctx, payload);
}

/** A joined socket closed on its own: the participant is inactive from that moment. */
export async function userDisconnected(ctx: WriteDeps, payload: { roomId: string; userId: string; timestamp: number }): Promise<{ success: boolean }> {
  try {
    await runRoomCommand(ctx, payload.roomId, { type: 'DisconnectParticipant', userId: payload.userId, at: new Date(payload.timestamp).toISOString() }, systemMetadata(randomUUID()), { settle: false });
    return { success: true };
  } catch (err) {
    if (!(err instanceof DomainError)) ctx.logger.warn({ err, roomId: payload.roomId }, 'user-disconnected callback failed');
    return { success: false };
  }
}

export async function heartbeat(ctx: Pick<Ports, 'db'>, payload: { participants: Array<{ roomId: string; userId: string }> }): Promise<{ updated: number }> {
  return { updated: await recordHeartbeats(ctx.db, payload.participants, new Date()) };
}

/** Raw document state (rooms without a language, idle teardown). */
export async function docSnapshot(ctx: Pick<Ports, 'db' | 'logger'>, roomId: string, state: number[]): Promise<{ success: boolean }> {
  if (state.length > MAX_DOC_SNAPSHOT_BYTES) return { success: false };
  try {
    const access = await findRoomAccess(ctx.db, roomId, randomUUID());
    if (!access) return { success: false };
    await saveDocSnapshot(ctx.db, roomId, Uint8Array.from(state));
    return { success: true };
  } catch (err) {
    ctx.logger.warn({ err, roomId }, 'doc-snapshot callback failed');
    return { success: false };
  }
}
