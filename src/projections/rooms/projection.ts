/**
 * The `rooms` read model: one row per room (`rooms`), one per user who ever joined it (`room_participants`), and the
 * role-swap requests (`room_role_swaps`). Every event of a room's stream moves `rooms.revision`; an event at or below
 * it was applied already (idempotent redelivery). A destroyed room leaves no rows.
 */
import { sql } from 'kysely';
import { ROOM_EVENT_TYPES, type RoomEvent } from '../../domain/room/events.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { occurredAt, streamId, type Projection, type Trx } from '../projection.js';

type ParticipantEvent = Extract<
  RoomEvent,
  { type: 'ParticipantJoined' | 'ParticipantLeft' | 'ParticipantRemoved' | 'ParticipantRoleChanged' | 'ParticipantReadyChanged' }
>;
type RoleSwapEvent = Extract<RoomEvent, { type: 'RoleSwapRequested' | 'RoleSwapAccepted' | 'RoleSwapDeclined' | 'RoleSwapExpired' }>;
type RoomRowEvent = Exclude<RoomEvent, ParticipantEvent | RoleSwapEvent | { type: 'PhaseChanged' | 'RoomDestroyed' }>;
type PhaseChanged = Extract<RoomEvent, { type: 'PhaseChanged' }>;

async function applyRoomEvent(trx: Trx, roomId: string, e: RoomEvent): Promise<void> {
  switch (e.type) {
    case 'ParticipantJoined':
    case 'ParticipantLeft':
    case 'ParticipantRemoved':
    case 'ParticipantRoleChanged':
    case 'ParticipantReadyChanged':
      return applyParticipantEvent(trx, roomId, e);
    case 'RoleSwapRequested':
    case 'RoleSwapAccepted':
    case 'RoleSwapDeclined':
    case 'RoleSwapExpired':
      return applyRoleSwapEvent(trx, roomId, e);
    case 'PhaseChanged':
      return applyPhaseChanged(trx, roomId, e);
    case 'RoomDestroyed':
      return deleteRoomRows(trx, roomId);
    default:
      return applyRoomRowEvent(trx, roomId, e);
  }
}

async function applyParticipantEvent(trx: Trx, roomId: string, e: ParticipantEvent): Promise<void> {
  switch (e.type) {
    case 'ParticipantJoined': {
      const d = e.data;
      await sql`
        INSERT INTO room_participants (room_id, user_id, role, is_active, is_ready, joined_at, left_at, removed_at)
        VALUES (${roomId}, ${d.userId}, ${d.role}, true, false, ${d.joinedAt}, NULL, NULL)
        ON CONFLICT (room_id, user_id) DO UPDATE
          SET role = EXCLUDED.role, is_active = true, is_ready = false, joined_at = EXCLUDED.joined_at, left_at = NULL`.execute(trx);
      return;
    }
    case 'ParticipantLeft':
      await sql`
        UPDATE room_participants SET is_active = false, is_ready = false, left_at = ${e.data.leftAt}
        WHERE room_id = ${roomId} AND user_id = ${e.data.userId}`.execute(trx);
      return;
    case 'ParticipantRemoved':
      await sql`
        UPDATE room_participants SET is_active = false, is_ready = false, left_at = ${e.data.removedAt}, removed_at = ${e.data.removedAt}
        WHERE room_id = ${roomId} AND user_id = ${e.data.userId}`.execute(trx);
      return;
    case 'ParticipantRoleChanged':
      await sql`UPDATE room_participants SET role = ${e.data.to} WHERE room_id = ${roomId} AND user_id = ${e.data.userId}`.execute(trx);
      return;
    case 'ParticipantReadyChanged':
      await sql`UPDATE room_participants SET is_ready = ${e.data.isReady} WHERE room_id = ${roomId} AND user_id = ${e.data.userId}`.execute(trx);
      return;
  }
}

async function applyRoleSwapEvent(trx: Trx, roomId: string, e: RoleSwapEvent): Promise<void> {
  switch (e.type) {
    case 'RoleSwapRequested': {
      const d = e.data;
      await sql`
        INSERT INTO room_role_swaps (id, room_id, requester_id, target_user_id, requester_role, target_role, status, created_at, expires_at, responded_at)
        VALUES (${d.swapId}, ${roomId}, ${d.requesterId}, ${d.targetUserId}, ${d.requesterRole}, ${d.targetRole}, 'pending', ${d.requestedAt}, ${d.expiresAt}, NULL)
        ON CONFLICT (id) DO NOTHING`.execute(trx);
      return;
    }
    case 'RoleSwapAccepted': {
      const d = e.data;
      await sql`UPDATE room_role_swaps SET status = 'accepted', responded_at = ${d.respondedAt} WHERE id = ${d.swapId}`.execute(trx);
      await sql`UPDATE room_participants SET role = ${d.requesterRole} WHERE room_id = ${roomId} AND user_id = ${d.requesterId}`.execute(trx);
      await sql`UPDATE room_participants SET role = ${d.targetRole} WHERE room_id = ${roomId} AND user_id = ${d.targetUserId}`.execute(trx);
      return;
    }
    case 'RoleSwapDeclined':
      await sql`UPDATE room_role_swaps SET status = 'declined', responded_at = ${e.data.respondedAt} WHERE id = ${e.data.swapId}`.execute(trx);
      return;
    case 'RoleSwapExpired':
      await sql`UPDATE room_role_swaps SET status = 'expired', responded_at = ${e.data.expiredAt} WHERE id = ${e.data.swapId}`.execute(trx);
      return;
  }
}

