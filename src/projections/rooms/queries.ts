/**
 * Reads of the rooms read model. Contract for other modules: `findRoomAccess` (execution checks run/submit with it:
 * participant, capability via `capabilitiesOf`/`assertCanExecute` from src/domain/room, editor lock).
 */
import { sql } from 'kysely';
import type { Language, RoomMode, RoomRole, RoomStatus } from '../../domain/room/constants.js';
import type { Db } from '../../infra/db/database.js';

export { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';

export interface RoomAccess {
  room: {
    id: string;
    status: RoomStatus;
    mode: RoomMode;
    hostId: string;
    language: Language | null;
    problemId: string | null;
    sessionId: string | null;
    editorLocked: boolean;
  };
  participant: { role: RoomRole; isActive: boolean; removedAt: Date | null } | null;
}

/** The room and the caller's participant row (null when they never joined); undefined when the room does not exist. */
export async function findRoomAccess(db: Db, roomId: string, userId: string): Promise<RoomAccess | undefined> {
  if (!UUID.test(roomId)) return undefined;
  const { rows } = await sql<{
    id: string;
    status: RoomStatus;
    mode: RoomMode;
    host_id: string;
    language: Language | null;
    problem_id: string | null;
    session_id: string | null;
    editor_locked: boolean;
    role: RoomRole | null;
    is_active: boolean | null;
    removed_at: Date | null;
  }>`
    SELECT r.id, r.status, r.mode, r.host_id, r.language, r.problem_id, r.session_id, r.editor_locked, p.role, p.is_active, p.removed_at
    FROM rooms r LEFT JOIN room_participants p ON p.room_id = r.id AND p.user_id = ${UUID.test(userId) ? userId : null}::uuid
    WHERE r.id = ${roomId}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    room: {
      id: row.id,
      status: row.status,
      mode: row.mode,
      hostId: row.host_id,
      language: row.language,
      problemId: row.problem_id,
      sessionId: row.session_id,
      editorLocked: row.editor_locked,
    },
    participant: row.role ? { role: row.role, isActive: row.is_active === true, removedAt: row.removed_at } : null,
  };
}

export interface RoomRow {
  id: string;
  code: string;
  name: string | null;
  status: RoomStatus;
  mode: RoomMode;
  hostId: string;
  language: Language | null;
  problemId: string | null;
  sessionId: string | null;
  editorLocked: boolean;
  isPrivate: boolean;
  maxParticipants: number;
  maxDuration: number;
  timerPaused: boolean;
  phaseStartedAt: Date | null;
  elapsedMs: number;
  activeCount: number;
  createdAt: Date;
  endedAt: Date | null;
}

export interface ParticipantRow {
  userId: string;
  role: RoomRole;
  isActive: boolean;
  isReady: boolean;
  joinedAt: Date;
  leftAt: Date | null;
  removedAt: Date | null;
  /** from the users read model (identity), when the row was read with names */
  username?: string | null;
  displayName?: string | null;
  avatarKey?: string | null;
}

const ROOM_COLUMNS = sql`
  r.id, r.code, r.name, r.status, r.mode, r.host_id AS "hostId", r.language, r.problem_id AS "problemId",
  r.session_id AS "sessionId", r.editor_locked AS "editorLocked", r.is_private AS "isPrivate",
  r.max_participants AS "maxParticipants", r.max_duration AS "maxDuration", r.timer_paused AS "timerPaused",
  r.phase_started_at AS "phaseStartedAt", r.elapsed_ms::float8 AS "elapsedMs", r.active_count AS "activeCount",
  r.created_at AS "createdAt", r.ended_at AS "endedAt"`;

export async function findRoom(db: Db, roomId: string): Promise<RoomRow | undefined> {
  if (!UUID.test(roomId)) return undefined;
  const { rows } = await sql<RoomRow>`SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.id = ${roomId}`.execute(db);
  return rows[0];
}

export async function findRoomByCode(db: Db, code: string): Promise<RoomRow | undefined> {
  const { rows } = await sql<RoomRow>`SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.code = ${code}`.execute(db);
  return rows[0];
}

/** Every participant row of a room (active, inactive and removed), in join order. */
export async function listParticipants(db: Db, roomId: string): Promise<ParticipantRow[]> {
  const { rows } = await sql<ParticipantRow>`
    SELECT user_id AS "userId", role, is_active AS "isActive", is_ready AS "isReady", joined_at AS "joinedAt",
           left_at AS "leftAt", removed_at AS "removedAt"
    FROM room_participants WHERE room_id = ${roomId} ORDER BY joined_at, user_id`.execute(db);
  return rows;
}

/** The room with its participants (and their names, from the users read model) in one round trip. */
export async function findRoomWithParticipants(db: Db, roomId: string): Promise<{ room: RoomRow; participants: ParticipantRow[] } | undefined> {
  if (!UUID.test(roomId)) return undefined;
  const { rows } = await sql<RoomRow & { participants: Array<Record<string, unknown>> | null }>`
    SELECT ${ROOM_COLUMNS},
      (SELECT json_agg(json_build_object('userId', p.user_id, 'role', p.role, 'isActive', p.is_active, 'isReady', p.is_ready,
                                         'joinedAt', p.joined_at, 'leftAt', p.left_at, 'removedAt', p.removed_at,
                                         'username', u.username, 'displayName', u.display_name, 'avatarKey', u.avatar_key)
                       ORDER BY p.joined_at, p.user_id)
       FROM room_participants p LEFT JOIN users u ON u.id = p.user_id WHERE p.room_id = r.id) AS participants
    FROM rooms r WHERE r.id = ${roomId}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const { participants, ...room } = row;
  const toDate = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)));
  return {
    room,
    participants: (participants ?? []).map((p) => ({
      userId: String(p['userId']),
      role: p['role'] as RoomRole,
      isActive: p['isActive'] === true,
      isReady: p['isReady'] === true,
      joinedAt: new Date(String(p['joinedAt'])),
      leftAt: toDate(p['leftAt']),
      removedAt: toDate(p['removedAt']),
      username: (p['username'] as string | null) ?? null,
      displayName: (p['displayName'] as string | null) ?? null,
      avatarKey: (p['avatarKey'] as string | null) ?? null,
    })),
  };
}

