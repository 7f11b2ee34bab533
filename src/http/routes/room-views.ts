/**
 * Response shapes of the room endpoints (RoomBase, RoomDetail, RoomSummary, PublicRoomSummary,
 * RoomParticipantSummary) and the builders that fill them from the read models.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { signCollabToken } from '../../collab/token.js';
import { jwtKeys } from '../../infra/jwt/keyring.js';
import { capabilitiesOf } from '../../domain/room/capabilities.js';
import {
  LANGUAGES,
  MAX_PARTICIPANTS,
  MIN_PARTICIPANTS,
  ROOM_MODES,
  ROOM_ROLES,
  ROOM_STATUSES,
  type RoomRole,
} from '../../domain/room/constants.js';
import { roomErrors } from '../../domain/room/errors.js';
import { canViewRoom } from '../../domain/room/rules.js';
import type { RoomState } from '../../domain/room/state.js';
import { findRoomWithParticipants, type ParticipantRow, type RoomRow } from '../../projections/rooms/queries.js';
import { avatarNeedsSigning, findUserSummaries, resolveAvatarUrl } from '../../projections/users/queries.js';
import type { AppContext } from '../../composition/context.js';
import { DateTime, Nullable, Uuid } from '../schemas.js';

export { Nullable };

/** A string enum with its literal type (TypeBox unions built from a list lose the literals). */
export const enumOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });

export const RoomStatusSchema = enumOf(ROOM_STATUSES);
export const RoomRoleSchema = enumOf(ROOM_ROLES);
export const RoomModeSchema = enumOf(ROOM_MODES);
export const LanguageSchema = enumOf(LANGUAGES);

export const RoomIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const RoomConfigSchema = Type.Object({
  maxParticipants: Type.Integer({ minimum: MIN_PARTICIPANTS, maximum: MAX_PARTICIPANTS }),
  maxDuration: Type.Integer({ minimum: 1 }),
  isPrivate: Type.Boolean(),
});

export const RoomBaseSchema = Type.Object({
  roomId: Uuid,
  roomCode: Type.String(),
  name: Nullable(Type.String()),
  status: RoomStatusSchema,
  mode: RoomModeSchema,
  hostId: Uuid,
  language: Nullable(LanguageSchema),
  createdAt: DateTime,
});

export const ParticipantSummarySchema = Type.Object({
  userId: Uuid,
  username: Type.String(),
  displayName: Nullable(Type.String()),
  avatarUrl: Nullable(Type.String()),
  role: RoomRoleSchema,
  isActive: Type.Boolean(),
  isReady: Type.Boolean(),
  joinedAt: DateTime,
});

export const RoomDetailSchema = Type.Composite([
  RoomBaseSchema,
  Type.Object({
    sessionId: Nullable(Uuid),
    problemId: Nullable(Uuid),
    config: RoomConfigSchema,
    participants: Type.Array(ParticipantSummarySchema),
    myRole: RoomRoleSchema,
    myCapabilities: Type.Array(Type.String()),
    currentPhaseStartedAt: Nullable(DateTime),
    timerPaused: Type.Boolean(),
    elapsedMs: Type.Integer(),
    editorLocked: Type.Boolean(),
    collabToken: Type.Optional(Type.String()),
    collabUrl: Type.Optional(Type.String()),
  }),
]);
export type RoomDetail = Static<typeof RoomDetailSchema>;

export function roomBase(room: RoomRow) {
  return {
    roomId: room.id,
    roomCode: room.code,
    name: room.name,
    status: room.status,
    mode: room.mode,
    hostId: room.hostId,
    language: room.language,
    createdAt: room.createdAt.toISOString(),
  };
}

/**
 * The room as its own events describe it, shaped like its read-model row: what a command answers when the read
 * model has not caught up within the read-your-writes wait (never a 404 for a room that was just created).
 */
export function roomRowFromState(state: RoomState): RoomRow {
  const date = (iso: string | null) => (iso ? new Date(iso) : null);
  return {
    id: state.roomId,
    code: state.code,
    name: state.name,
    status: state.status,
    mode: state.mode,
    hostId: state.hostId,
    language: state.language,
    problemId: state.problemId,
    sessionId: state.sessionId,
    editorLocked: state.editorLocked,
    isPrivate: state.isPrivate,
    maxParticipants: state.maxParticipants,
    maxDuration: state.maxDuration,
    timerPaused: state.timerPaused,
    phaseStartedAt: date(state.phaseStartedAt),
    elapsedMs: state.elapsedMs,
    activeCount: Object.values(state.participants).filter((p) => p.isActive).length,
    createdAt: new Date(state.createdAt),
    endedAt: date(state.endedAt),
  };
}

function loadedFromState(state: RoomState): { room: RoomRow; participants: ParticipantRow[] } {
  const date = (iso: string | null) => (iso ? new Date(iso) : null);
  const participants = Object.values(state.participants).map((p) => ({
    userId: p.userId,
    role: p.role,
    isActive: p.isActive,
    isReady: p.isReady,
    joinedAt: new Date(p.joinedAt),
    leftAt: date(p.leftAt),
    removedAt: date(p.removedAt),
  }));
  return { room: roomRowFromState(state), participants };
}

