/** The caller's own account: profile, avatar, deletion. */
import { DomainError } from '../../domain/shared/errors.js';
import { userStream } from '../../domain/user/events.js';
import { userDecider, userNotFound, type Precondition } from '../../domain/user/user.js';
import { storageOf } from '../../infra/storage/index.js';
import type { Ports, StorageDeps } from '../ports.js';
import { handleCommand, readAggregate } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { claimUnique, releaseUnique } from '../reservation.js';
import { EMAIL_KIND, USERNAME_KIND, written, type Written } from './common.js';

export interface ProfileChanges {
  displayName?: string | null | undefined;
  bio?: string | null | undefined;
  username?: string | undefined;
}

/** Blank (or whitespace-only) display names and bios are stored as null. */
const blankToNull = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());

/**
 * A new username is claimed before the change is appended (409 USER_USERNAME_TAKEN when someone holds it) and
 * the old one is released after; if the append is refused (412, 404) the new claim is given back.
 */
export async function updateProfile(
  ctx: Pick<Ports, 'store'>,
  metadata: RequestMetadata,
  userId: string,
  changes: ProfileChanges,
  ifMatch: Precondition,
): Promise<Written> {
  const stream = userStream(userId);
  const current = await readAggregate(ctx.store, stream, userDecider);
  if (!current.exists || current.state.deleted) throw userNotFound();
  const username = changes.username !== undefined && changes.username !== current.state.username ? changes.username : undefined;
  if (username !== undefined) {
    await claimUnique(ctx.store, USERNAME_KIND, username, userId, new DomainError('USER_USERNAME_TAKEN', 'Username is already taken'), metadata);
  }
  let result;
  try {
    result = await handleCommand(
      ctx.store,
      stream,
      userDecider,
      {
        type: 'UpdateProfile',
        ...(changes.displayName !== undefined ? { displayName: blankToNull(changes.displayName) ?? null } : {}),
        ...(changes.bio !== undefined ? { bio: blankToNull(changes.bio) ?? null } : {}),
        ...(username !== undefined ? { username } : {}),
        ifMatch,
      },
      metadata,
    );
  } catch (err) {
    if (username !== undefined) await releaseUnique(ctx.store, USERNAME_KIND, username, userId, metadata).catch(() => undefined);
    throw err;
  }
  for (const e of result.events) {
    if (e.type === 'UserProfileUpdated' && e.data.previousUsername !== undefined) {
      await releaseUnique(ctx.store, USERNAME_KIND, e.data.previousUsername, userId, metadata);
    }
  }
  return written(result);
}

/** Soft delete: the account disappears, its email and username become free, every session is revoked. */
export async function deleteAccount(ctx: Pick<Ports, 'refreshSessions' | 'store'>, metadata: RequestMetadata, userId: string): Promise<Written> {
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'Delete', now: metadata.now.toISOString() }, metadata);
  await ctx.refreshSessions.revokeAll(userId);
  await releaseUnique(ctx.store, EMAIL_KIND, result.state.email, userId, metadata);
  await releaseUnique(ctx.store, USERNAME_KIND, result.state.username, userId, metadata);
  return written(result);
}

export const AVATAR_CONTENT_TYPE = 'image/webp';
export const AVATAR_UPLOAD_TTL_SECONDS = 600;
export const avatarKeyOf = (userId: string) => `avatars/${userId}.webp`;

export async function avatarUploadUrl(ctx: StorageDeps, userId: string): Promise<{ uploadUrl: string; key: string }> {
  const key = avatarKeyOf(userId);
  const uploadUrl = await storageOf(ctx).signedPutUrl(key, { contentType: AVATAR_CONTENT_TYPE, expiresInSeconds: AVATAR_UPLOAD_TTL_SECONDS });
  return { uploadUrl, key };
}

/** 404 NOT_FOUND when nothing was uploaded to the avatar key. */
export async function confirmAvatar(ctx: StorageDeps & Pick<Ports, 'store'>, metadata: RequestMetadata, userId: string): Promise<Written> {
  const key = avatarKeyOf(userId);
  if (!(await storageOf(ctx).exists(key))) throw new DomainError('NOT_FOUND', 'No avatar was uploaded');
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'SetAvatar', avatarKey: key }, metadata);
  return written(result);
}

export async function removeAvatar(ctx: StorageDeps & Pick<Ports, 'store'>, metadata: RequestMetadata, userId: string): Promise<Written> {
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'RemoveAvatar' }, metadata);
  for (const e of result.events) {
    if (e.type === 'UserAvatarRemoved' && !e.data.previousKey.startsWith('http')) await storageOf(ctx).delete(e.data.previousKey);
  }
  // A confirmed-never upload may sit at the key too.
  await storageOf(ctx).delete(avatarKeyOf(userId));
  return written(result);
}