export type CursorValue = string | number | null;

// ------------------------------------------------------------------------------------------------ my rooms

export interface MyRoomsQuery {
  userId: string;
  limit: number;
  sortOrder: 'asc' | 'desc';
  sortBy: 'createdAt' | 'status';
  status?: RoomStatus;
  mode?: RoomMode;
  /** decoded cursor: [createdAt ISO | status rank, id] */
  after?: [string | number, string];
}

export interface MyRoomRow extends RoomRow {
  myRole: RoomRole;
  problemTitle: string | null;
  statusRank: number;
}

const STATUS_RANK = sql`array_position(ARRAY['waiting','warmup','coding','wrapup','finished']::text[], r.status)`;

/** Rooms in which the user has any participant row (active, inactive or removed), keyset-paginated. */
export async function listMyRooms(db: Db, q: MyRoomsQuery): Promise<MyRoomRow[]> {
  const dir = q.sortOrder === 'asc' ? sql`ASC` : sql`DESC`;
  const cmp = q.sortOrder === 'asc' ? sql`>` : sql`<`;
  const key = q.sortBy === 'status' ? STATUS_RANK : sql`r.created_at`;
  const after = q.after
    ? q.sortBy === 'status'
      ? sql`AND (${STATUS_RANK}, r.id) ${cmp} (${Number(q.after[0])}::int, ${q.after[1]}::uuid)`
      : sql`AND (r.created_at, r.id) ${cmp} (${String(q.after[0])}::timestamptz, ${q.after[1]}::uuid)`
    : sql``;
  const { rows } = await sql<MyRoomRow>`
    SELECT ${ROOM_COLUMNS}, p.role AS "myRole", pr.title AS "problemTitle", ${STATUS_RANK} AS "statusRank"
    FROM room_participants p
    JOIN rooms r ON r.id = p.room_id
    LEFT JOIN problems pr ON pr.id = r.problem_id
    WHERE p.user_id = ${q.userId}
      ${q.status ? sql`AND r.status = ${q.status}` : sql``}
      ${q.mode ? sql`AND r.mode = ${q.mode}` : sql``}
      ${after}
    ORDER BY ${key} ${dir}, r.id ${dir}
    LIMIT ${q.limit + 1}`.execute(db);
  return rows;
}

// ------------------------------------------------------------------------------------------------ public browse

export interface PublicRoomsQuery {
  viewerId: string;
  limit: number;
  status?: RoomStatus;
  language?: Language;
  difficulty?: string;
  search?: string;
  after?: [string, string];
}

export interface PublicRoomRow extends RoomRow {
  hostUsername: string | null;
  hostDisplayName: string | null;
  hostAvatarKey: string | null;
  problemTitle: string | null;
  problemDifficulty: string | null;
  isParticipant: boolean;
}

