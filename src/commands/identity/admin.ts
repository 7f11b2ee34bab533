/** Administration of accounts: ban, unban, role changes (also the `syncode admin grant` bootstrap). */
import { userStream, type UserRole } from '../../domain/user/events.js';
import { userDecider, userNotFound } from '../../domain/user/user.js';
import type { Ports } from '../ports.js';
import { handleCommand } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { EMAIL_KIND, normaliseEmail, reservationOwner, written, type Written } from './common.js';

/** Bans (or re-bans, refreshing the reason) and revokes every session of the user at once. */
export async function banUser(ctx: Pick<Ports, 'refreshSessions' | 'store'>, metadata: RequestMetadata, userId: string, reason: string | null): Promise<Written> {
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'Ban', actorId: metadata.actorId, reason }, metadata);
  await ctx.refreshSessions.revokeAll(userId);
  return written(result);
}

export async function unbanUser(ctx: Pick<Ports, 'store'>, metadata: RequestMetadata, userId: string): Promise<Written> {
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'Unban', actorId: metadata.actorId }, metadata);
  return written(result);
}

/** PATCH /admin/users/:id: role and/or ban state in one command (one append). */
export async function adminUpdateUser(
  ctx: Pick<Ports, 'refreshSessions' | 'store'>,
  metadata: RequestMetadata & { actorId: string },
  userId: string,
  changes: { role?: UserRole | undefined; banned?: boolean | undefined; reason?: string | null | undefined },
): Promise<Written> {
  const result = await handleCommand(
    ctx.store,
    userStream(userId),
    userDecider,
    {
      type: 'AdminUpdate',
      actorId: metadata.actorId,
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.banned !== undefined ? { banned: changes.banned } : {}),
      ...(changes.reason !== undefined ? { reason: changes.reason } : {}),
    },
    metadata,
  );
  if (result.events.some((e) => e.type === 'UserBanned')) await ctx.refreshSessions.revokeAll(userId);
  return written(result);
}

/**
 * Makes an account an administrator. The command behind `syncode admin grant <email>` (actor: the system, so
 * the audit entry has no actor) and behind the test helper `makeAdmin`. 404 USER_NOT_FOUND for unknown accounts.
 */
export async function grantAdmin(
  ctx: Pick<Ports, 'store'>,
  metadata: RequestMetadata,
  who: { userId: string } | { email: string },
  role: UserRole = 'admin',
): Promise<Written & { userId: string }> {
  const userId = 'userId' in who ? who.userId : await reservationOwner(ctx, EMAIL_KIND, normaliseEmail(who.email));
  if (!userId) throw userNotFound();
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'ChangeRole', actorId: metadata.actorId, role }, metadata);
  return { ...written(result), userId };
}
