/**
 * The rooms module's scheduled jobs (registered with every other one in schedule.ts): role-swap expiry, presence
 * sweep, abandoned-room cleanup. Each finds its candidates in the read models and issues commands; the deciders
 * re-check every condition against the room's events, so a stale candidate is a no-op.
 */
import { randomUUID } from 'node:crypto';
import { systemMetadata } from '../../commands/metadata.js';
import { finishRoom } from '../../commands/rooms/finish.js';
import { runRoomCommand } from '../../commands/rooms/room-commands.js';
import { findSilentParticipants, purgeExpiredIdempotencyKeys } from '../../commands/rooms/room-store.js';
import { ABANDONED_AFTER_MS, PRESENCE_TIMEOUT_MS } from '../../domain/room/constants.js';
import { findAbandonedRooms, findRoomsWithExpiredSwaps } from '../../projections/rooms/queries.js';
import type { AppContext } from '../../composition/context.js';

/** Pending role swaps past their 30 s deadline become RoleSwapExpired. */
export async function expireRoleSwaps(ctx: AppContext, now = new Date()): Promise<{ expired: number }> {
  let expired = 0;
  for (const roomId of await findRoomsWithExpiredSwaps(ctx.db, now, 200)) {
    const r = await runRoomCommand(ctx, roomId, { type: 'ExpireRoleSwaps', now: now.toISOString() }, systemMetadata(randomUUID(), now), { settle: false });
    expired += r.events.length;
  }
  return { expired };
}

/**
 * Presence sweep: active participants who joined more than 120 s ago and sent no heartbeat for 120 s are marked
 * inactive (ParticipantLeft, reason `swept`).
 */
export async function sweepPresence(ctx: AppContext, now = new Date()): Promise<{ swept: number }> {
  const cutoff = new Date(now.getTime() - PRESENCE_TIMEOUT_MS);
  let swept = 0;
  for (const p of await findSilentParticipants(ctx.db, cutoff, 500)) {
    const r = await runRoomCommand(
      ctx,
      p.roomId,
      { type: 'SweepParticipant', userId: p.userId, joinedAt: p.joinedAt.toISOString(), now: now.toISOString() },
      systemMetadata(randomUUID(), now),
      { settle: false },
    );
    swept += r.events.length;
  }
  return { swept };
}

/**
 * Abandoned-room cleanup: a room that is not finished, has no active participant, and whose latest participant
 * activity is older than 10 minutes is finished by the system (collab final snapshot when it has a session). A
 * failure leaves that room as it was, for the next run.
 */
export async function cleanupAbandonedRooms(ctx: AppContext, now = new Date(), batch = 50): Promise<{ finished: string[]; failed: string[] }> {
  const finished: string[] = [];
  const failed: string[] = [];
  for (const room of await findAbandonedRooms(ctx.db, new Date(now.getTime() - ABANDONED_AFTER_MS), batch)) {
    try {
      const r = await finishRoom(ctx, room.id, { kind: 'system', reason: 'abandoned', by: null }, systemMetadata(randomUUID(), now));
      if (r.events.length > 0) finished.push(room.id);
    } catch (err) {
      failed.push(room.id);
      ctx.logger.warn({ err: (err as Error).message, roomId: room.id }, 'abandoned-room cleanup failed for a room');
    }
  }
  await purgeExpiredIdempotencyKeys(ctx.db);
  return { finished, failed };
}
