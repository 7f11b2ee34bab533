/**
 * The user aggregate (`user-<id>`). Pure: password hashes, token hashes, ids and the clock arrive inside the
 * command. Uniqueness of email and username is not decided here but by reservation streams (the command handlers
 * claim them before appending).
 */
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { UserEvent, UserRole } from './events.js';

/** Deleted accounts are anonymised this long after deletion (the retention rule). */
export const ANONYMISE_AFTER_DAYS = 30;
/** Pending reset tokens kept per account; older ones are dropped when a new one is issued. */
export const MAX_PENDING_RESETS = 5;

export interface PendingReset {
  tokenHash: string;
  expiresAt: string;
}

export interface UserState {
  exists: boolean;
  id: string | null;
  email: string;
  username: string;
  displayName: string | null;
  bio: string | null;
  avatarKey: string | null;
  passwordHash: string;
  /** Bumped on every password change, so a change decided against an older password can be refused. */
  passwordVersion: number;
  pendingResets: PendingReset[];
  role: UserRole;
  banned: boolean;
  bannedReason: string | null;
  deleted: boolean;
  deletedAt: string | null;
  anonymised: boolean;
  /** 0-based revision of the last event folded (-1: no stream); the ETag of the profile. */
  revision: number;
}

/** `ifMatch`: entity tags from If-Match (revisions as strings), or '*'; absent = unconditional. */
export type Precondition = readonly string[] | '*' | undefined;

export type UserCommand =
  | { type: 'Register'; userId: string; email: string; username: string; passwordHash: string }
  | { type: 'UpdateProfile'; displayName?: string | null; bio?: string | null; username?: string; ifMatch?: Precondition }
  | { type: 'ChangePassword'; passwordHash: string; passwordVersion: number }
  | { type: 'RequestPasswordReset'; tokenHash: string; expiresAt: string; now: string }
  | { type: 'CompletePasswordReset'; tokenHash: string; passwordHash: string; now: string }
  | { type: 'SetAvatar'; avatarKey: string }
  | { type: 'RemoveAvatar' }
  | { type: 'Ban'; actorId: string | null; reason: string | null }
  | { type: 'Unban'; actorId: string | null }
  | { type: 'ChangeRole'; actorId: string | null; role: UserRole }
  | { type: 'AdminUpdate'; actorId: string; role?: UserRole; banned?: boolean; reason?: string | null }
  | { type: 'Delete'; now: string }
  | { type: 'Anonymise'; now: string };

export const userNotFound = () => new DomainError('USER_NOT_FOUND', 'User not found');
export const preconditionFailed = () =>
  new DomainError('PRECONDITION_FAILED', 'The profile was modified since it was read (If-Match does not match)');
const invalidField = (field: string, constraint: string, value: unknown, message: string) =>
  new DomainError('VALIDATION_FAILED', message, { fields: [{ field, constraint, value }] });

export const initialUserState = (): UserState => ({
  exists: false,
  id: null,
  email: '',
  username: '',
  displayName: null,
  bio: null,
  avatarKey: null,
  passwordHash: '',
  passwordVersion: 0,
  pendingResets: [],
  role: 'user',
  banned: false,
  bannedReason: null,
  deleted: false,
  deletedAt: null,
  anonymised: false,
  revision: -1,
});

function evolveData(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return {
        ...state,
        exists: true,
        id: event.data.userId,
        email: event.data.email,
        username: event.data.username,
        passwordHash: event.data.passwordHash,
        role: event.data.role,
      };
    case 'UserProfileUpdated': {
      const d = event.data;
      return {
        ...state,
        ...(d.displayName !== undefined ? { displayName: d.displayName } : {}),
        ...(d.bio !== undefined ? { bio: d.bio } : {}),
        ...(d.username !== undefined ? { username: d.username } : {}),
      };
    }
    case 'UserPasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash, passwordVersion: state.passwordVersion + 1 };
    case 'PasswordResetRequested':
      return {
        ...state,
        pendingResets: [...state.pendingResets, { tokenHash: event.data.tokenHash, expiresAt: event.data.expiresAt }].slice(-MAX_PENDING_RESETS),
      };
    case 'PasswordResetCompleted':
      return { ...state, passwordHash: event.data.passwordHash, passwordVersion: state.passwordVersion + 1, pendingResets: [] };
    case 'UserAvatarSet':
      return { ...state, avatarKey: event.data.avatarKey };
    case 'UserAvatarRemoved':
      return { ...state, avatarKey: null };
    case 'UserBanned':
      return { ...state, banned: true, bannedReason: event.data.reason };
    case 'UserUnbanned':
      return { ...state, banned: false, bannedReason: null };
    case 'UserRoleChanged':
      return { ...state, role: event.data.to };
    case 'UserDeleted':
      return { ...state, deleted: true, deletedAt: event.data.deletedAt, pendingResets: [] };
    case 'UserAnonymised':
      return { ...state, anonymised: true, displayName: null, bio: null, avatarKey: null };
    default:
      return state;
  }
}

function requireActive(state: UserState): void {
  if (!state.exists || state.deleted) throw userNotFound();
}

