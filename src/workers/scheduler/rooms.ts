/**
 * The rooms module's scheduled jobs, as BullMQ repeatables in role `worker` when
 * SCHEDULER_ENABLED. Each job finds its candidates in the read models and issues commands; the deciders re-check
 * every condition against the room's events, so a stale candidate is a no-op. The job functions are exported and can
 * be called directly (tests, one-off runs) without waiting for the schedule.
 */
import { randomUUID } from 'node:crypto';
import { systemMetadata } from '../../commands/metadata.js';
import { finishRoom } from '../../commands/rooms/finish.js';
import { runRoomCommand } from '../../commands/rooms/room-commands.js';
import { findSilentParticipants, purgeExpiredIdempotencyKeys } from '../../commands/rooms/room-store.js';
import { ABANDONED_AFTER_MS, PRESENCE_TIMEOUT_MS } from '../../domain/room/constants.js';
import { findAbandonedRooms, findRoomsWithExpiredSwaps } from '../../projections/rooms/queries.js';
import type { AppContext } from '../../runtime/context.js';

export const ROOMS_SCHEDULER_QUEUE = 'rooms.scheduler';

export const ROOM_JOBS = {
  'role-swap-expiry': 10_000,
  'presence-sweep': 60_000,
  'abandoned-room-cleanup': 5 * 60_000,
} as const;
export type RoomJob = keyof typeof ROOM_JOBS;

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

export async function runRoomJob(ctx: AppContext, job: RoomJob, now = new Date()): Promise<unknown> {
  switch (job) {
    case 'role-swap-expiry':
      return expireRoleSwaps(ctx, now);
    case 'presence-sweep':
      return sweepPresence(ctx, now);
    case 'abandoned-room-cleanup':
      return cleanupAbandonedRooms(ctx, now);
  }
}

/** Role `worker` starter: schedules the three repeatables (upserted by id, so several workers schedule them once). */
export async function startRoomsScheduler(ctx: AppContext): Promise<() => Promise<void>> {
  if (!ctx.config.SCHEDULER_ENABLED) return async () => undefined;
  const queue = ctx.queues.queue(ROOMS_SCHEDULER_QUEUE);
  for (const [name, every] of Object.entries(ROOM_JOBS)) {
    await queue.upsertJobScheduler(`rooms-${name}`, { every }, { name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }
  const worker = ctx.queues.worker(
    ROOMS_SCHEDULER_QUEUE,
    async (job) => {
      const result = await runRoomJob(ctx, job.name as RoomJob);
      ctx.logger.debug({ job: job.name, result }, 'rooms job done');
      return result;
    },
    { concurrency: 1 },
  );
  return async () => {
    await worker.close();
  };
}
