/**
 * Events of the identity module.
 *
 * `user-<id>` holds the account itself: registration, profile, credentials (password hash, pending reset
 * tokens), avatar, role, ban and deletion. Its revision is the ETag of GET /users/me.
 *
 * `auth-<id>` holds sign-in facts (logins, logouts, refresh-token reuse). They are not state changes of the
 * account — nothing is decided from them — but they have to be events so the audit log (a projection) sees them.
 * Keeping them out of `user-<id>` means a login neither bumps the profile's ETag (which would make a client's
 * If-Match fail after every sign-in) nor races with profile updates; and because no rule depends on them they
 * are appended without reading the stream, so a user with thousands of logins costs nothing extra.
 */
import type { DomainEvent } from '../shared/decider.js';

export type UserRole = 'user' | 'admin';

export type UserRegistered = DomainEvent<
  'UserRegistered',
  { userId: string; email: string; username: string; passwordHash: string; role: UserRole }
>;
/** Only the keys present changed; `previousUsername` is set when `username` is. */
export type UserProfileUpdated = DomainEvent<
  'UserProfileUpdated',
  { displayName?: string | null; bio?: string | null; username?: string; previousUsername?: string }
>;
export type UserPasswordChanged = DomainEvent<'UserPasswordChanged', { passwordHash: string; reason: 'change' | 'reset' }>;
/** A reset token was issued; only its SHA-256 is recorded. */
export type PasswordResetRequested = DomainEvent<'PasswordResetRequested', { tokenHash: string; expiresAt: string }>;
/** The reset token was used: it and every other pending one are spent, and the password is the new hash. */
export type PasswordResetCompleted = DomainEvent<'PasswordResetCompleted', { tokenHash: string; passwordHash: string }>;
export type UserAvatarSet = DomainEvent<'UserAvatarSet', { avatarKey: string }>;
export type UserAvatarRemoved = DomainEvent<'UserAvatarRemoved', { previousKey: string }>;
export type UserBanned = DomainEvent<'UserBanned', { reason: string | null }>;
export type UserUnbanned = DomainEvent<'UserUnbanned', Record<string, never>>;
export type UserRoleChanged = DomainEvent<'UserRoleChanged', { from: UserRole; to: UserRole }>;
export type UserDeleted = DomainEvent<'UserDeleted', { deletedAt: string }>;
/** Retention: personal data of a deleted account is dropped from every read model. */
export type UserAnonymised = DomainEvent<'UserAnonymised', { anonymisedAt: string }>;

export type UserEvent =
  | UserRegistered
  | UserProfileUpdated
  | UserPasswordChanged
  | PasswordResetRequested
  | PasswordResetCompleted
  | UserAvatarSet
  | UserAvatarRemoved
  | UserBanned
  | UserUnbanned
  | UserRoleChanged
  | UserDeleted
  | UserAnonymised;

export const USER_EVENT_TYPES: readonly UserEvent['type'][] = [
  'UserRegistered',
  'UserProfileUpdated',
  'UserPasswordChanged',
  'PasswordResetRequested',
  'PasswordResetCompleted',
  'UserAvatarSet',
  'UserAvatarRemoved',
  'UserBanned',
  'UserUnbanned',
  'UserRoleChanged',
  'UserDeleted',
  'UserAnonymised',
];

export type UserLoggedIn = DomainEvent<'UserLoggedIn', { userId: string; sessionId: string; identifierType: 'email' | 'username' }>;
export type UserLoggedOut = DomainEvent<'UserLoggedOut', { userId: string; sessionId: string; tokenId: string }>;
/** An already-rotated refresh token was presented: its whole session (token family) was revoked. */
export type RefreshTokenReuseDetected = DomainEvent<'RefreshTokenReuseDetected', { userId: string; sessionId: string; tokenId: string }>;

export const userStream = (userId: string) => `user-${userId}`;

/**
 * Retention of the audit log (one year). The scheduler appends this to `audit-retention`; the audit
 * projection deletes older rows when it sees it, so a rebuild ends with exactly the same rows.
 */
export type AuditLogsPurged = DomainEvent<'AuditLogsPurged', { before: string }>;
export const AUDIT_RETENTION_STREAM = 'audit-retention';
export const AUDIT_RETENTION_DAYS = 365;
