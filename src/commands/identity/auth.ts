/**
 * Sign-up, sign-in and credentials: register, login, refresh (rotation + reuse detection), logout, change
 * password, forgot / reset password.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { userStream } from '../../domain/user/events.js';
import { userDecider } from '../../domain/user/user.js';
import { DomainError } from '../../domain/shared/errors.js';
import { hashPassword, verifyPassword } from '../../infra/password.js';
import { findAuthUser } from '../../projections/users/queries.js';
import type { Ports } from '../ports.js';
import { handleCommand, readAggregate } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { claimUnique, releaseUnique } from '../reservation.js';
import {
  appendFact,
  EMAIL_KIND,
  normaliseEmail,
  reservationOwner,
  signInStream,
  USERNAME_KIND,
  written,
  type Written,
} from './common.js';
import { signInAccount } from './sign-in-account.js';
import { sessionExpired, signAccessToken, signRefreshToken, tokenRevoked, unauthorized, verifyRefreshToken } from './tokens.js';

export interface SignedIn {
  userId: string;
  accessToken: string;
  refreshToken: string;
  written: Written;
}

export const invalidCredentials = () => new DomainError('AUTH_INVALID_CREDENTIALS', 'Invalid credentials');
export const userBanned = () => new DomainError('USER_BANNED', 'This account is banned');

async function startSession(ctx: Pick<Ports, 'config' | 'refreshSessions'>, user: { id: string; email: string }) {
  const session = await ctx.refreshSessions.start(user.id);
  return {
    sid: session.sid,
    accessToken: signAccessToken(ctx.config, user, session.sid),
    refreshToken: signRefreshToken(ctx.config, user, session),
  };
}

export async function register(
  ctx: Pick<Ports, 'config' | 'refreshSessions' | 'store'>,
  metadata: RequestMetadata,
  input: { email: string; username: string; password: string },
): Promise<SignedIn> {
  const email = normaliseEmail(input.email);
  const username = input.username;
  const userId = randomUUID();
  const passwordHash = await hashPassword(input.password);
  // The new user is the actor of their own registration.
  const meta = { ...metadata, actorId: userId };

  await claimUnique(ctx.store, EMAIL_KIND, email, userId, new DomainError('AUTH_EMAIL_TAKEN', 'Email is already registered'), meta);
  try {
    await claimUnique(ctx.store, USERNAME_KIND, username, userId, new DomainError('AUTH_USERNAME_TAKEN', 'Username is already taken'), meta);
  } catch (err) {
    await releaseUnique(ctx.store, EMAIL_KIND, email, userId, meta).catch(() => undefined);
    throw err;
  }
  const result = await handleCommand(ctx.store, userStream(userId), userDecider, { type: 'Register', userId, email, username, passwordHash }, meta);
  const session = await startSession(ctx, { id: userId, email });
  return { userId, accessToken: session.accessToken, refreshToken: session.refreshToken, written: written(result) };
}

/** `identifier` is an email (contains `@`, matched normalised) or an exact username. */
export async function login(ctx: Pick<Ports, 'config' | 'refreshSessions' | 'store' | 'signInOwners'>, metadata: RequestMetadata, input: { identifier: string; password: string }): Promise<SignedIn> {
  const isEmail = input.identifier.includes('@');
  const account = await signInAccount(ctx, isEmail ? EMAIL_KIND : USERNAME_KIND, isEmail ? normaliseEmail(input.identifier) : input.identifier);
  const user = account?.user;
  // Always one scrypt: unknown accounts are checked against the dummy hash.
  const ok = await verifyPassword(input.password, user?.passwordHash);
  const ownerId = account?.ownerId;
  if (!ok || !user || !ownerId) throw invalidCredentials();
  if (user.banned) throw userBanned();

  const session = await startSession(ctx, { id: ownerId, email: user.email });
  const fact = await appendFact(
    ctx,
    signInStream(session.sid),
    { type: 'UserLoggedIn', data: { userId: ownerId, sessionId: session.sid, identifierType: isEmail ? 'email' : 'username' } },
    { ...metadata, actorId: ownerId },
    'no_stream',
  );
  // The answer waits for the projections reading UserLoggedIn: an admin who looks at the account right after the
  // sign-in sees its last activity and the audit entry.
  return { userId: ownerId, accessToken: session.accessToken, refreshToken: session.refreshToken, written: fact };
}

async function reportReuse(ctx: Pick<Ports, 'logger' | 'store'>, metadata: RequestMetadata, claims: { sub: string; sid: string; jti: string }): Promise<never> {
  await appendFact(
    ctx,
    signInStream(claims.sid),
    { type: 'RefreshTokenReuseDetected', data: { userId: claims.sub, sessionId: claims.sid, tokenId: claims.jti } },
    { ...metadata, actorId: claims.sub },
  ).catch((err) => ctx.logger.warn({ err }, 'could not record refresh token reuse'));
  throw tokenRevoked();
}

/** Rotate: the presented refresh token is spent and a new pair is issued for the same session. */
export async function refresh(
  ctx: Pick<Ports, 'config' | 'db' | 'logger' | 'refreshSessions' | 'store'>,
  metadata: RequestMetadata,
  refreshToken: string | undefined,
): Promise<{ accessToken: string; refreshToken: string }> {
  if (!refreshToken) throw unauthorized('Refresh token missing');
  const claims = verifyRefreshToken(ctx.config, refreshToken);
  const sessions = ctx.refreshSessions;
  const user = await findAuthUser(ctx.db, claims.sub);
  if (!user || user.deletedAt) {
    await sessions.revokeAll(claims.sub);
    throw unauthorized('Account no longer exists');
  }
  if (user.bannedAt) {
    await sessions.revokeAll(claims.sub);
    throw userBanned();
  }
  const next = await sessions.rotate(claims.sub, claims.sid, claims.jti);
  if (next.status === 'reused') return reportReuse(ctx, metadata, claims);
  if (next.status === 'expired') throw sessionExpired();
  if (next.status !== 'rotated') throw tokenRevoked();
  const account = { id: user.id, email: user.email };
  return {
    accessToken: signAccessToken(ctx.config, account, claims.sid),
    refreshToken: signRefreshToken(ctx.config, account, { sid: claims.sid, jti: next.jti }),
  };
}

