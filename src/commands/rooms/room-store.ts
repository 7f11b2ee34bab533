/**
 * State the rooms module owns outside the event store. None of these tables is a projection, and none is rebuilt or
 * verified from events, on purpose:
 *
 * - `room_doc_snapshots`: the latest raw Yjs state of a room's document (document bytes never go into the
 *   event store — they are large, binary, superseded every few seconds, and only ever needed as "the latest", to
 *   rebuild a document the collab plane tore down). The code itself is event-sourced as CodeSnapshotTaken.
 * - `room_participant_presence`: heartbeats from the collab plane every 30 s per connected user. Liveness telemetry,
 *   not a domain fact; the presence sweep reads it and turns a silence into a ParticipantLeft event.
 * - `room_idempotency_keys`: the stored responses of POST /rooms, an HTTP concern with a 24 h TTL.
 */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';

/** Raw document state above this size is refused. */
export const MAX_DOC_SNAPSHOT_BYTES = 5 * 1024 * 1024;

export async function saveDocSnapshot(db: Db, roomId: string, state: Uint8Array): Promise<void> {
  const bytes = Buffer.from(state.buffer, state.byteOffset, state.byteLength);
  await sql`
    INSERT INTO room_doc_snapshots (room_id, state, updated_at) VALUES (${roomId}, ${bytes}, now())
    ON CONFLICT (room_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`.execute(db);
}

export async function loadDocSnapshot(db: Db, roomId: string): Promise<{ state: Uint8Array; updatedAt: Date } | undefined> {
  const { rows } = await sql<{ state: Buffer; updated_at: Date }>`
    SELECT state, updated_at FROM room_doc_snapshots WHERE room_id = ${roomId}`.execute(db);
  const row = rows[0];
  return row ? { state: new Uint8Array(row.state), updatedAt: row.updated_at } : undefined;
}

export async function deleteRoomState(db: Db, roomId: string): Promise<void> {
  await sql`DELETE FROM room_doc_snapshots WHERE room_id = ${roomId}`.execute(db);
  await sql`DELETE FROM room_participant_presence WHERE room_id = ${roomId}`.execute(db);
}

/**
 * Records a heartbeat for every pair that is an ACTIVE participant in the read model; returns how many it bumped.
 */
export async function recordHeartbeats(db: Db, pairs: ReadonlyArray<{ roomId: string; userId: string }>, at: Date): Promise<number> {
  if (pairs.length === 0) return 0;
  const rooms = pairs.map((p) => p.roomId);
  const users = pairs.map((p) => p.userId);
  const { rows } = await sql<{ n: number }>`
    WITH incoming AS (
      SELECT DISTINCT t.room_id, t.user_id FROM unnest(${rooms}::uuid[], ${users}::uuid[]) AS t(room_id, user_id)
    ), live AS (
      SELECT i.room_id, i.user_id FROM incoming i
      JOIN room_participants p ON p.room_id = i.room_id AND p.user_id = i.user_id AND p.is_active
    ), bumped AS (
      INSERT INTO room_participant_presence (room_id, user_id, last_heartbeat_at)
      SELECT room_id, user_id, ${at} FROM live
      ON CONFLICT (room_id, user_id) DO UPDATE SET last_heartbeat_at = EXCLUDED.last_heartbeat_at
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM bumped`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Active participants that joined before `cutoff` and whose last heartbeat is missing or older than `cutoff`. */
export async function findSilentParticipants(
  db: Db,
  cutoff: Date,
  limit: number,
): Promise<Array<{ roomId: string; userId: string; joinedAt: Date }>> {
  const { rows } = await sql<{ roomId: string; userId: string; joinedAt: Date }>`
    SELECT p.room_id AS "roomId", p.user_id AS "userId", p.joined_at AS "joinedAt"
    FROM room_participants p
    JOIN rooms r ON r.id = p.room_id AND r.status <> 'finished'
    LEFT JOIN room_participant_presence h ON h.room_id = p.room_id AND h.user_id = p.user_id
    WHERE p.is_active AND p.joined_at < ${cutoff} AND (h.last_heartbeat_at IS NULL OR h.last_heartbeat_at < ${cutoff})
    ORDER BY p.joined_at
    LIMIT ${limit}`.execute(db);
  return rows;
}

// ------------------------------------------------------------------------------------------------ idempotency keys

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'in_flight' }
  | { state: 'completed'; statusCode: number; body: unknown };

/** Claims `key` for a new request (replacing an expired one), or reports the state of the request holding it. */
export async function claimIdempotencyKey(db: Db, key: string, userId: string): Promise<IdempotencyClaim> {
  const { rows } = await sql<{ key: string }>`
    INSERT INTO room_idempotency_keys (key, user_id, status_code, response_body, created_at, expires_at)
    VALUES (${key}, ${userId}, NULL, NULL, now(), now() + make_interval(secs => ${IDEMPOTENCY_TTL_SECONDS}))
    ON CONFLICT (key) DO UPDATE SET user_id = EXCLUDED.user_id, status_code = NULL, response_body = NULL,
      created_at = now(), expires_at = EXCLUDED.expires_at
    WHERE room_idempotency_keys.expires_at <= now()
    RETURNING key`.execute(db);
  if (rows.length > 0) return { state: 'claimed' };
  const existing = await sql<{ status_code: number | null; response_body: unknown }>`
    SELECT status_code, response_body FROM room_idempotency_keys WHERE key = ${key}`.execute(db);
  const row = existing.rows[0];
  if (!row || row.status_code === null) return { state: 'in_flight' };
  return { state: 'completed', statusCode: row.status_code, body: row.response_body };
}

export async function completeIdempotencyKey(db: Db, key: string, statusCode: number, body: unknown): Promise<void> {
  await sql`
    UPDATE room_idempotency_keys SET status_code = ${statusCode}, response_body = ${JSON.stringify(body)}::jsonb
    WHERE key = ${key}`.execute(db);
}

export async function releaseIdempotencyKey(db: Db, key: string): Promise<void> {
  await sql`DELETE FROM room_idempotency_keys WHERE key = ${key} AND status_code IS NULL`.execute(db);
}

export async function purgeExpiredIdempotencyKeys(db: Db): Promise<number> {
  const r = await sql`DELETE FROM room_idempotency_keys WHERE expires_at <= now()`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