export function roomConfig(room: Pick<RoomRow, 'maxParticipants' | 'maxDuration' | 'isPrivate'>) {
  return { maxParticipants: room.maxParticipants, maxDuration: room.maxDuration, isPrivate: room.isPrivate };
}

/**
 * The absolute WebSocket URL clients connect to (`<collabUrl>/<roomId>?token=…`): with several collab nodes the
 * one that owns the room (docs/collab-cluster.md), else the configured or derived single URL.
 */
export function collabUrlFor(ctx: AppContext, request: FastifyRequest, roomId?: string): string {
  const owner = roomId !== undefined ? ctx.collabNodes?.ownerOf(roomId) : undefined;
  if (owner) return owner.publicUrl;
  if (ctx.config.COLLAB_PLANE_CLIENT_URL) return ctx.config.COLLAB_PLANE_CLIENT_URL;
  if (ctx.config.PUBLIC_URL) {
    const u = new URL(ctx.config.PUBLIC_URL);
    return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws`;
  }
  return `${request.protocol === 'https' ? 'wss' : 'ws'}://${request.host}/ws`;
}

/** Collab tokens signed in the current second, per configuration: key → token, and the second they belong to. */
const signedThisSecond = new WeakMap<AppContext['config'], { second: number; tokens: Map<string, string> }>();

/**
 * A collab token for the viewer, signed now. Its only time claim is `iat` in whole seconds (`exp` follows from
 * it), so the same claims signed twice in one second give the same token: a client polling room detail gets the
 * token signed by its previous request of that second instead of a second HMAC over identical bytes.
 */
function collabTokenNow(ctx: AppContext, userId: string, roomId: string, role: RoomRole, isHost: boolean): string {
  const nowMs = Date.now();
  const second = Math.floor(nowMs / 1000);
  let memo = signedThisSecond.get(ctx.config);
  if (!memo || memo.second !== second) {
    memo = { second, tokens: new Map() };
    signedThisSecond.set(ctx.config, memo);
  }
  const key = `${userId} ${roomId} ${role} ${isHost}`;
  let token = memo.tokens.get(key);
  if (token === undefined) {
    token = signCollabToken({ userId, roomId, role, isHost }, jwtKeys(ctx.config, 'collab'), { nowMs: second * 1000 });
    memo.tokens.set(key, token);
  }
  return token;
}

export function collabCredentials(ctx: AppContext, request: FastifyRequest, roomId: string, userId: string, role: RoomRole, isHost: boolean) {
  return {
    collabToken: collabTokenNow(ctx, userId, roomId, role, isHost),
    collabUrl: collabUrlFor(ctx, request, roomId),
  };
}

type ParticipantSummary = Static<typeof ParticipantSummarySchema>;

/**
 * Summaries made from a given array of participant rows. A cached room detail (routes/rooms.ts) hands the same rows
 * to every request while its projections stand still, and nothing in the summaries depends on the viewer; they are
 * kept only when nothing in them depends on the moment either (a signed avatar URL does) and the names came with
 * the rows.
 */
const summariesOfRows = new WeakMap<readonly ParticipantRow[], ParticipantSummary[]>();

/** Names come with the rows when they were read with them (one query); otherwise they are looked up here. */
export async function participantSummaries(ctx: AppContext, participants: readonly ParticipantRow[]): Promise<ParticipantSummary[]> {
  const known = summariesOfRows.get(participants);
  if (known) return known;
  const withNames = participants.every((p) => p.username !== undefined);
  const users = withNames
    ? new Map(participants.map((p) => [p.userId, { username: p.username ?? 'unknown', displayName: p.displayName ?? null, avatarKey: p.avatarKey ?? null }]))
    : await findUserSummaries(ctx.db, participants.map((p) => p.userId));
  const summaries = await Promise.all(
    participants.map(async (p) => {
      const u = users.get(p.userId);
      return {
        userId: p.userId,
        username: u?.username ?? 'unknown',
        displayName: u?.displayName ?? null,
        avatarUrl: await resolveAvatarUrl(ctx, u?.avatarKey),
        role: p.role,
        isActive: p.isActive,
        isReady: p.isReady,
        joinedAt: p.joinedAt.toISOString(),
      };
    }),
  );
  if (withNames && participants.every((p) => !avatarNeedsSigning(p.avatarKey))) summariesOfRows.set(participants, summaries);
  return summaries;
}

export interface LoadedRoom {
  room: RoomRow;
  participants: ParticipantRow[];
  me: ParticipantRow | undefined;
}

/** The room and the viewer's row; 404 ROOM_NOT_FOUND, or 403 ROOM_ACCESS_DENIED unless the viewer may see it. */
export async function loadVisibleRoom(
  ctx: AppContext,
  roomId: string,
  viewerId: string,
  find: (roomId: string) => ReturnType<typeof findRoomWithParticipants> = (id) => findRoomWithParticipants(ctx.db, id),
): Promise<LoadedRoom> {
  const found = await find(roomId);
  if (!found) throw roomErrors.notFound();
  const me = found.participants.find((p) => p.userId === viewerId);
  if (!canViewRoom(found.room.status, me)) throw roomErrors.accessDenied();
  return { ...found, me };
}

/** The capabilities of each role, as a participant and as the host (the lists are shared: never modified). */
const CAPABILITY_LISTS = Object.fromEntries(ROOM_ROLES.map((role) => [role, [capabilitiesOf(role, false), capabilitiesOf(role, true)]])) as Record<
  RoomRole,
  [string[], string[]]
>;

const CAPABILITY_JSON = Object.fromEntries(
  ROOM_ROLES.map((role) => [role, CAPABILITY_LISTS[role].map((list) => JSON.stringify(list))]),
) as Record<RoomRole, [string, string]>;

type SharedDetail = Omit<RoomDetail, 'myRole' | 'myCapabilities' | 'collabToken' | 'collabUrl'>;

/** The viewer-independent part of a room's detail, kept with the room row while its summaries are kept. */
const sharedOfRoom = new WeakMap<RoomRow, { participants: readonly ParticipantRow[]; shared: SharedDetail }>();

async function sharedDetail(ctx: AppContext, room: RoomRow, participants: readonly ParticipantRow[]): Promise<SharedDetail> {
  const known = sharedOfRoom.get(room);
  if (known && known.participants === participants) return known.shared;
  const summaries = await participantSummaries(ctx, participants);
  const shared: SharedDetail = {
    ...roomBase(room),
    sessionId: room.sessionId,
    problemId: room.problemId,
    config: roomConfig(room),
    participants: summaries,
    currentPhaseStartedAt: room.phaseStartedAt?.toISOString() ?? null,
    timerPaused: room.timerPaused,
    elapsedMs: Math.round(room.elapsedMs),
    editorLocked: room.editorLocked,
  };
  if (summariesOfRows.get(participants) === summaries) sharedOfRoom.set(room, { participants, shared });
  return shared;
}

/** The viewer's role in the room (observer when not a participant) and whether they host it. */
function viewerOf(loaded: LoadedRoom, viewerId: string): { myRole: RoomRole; isHost: boolean } {
  const me = loaded.me ?? loaded.participants.find((p) => p.userId === viewerId);
  return { myRole: me?.role ?? 'observer', isHost: loaded.room.hostId === viewerId };
}

/** RoomDetail for a viewer; collab credentials only while the room is not finished. */
export async function roomDetail(ctx: AppContext, request: FastifyRequest, loaded: LoadedRoom, viewerId: string): Promise<RoomDetail> {
  const { room, participants } = loaded;
  const { myRole, isHost } = viewerOf(loaded, viewerId);
  return {
    ...(await sharedDetail(ctx, room, participants)),
    myRole,
    myCapabilities: CAPABILITY_LISTS[myRole][isHost ? 1 : 0],
    ...(room.status !== 'finished' ? collabCredentials(ctx, request, room.id, viewerId, myRole, isHost) : {}),
  };
}

/** The viewer-independent part serialised once per shared detail: its JSON without the closing brace. */
const sharedJsonOf = new WeakMap<SharedDetail, string>();

/**
 * RoomDetail for a viewer as the JSON answered: the viewer-independent part kept serialised with the cached rows
 * (sharedDetail), the viewer's role, capabilities and collab credentials appended. The same fields and values as
 * `roomDetail` serialised by RoomDetailSchema; only the viewer's fields come last.
 */
export async function roomDetailJson(ctx: AppContext, request: FastifyRequest, loaded: LoadedRoom, viewerId: string): Promise<string> {
  const { room } = loaded;
  const shared = await sharedDetail(ctx, room, loaded.participants);
  let head = sharedJsonOf.get(shared);
  if (head === undefined) {
    head = JSON.stringify(shared).slice(0, -1);
    sharedJsonOf.set(shared, head);
  }
  const { myRole, isHost } = viewerOf(loaded, viewerId);
  let json = `${head},"myRole":${JSON.stringify(myRole)},"myCapabilities":${CAPABILITY_JSON[myRole][isHost ? 1 : 0]}`;
  if (room.status !== 'finished') {
    const { collabToken, collabUrl } = collabCredentials(ctx, request, room.id, viewerId, myRole, isHost);
    json += `,"collabToken":${JSON.stringify(collabToken)},"collabUrl":${JSON.stringify(collabUrl)}`;
  }
  return `${json}}`;
}

/**
 * RoomDetail as the viewer sees it after a command (read-your-writes: the read model already shows the command).
 * When the read model does not have the room yet (the wait timed out) and the command's resulting `state` is
 * given, the answer is built from that state instead of a 404 for a room that exists.
 */
export async function detailAfterWrite(ctx: AppContext, request: FastifyRequest, roomId: string, viewerId: string, state?: RoomState): Promise<RoomDetail> {
  const found = (await findRoomWithParticipants(ctx.db, roomId)) ?? (state?.exists ? loadedFromState(state) : undefined);
  if (!found) throw roomErrors.notFound();
  return roomDetail(ctx, request, { ...found, me: found.participants.find((p) => p.userId === viewerId) }, viewerId);
}