export async function logout(ctx: Pick<Ports, 'config' | 'logger' | 'refreshSessions' | 'store'>, metadata: RequestMetadata, refreshToken: string | undefined): Promise<Written> {
  if (!refreshToken) throw unauthorized('Refresh token missing');
  const claims = verifyRefreshToken(ctx.config, refreshToken);
  const ended = await ctx.refreshSessions.end(claims.sub, claims.sid, claims.jti);
  if (ended.status === 'reused') return reportReuse(ctx, metadata, claims);
  if (ended.status === 'expired') throw sessionExpired();
  if (ended.status !== 'ended') throw tokenRevoked();
  return appendFact(
    ctx,
    signInStream(claims.sid),
    { type: 'UserLoggedOut', data: { userId: claims.sub, sessionId: claims.sid, tokenId: claims.jti } },
    { ...metadata, actorId: claims.sub },
  );
}

/** Verifies the current password, stores the new hash, and revokes every other session of the user. */
export async function changePassword(
  ctx: Pick<Ports, 'refreshSessions' | 'store'>,
  metadata: RequestMetadata,
  caller: { userId: string; sessionId: string | undefined },
  input: { currentPassword: string; newPassword: string },
): Promise<Written> {
  const current = await readAggregate(ctx.store, userStream(caller.userId), userDecider);
  const stored = current.exists && !current.state.deleted ? current.state.passwordHash : undefined;
  if (!(await verifyPassword(input.currentPassword, stored)) || !stored) throw invalidCredentials();
  const passwordHash = await hashPassword(input.newPassword);
  const result = await handleCommand(
    ctx.store,
    userStream(caller.userId),
    userDecider,
    { type: 'ChangePassword', passwordHash, passwordVersion: current.state.passwordVersion },
    metadata,
  );
  await ctx.refreshSessions.revokeAll(caller.userId, caller.sessionId);
  return written(result);
}

/**
 * Reset tokens are opaque to clients: base64url(userId bytes ‖ 32 random bytes). Only the SHA-256 of the token is
 * recorded (in a PasswordResetRequested event on the user's stream), so the token itself exists only in the mail.
 */
export function makeResetToken(userId: string): string {
  return Buffer.concat([Buffer.from(userId.replace(/-/g, ''), 'hex'), randomBytes(32)]).toString('base64url');
}

export function resetTokenUser(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return undefined;
  const hex = Buffer.from(token, 'base64url').subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const hashResetToken = (token: string) => createHash('sha256').update(token).digest('hex');

function resetLink(ctx: Pick<Ports, 'config'>, token: string): string {
  const app = ctx.config.CORS_ORIGINS.split(',').map((s) => s.trim()).find(Boolean) ?? ctx.config.PUBLIC_URL;
  return `${app.replace(/\/+$/, '')}/reset-password?token=${token}`;
}

/**
 * Issues a reset token and mails it when the email belongs to an account; does nothing otherwise. The caller
 * answers 202 either way (and does not wait for this), so responses do not reveal which emails exist.
 */
export async function requestPasswordReset(ctx: Pick<Ports, 'config' | 'mailer' | 'store'>, metadata: RequestMetadata, emailInput: string): Promise<void> {
  const email = normaliseEmail(emailInput);
  const ownerId = await reservationOwner(ctx, EMAIL_KIND, email);
  if (!ownerId) return;
  const token = makeResetToken(ownerId);
  const expiresAt = new Date(metadata.now.getTime() + ctx.config.PASSWORD_RESET_TTL_SECONDS * 1000).toISOString();
  const result = await handleCommand(
    ctx.store,
    userStream(ownerId),
    userDecider,
    { type: 'RequestPasswordReset', tokenHash: hashResetToken(token), expiresAt, now: metadata.now.toISOString() },
    metadata,
  );
  if (result.events.length === 0) return;
  const minutes = Math.round(ctx.config.PASSWORD_RESET_TTL_SECONDS / 60);
  await ctx.mailer.send({
    to: result.state.email,
    kind: 'password_reset',
    subject: 'Reset your SynCode password',
    text: [
      `Hi ${result.state.username},`,
      '',
      'Someone (hopefully you) asked to reset the password of your SynCode account.',
      `Open this link within ${minutes} minutes to choose a new password:`,
      '',
      resetLink(ctx, token),
      '',
      `Reset token: ${token}`,
      '',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  });
}

/** Single use: completing a reset spends every pending token, and every session of the user is revoked. */
export async function resetPassword(ctx: Pick<Ports, 'refreshSessions' | 'store'>, metadata: RequestMetadata, input: { token: string; newPassword: string }): Promise<Written> {
  const userId = resetTokenUser(input.token);
  if (!userId) {
    throw new DomainError('VALIDATION_FAILED', 'The reset token is invalid, expired or already used', {
      fields: [{ field: 'token', constraint: 'resetToken', value: null }],
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const result = await handleCommand(
    ctx.store,
    userStream(userId),
    userDecider,
    { type: 'CompletePasswordReset', tokenHash: hashResetToken(input.token), passwordHash, now: metadata.now.toISOString() },
    { ...metadata, actorId: userId },
  );
  await ctx.refreshSessions.revokeAll(userId);
  return written(result);
}