async function applyRoomRowEvent(trx: Trx, roomId: string, e: RoomRowEvent): Promise<void> {
  switch (e.type) {
    case 'RoomCreated':
      return; // inserted before the revision check
    case 'OwnershipTransferred':
      await sql`UPDATE rooms SET host_id = ${e.data.to} WHERE id = ${roomId}`.execute(trx);
      return;
    case 'RoomLanguageChanged':
      await sql`UPDATE rooms SET language = ${e.data.to} WHERE id = ${roomId}`.execute(trx);
      return;
    case 'RoomProblemSelected':
      await sql`UPDATE rooms SET problem_id = ${e.data.to} WHERE id = ${roomId}`.execute(trx);
      return;
    case 'RoomSettingsChanged': {
      const d = e.data;
      await sql`
        UPDATE rooms SET
          name = CASE WHEN ${d.name !== undefined} THEN ${d.name ?? null}::text ELSE name END,
          max_participants = coalesce(${d.maxParticipants ?? null}::integer, max_participants),
          max_duration = coalesce(${d.maxDuration ?? null}::integer, max_duration),
          is_private = coalesce(${d.isPrivate ?? null}::boolean, is_private)
        WHERE id = ${roomId}`.execute(trx);
      return;
    }
    case 'EditorLocked':
    case 'EditorUnlocked':
      await sql`UPDATE rooms SET editor_locked = ${e.type === 'EditorLocked'} WHERE id = ${roomId}`.execute(trx);
      return;
    case 'TimerPaused':
      await sql`UPDATE rooms SET timer_paused = true, elapsed_ms = ${e.data.elapsedMs} WHERE id = ${roomId}`.execute(trx);
      return;
    case 'TimerResumed':
      await sql`UPDATE rooms SET timer_paused = false, phase_started_at = ${e.data.resumedAt} WHERE id = ${roomId}`.execute(trx);
      return;
    case 'RoomForceClosed':
      return;
  }
}

/** Leaving the lobby clears readiness; finishing deactivates everyone and expires pending role swaps. */
async function applyPhaseChanged(trx: Trx, roomId: string, e: PhaseChanged): Promise<void> {
  const d = e.data;
  const finished = d.to === 'finished';
  await sql`
    UPDATE rooms SET
      status = ${d.to},
      phase_started_at = ${d.changedAt},
      elapsed_ms = ${d.elapsedMs},
      timer_paused = CASE WHEN ${d.from === 'coding' || d.to === 'coding'} THEN false ELSE timer_paused END,
      ended_at = CASE WHEN ${finished} THEN ${d.changedAt}::timestamptz ELSE ended_at END,
      session_id = coalesce(${d.sessionId}::uuid, session_id)
    WHERE id = ${roomId}`.execute(trx);
  if (d.from === 'waiting') await sql`UPDATE room_participants SET is_ready = false WHERE room_id = ${roomId}`.execute(trx);
  if (finished) {
    await sql`
      UPDATE room_participants SET is_active = false, is_ready = false, left_at = ${d.changedAt}
      WHERE room_id = ${roomId} AND is_active`.execute(trx);
    await sql`UPDATE room_role_swaps SET status = 'expired' WHERE room_id = ${roomId} AND status = 'pending'`.execute(trx);
  }
}

async function deleteRoomRows(trx: Trx, roomId: string): Promise<void> {
  await sql`DELETE FROM room_role_swaps WHERE room_id = ${roomId}`.execute(trx);
  await sql`DELETE FROM room_participants WHERE room_id = ${roomId}`.execute(trx);
  await sql`DELETE FROM rooms WHERE id = ${roomId}`.execute(trx);
}

export const roomsProjection: Projection = {
  name: 'rooms',
  version: 1,
  eventTypes: ROOM_EVENT_TYPES,
  tables: ['rooms', 'room_participants', 'room_role_swaps'],
  async apply(trx, recorded: RecordedEvent) {
    if (!recorded.streamName.startsWith('room-')) return;
    const roomId = streamId(recorded);
    const event = { type: recorded.type, data: recorded.data } as unknown as RoomEvent;
    const at = occurredAt(recorded);
    const revision = recorded.revision.toString();
    if (event.type === 'RoomCreated') {
      const d = event.data;
      await sql`
        INSERT INTO rooms (id, code, name, status, mode, host_id, language, problem_id, session_id, editor_locked, is_private,
                           max_participants, max_duration, timer_paused, phase_started_at, elapsed_ms, active_count, match_id,
                           created_at, updated_at, ended_at, revision)
        VALUES (${roomId}, ${d.code}, ${d.name}, 'waiting', ${d.mode}, ${d.hostId}, ${d.language}, ${d.problemId}, NULL, false, ${d.isPrivate},
                ${d.maxParticipants}, ${d.maxDuration}, false, ${d.createdAt}, 0, 0, ${d.matchId ?? null},
                ${d.createdAt}, ${at}, NULL, ${revision})
        ON CONFLICT (id) DO NOTHING`.execute(trx);
      return;
    }
    const { rows } = await sql<{ revision: string }>`SELECT revision FROM rooms WHERE id = ${roomId} FOR UPDATE`.execute(trx);
    const current = rows[0];
    if (!current || BigInt(current.revision) >= recorded.revision) return;
    await applyRoomEvent(trx, roomId, event);
    if (event.type === 'RoomDestroyed') return;
    await sql`
      UPDATE rooms SET
        revision = ${revision},
        updated_at = ${at},
        active_count = (SELECT count(*) FROM room_participants WHERE room_id = ${roomId} AND is_active)
      WHERE id = ${roomId}`.execute(trx);
  },
};