function matches(ifMatch: Precondition, revision: number): boolean {
  if (ifMatch === undefined || ifMatch === '*') return true;
  return ifMatch.includes(String(revision));
}

function decideAdminUpdate(c: Extract<UserCommand, { type: 'AdminUpdate' }>, state: UserState): UserEvent[] {
  requireActive(state);
  if (c.role === undefined && c.banned === undefined) {
    throw invalidField('body', 'minProperties', null, 'Nothing to update: give role and/or banned');
  }
  const self = state.id === c.actorId;
  if (self && c.banned === true) throw invalidField('id', 'notSelf', c.actorId, 'Administrators cannot ban themselves');
  if (self && c.role !== undefined && c.role !== state.role) {
    throw invalidField('role', 'notSelf', c.role, 'Administrators cannot change their own role');
  }
  const events: UserEvent[] = [];
  if (c.role !== undefined && c.role !== state.role) events.push({ type: 'UserRoleChanged', data: { from: state.role, to: c.role } });
  if (c.banned === true) events.push({ type: 'UserBanned', data: { reason: c.reason ?? null } });
  if (c.banned === false && state.banned) events.push({ type: 'UserUnbanned', data: {} });
  return events;
}

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: initialUserState,
  // Every event counts towards the revision, also types this version does not know, so `revision` always equals
  // the stream revision the ETag is compared with.
  evolve: (state, event) => ({ ...evolveData(state, event), revision: state.revision + 1 }),

  decide(c, state) {
    switch (c.type) {
      case 'Register':
        if (state.exists) throw new DomainError('USER_ALREADY_EXISTS', 'User already exists');
        return [
          {
            type: 'UserRegistered',
            data: { userId: c.userId, email: c.email, username: c.username, passwordHash: c.passwordHash, role: 'user' },
          },
        ];

      case 'UpdateProfile': {
        requireActive(state);
        if (!matches(c.ifMatch, state.revision)) throw preconditionFailed();
        const data: Extract<UserEvent, { type: 'UserProfileUpdated' }>['data'] = {};
        if (c.displayName !== undefined && c.displayName !== state.displayName) data.displayName = c.displayName;
        if (c.bio !== undefined && c.bio !== state.bio) data.bio = c.bio;
        if (c.username !== undefined && c.username !== state.username) {
          data.username = c.username;
          data.previousUsername = state.username;
        }
        return Object.keys(data).length === 0 ? [] : [{ type: 'UserProfileUpdated', data }];
      }

      case 'ChangePassword':
        requireActive(state);
        if (c.passwordVersion !== state.passwordVersion) {
          throw new DomainError('AUTH_INVALID_CREDENTIALS', 'The password was changed concurrently; sign in again');
        }
        return [{ type: 'UserPasswordChanged', data: { passwordHash: c.passwordHash, reason: 'change' } }];

      case 'RequestPasswordReset':
        if (!state.exists || state.deleted) return [];
        return [{ type: 'PasswordResetRequested', data: { tokenHash: c.tokenHash, expiresAt: c.expiresAt } }];

      case 'CompletePasswordReset': {
        const invalid = invalidField('token', 'resetToken', null, 'The reset token is invalid, expired or already used');
        if (!state.exists || state.deleted) throw invalid;
        const pending = state.pendingResets.find((p) => p.tokenHash === c.tokenHash);
        if (!pending || Date.parse(pending.expiresAt) <= Date.parse(c.now)) throw invalid;
        return [{ type: 'PasswordResetCompleted', data: { tokenHash: c.tokenHash, passwordHash: c.passwordHash } }];
      }

      case 'SetAvatar':
        requireActive(state);
        return state.avatarKey === c.avatarKey ? [] : [{ type: 'UserAvatarSet', data: { avatarKey: c.avatarKey } }];

      case 'RemoveAvatar':
        requireActive(state);
        return state.avatarKey === null ? [] : [{ type: 'UserAvatarRemoved', data: { previousKey: state.avatarKey } }];

      case 'Ban':
        requireActive(state);
        if (c.actorId !== null && c.actorId === state.id) throw invalidField('id', 'notSelf', c.actorId, 'Administrators cannot ban themselves');
        // Re-banning refreshes the reason and the ban time.
        return [{ type: 'UserBanned', data: { reason: c.reason } }];

      case 'Unban':
        requireActive(state);
        return state.banned ? [{ type: 'UserUnbanned', data: {} }] : [];

      case 'ChangeRole':
        requireActive(state);
        return state.role === c.role ? [] : [{ type: 'UserRoleChanged', data: { from: state.role, to: c.role } }];

      case 'AdminUpdate':
        return decideAdminUpdate(c, state);

      case 'Delete':
        requireActive(state);
        return [{ type: 'UserDeleted', data: { deletedAt: c.now } }];

      case 'Anonymise': {
        if (!state.exists || !state.deleted || state.anonymised || state.deletedAt === null) return [];
        const due = Date.parse(state.deletedAt) + ANONYMISE_AFTER_DAYS * 86_400_000;
        return Date.parse(c.now) >= due ? [{ type: 'UserAnonymised', data: { anonymisedAt: c.now } }] : [];
      }
    }
  },
};
