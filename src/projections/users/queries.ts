/** Reads of the `users` read model. Other modules use `findUserSummaries` and `resolveAvatarUrl`. */
import { sql } from 'kysely';
import type { UserRole } from '../../domain/user/events.js';
import type { Db } from '../../infra/db/database.js';
import { storageOf } from '../../infra/storage/index.js';
import type { AppContext } from '../../composition/context.js';

export { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';

/** Signed avatar GET URLs live this long. */
export const AVATAR_URL_TTL_SECONDS = 24 * 3600;

export interface UserRow {
  id: string;
  email: string;
  username: string;
  displayName: string | null;
  bio: string | null;
  avatarKey: string | null;
  role: UserRole;
  bannedAt: Date | null;
  bannedReason: string | null;
  deletedAt: Date | null;
  anonymisedAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  revision: string;
}

const COLUMNS = sql`
  id, email, username, display_name AS "displayName", bio, avatar_key AS "avatarKey", role,
  banned_at AS "bannedAt", banned_reason AS "bannedReason", deleted_at AS "deletedAt", anonymised_at AS "anonymisedAt",
  last_login_at AS "lastLoginAt", created_at AS "createdAt", updated_at AS "updatedAt", revision`;

/** The row of any account, deleted ones included. */
export async function findUserRow(db: Db, id: string): Promise<UserRow | undefined> {
  const { rows } = await sql<UserRow>`SELECT ${COLUMNS} FROM users WHERE id = ${id}`.execute(db);
  return rows[0];
}

export interface AuthUser {
  id: string;
  email: string;
  username: string;
  role: UserRole;
  bannedAt: Date | null;
  deletedAt: Date | null;
}

/** The columns the authenticator needs, one indexed lookup per request. */
export async function findAuthUser(db: Db, id: string): Promise<AuthUser | undefined> {
  const { rows } = await sql<AuthUser>`
    SELECT id, email, username, role, banned_at AS "bannedAt", deleted_at AS "deletedAt" FROM users WHERE id = ${id}`.execute(db);
  return rows[0];
}

export interface UserSummary {
  id: string;
  username: string;
  displayName: string | null;
  avatarKey: string | null;
}

/** Name and avatar of many users at once (participants, authors, actors); unknown ids are absent from the map. */
export async function findUserSummaries(db: Db, ids: readonly string[]): Promise<Map<string, UserSummary>> {
  const unique = [...new Set(ids)].filter((id) => UUID.test(id));
  if (unique.length === 0) return new Map();
  const { rows } = await sql<UserSummary>`
    SELECT id, username, display_name AS "displayName", avatar_key AS "avatarKey"
    FROM users WHERE id = ANY(${unique}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.id, r]));
}

/** Whether an avatar key is answered with a freshly signed URL (a storage key), not as it is (none, or a URL). */
export function avatarNeedsSigning(key: string | null | undefined): key is string {
  return !!key && !key.startsWith('http');
}

/** A stored avatar key as a signed GET URL (24 h); values that already are URLs (`http…`) are returned unchanged. */
export async function resolveAvatarUrl(ctx: AppContext, key: string | null | undefined): Promise<string | null> {
  if (!avatarNeedsSigning(key)) return key || null;
  return storageOf(ctx).signedGetUrl(key, AVATAR_URL_TTL_SECONDS);
}


export interface AdminUserFilter {
  search?: string | undefined;
  status?: 'active' | 'banned' | undefined;
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Non-deleted accounts, newest first (created_at desc, id desc); fetches `limit + 1` rows. */
export async function listUsersForAdmin(db: Db, f: AdminUserFilter): Promise<UserRow[]> {
  const where = [sql`deleted_at IS NULL`];
  if (f.search) {
    const p = likePattern(f.search);
    where.push(sql`(email ILIKE ${p} OR username ILIKE ${p} OR display_name ILIKE ${p})`);
  }
  if (f.status === 'banned') where.push(sql`banned_at IS NOT NULL`);
  if (f.status === 'active') where.push(sql`banned_at IS NULL`);
  if (f.after) where.push(sql`(created_at, id) < (${new Date(f.after.createdAt)}, ${f.after.id}::uuid)`);
  const { rows } = await sql<UserRow>`
    SELECT ${COLUMNS} FROM users WHERE ${sql.join(where, sql` AND `)}
    ORDER BY created_at DESC, id DESC LIMIT ${f.limit + 1}`.execute(db);
  return rows;
}

/** Deleted accounts whose personal data is due to be dropped (deleted before `cutoff`, not yet anonymised). */
export async function deletedUsersDue(db: Db, cutoff: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM users WHERE deleted_at IS NOT NULL AND deleted_at <= ${cutoff} AND anonymised_at IS NULL
    ORDER BY deleted_at LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.id);
}