/** `%`, `_` and `\` are literal in a search term. */
export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Public, not finished, not full rooms with no problem or a published one; newest first. */
export async function browsePublicRooms(db: Db, q: PublicRoomsQuery): Promise<PublicRoomRow[]> {
  const { rows } = await sql<PublicRoomRow>`
    SELECT ${ROOM_COLUMNS}, u.username AS "hostUsername", u.display_name AS "hostDisplayName", u.avatar_key AS "hostAvatarKey",
           pr.title AS "problemTitle", pr.difficulty::text AS "problemDifficulty",
           EXISTS (SELECT 1 FROM room_participants me WHERE me.room_id = r.id AND me.user_id = ${q.viewerId} AND me.is_active) AS "isParticipant"
    FROM rooms r
    LEFT JOIN problems pr ON pr.id = r.problem_id
    LEFT JOIN users u ON u.id = r.host_id
    WHERE r.is_private = false AND r.status <> 'finished' AND r.active_count < r.max_participants
      AND (r.problem_id IS NULL OR (pr.id IS NOT NULL AND pr.is_published AND pr.deleted_at IS NULL))
      ${q.status ? sql`AND r.status = ${q.status}` : sql``}
      ${q.language ? sql`AND r.language = ${q.language}` : sql``}
      ${q.difficulty ? sql`AND pr.difficulty::text = ${q.difficulty}` : sql``}
      ${q.search ? sql`AND pr.title ILIKE ${`%${likeEscape(q.search)}%`}` : sql``}
      ${q.after ? sql`AND (r.created_at, r.id) < (${q.after[0]}::timestamptz, ${q.after[1]}::uuid)` : sql``}
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT ${q.limit + 1}`.execute(db);
  return rows;
}

// ------------------------------------------------------------------------------------------------ admin

export interface AdminRoomsQuery {
  limit: number;
  status?: RoomStatus;
  mode?: RoomMode;
  search?: string;
  after?: [string, string];
}

export interface AdminRoomRow extends RoomRow {
  hostUsername: string | null;
  hostDisplayName: string | null;
}

export async function listAllRooms(db: Db, q: AdminRoomsQuery): Promise<AdminRoomRow[]> {
  const { rows } = await sql<AdminRoomRow>`
    SELECT ${ROOM_COLUMNS}, u.username AS "hostUsername", u.display_name AS "hostDisplayName"
    FROM rooms r LEFT JOIN users u ON u.id = r.host_id
    WHERE true
      ${q.status ? sql`AND r.status = ${q.status}` : sql``}
      ${q.mode ? sql`AND r.mode = ${q.mode}` : sql``}
      ${q.search ? sql`AND (r.name ILIKE ${`%${likeEscape(q.search)}%`} OR r.code = ${q.search.toUpperCase()})` : sql``}
      ${q.after ? sql`AND (r.created_at, r.id) < (${q.after[0]}::timestamptz, ${q.after[1]}::uuid)` : sql``}
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT ${q.limit + 1}`.execute(db);
  return rows;
}

// ------------------------------------------------------------------------------------------------ scheduler

/** Non-finished rooms without an active participant whose latest participant activity is older than `before`. */
export async function findAbandonedRooms(db: Db, before: Date, limit: number): Promise<Array<{ id: string; status: RoomStatus }>> {
  const { rows } = await sql<{ id: string; status: RoomStatus }>`
    SELECT r.id, r.status FROM rooms r
    WHERE r.status <> 'finished' AND r.active_count = 0
      AND coalesce((SELECT max(coalesce(p.left_at, p.joined_at)) FROM room_participants p WHERE p.room_id = r.id), r.created_at) < ${before}
    ORDER BY r.created_at
    LIMIT ${limit}`.execute(db);
  return rows;
}

/** Rooms with pending role swaps past their deadline. */
export async function findRoomsWithExpiredSwaps(db: Db, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ room_id: string }>`
    SELECT DISTINCT room_id FROM room_role_swaps WHERE status = 'pending' AND expires_at <= ${now} LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.room_id);
}

/**
 * The room a user should reconnect to: the most recently joined room that is not finished and where the user still
 * has a participant row that was not removed (active, or inactive after a disconnect and so re-joinable).
 */
export async function findActiveRoom(db: Db, userId: string): Promise<{ roomId: string; status: string; myRole: string } | undefined> {
  const { rows } = await sql<{ room_id: string; status: string; role: string }>`
    SELECT p.room_id, r.status, p.role
    FROM room_participants p JOIN rooms r ON r.id = p.room_id
    WHERE p.user_id = ${userId} AND p.removed_at IS NULL AND r.status <> 'finished'
    ORDER BY p.is_active DESC, p.joined_at DESC, p.room_id DESC
    LIMIT 1`.execute(db);
  const row = rows[0];
  return row && { roomId: row.room_id, status: row.status, myRole: row.role };
}
