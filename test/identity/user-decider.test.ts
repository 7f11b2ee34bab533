import { describe, expect, it } from '@jest/globals';
import { can } from '../../src/domain/user/capabilities.js';
import type { UserEvent } from '../../src/domain/user/events.js';
import { userDecider, type UserCommand } from '../../src/domain/user/user.js';
import { answered } from '../support/answered.js';
import { deciderSpec } from '../support/decider-spec.js';

const ID = '11111111-1111-4111-8111-111111111111';
const ADMIN = '22222222-2222-4222-8222-222222222222';
const registered: UserEvent = { type: 'UserRegistered', data: { userId: ID, email: 'a@x.io', username: 'alice', passwordHash: 'h1', role: 'user' } };

const { given } = deciderSpec(userDecider);

describe('user decider', () => {
  it('registers a new user once', () => {
    const cmd: UserCommand = { type: 'Register', userId: ID, email: 'a@x.io', username: 'alice', passwordHash: 'h1' };
    expect(given().when(cmd).events).toEqual([registered]);
    expect(given(registered).when(cmd).error?.code).toBe('USER_ALREADY_EXISTS');
  });

  it('counts every event in the revision (the ETag), unknown ones too', () => {
    expect(given().state.revision).toBe(-1);
    expect(given(registered).state.revision).toBe(0);
    const unknown = { type: 'SomethingNew', data: {} } as unknown as UserEvent;
    expect(given(registered, unknown).state.revision).toBe(1);
  });

  it('updates only what changed, and nothing when nothing changed', () => {
    expect(given(registered).when({ type: 'UpdateProfile', displayName: 'Alice', bio: null, username: 'alice' }).events).toEqual([
      { type: 'UserProfileUpdated', data: { displayName: 'Alice' } },
    ]);
    expect(given(registered).when({ type: 'UpdateProfile', username: 'alice2' }).events).toEqual([
      { type: 'UserProfileUpdated', data: { username: 'alice2', previousUsername: 'alice' } },
    ]);
    expect(given(registered).when({ type: 'UpdateProfile' }).events).toEqual([]);
  });

  it('checks If-Match against the stream revision, ignoring nothing else', () => {
    const renamed: UserEvent = { type: 'UserProfileUpdated', data: { displayName: 'A' } };
    const g = given(registered, renamed);
    expect(g.when({ type: 'UpdateProfile', bio: 'hi', ifMatch: ['1'] }).events).toHaveLength(1);
    expect(answered(g.when({ type: 'UpdateProfile', bio: 'hi', ifMatch: ['0'] }).error)).toMatchObject({ code: 'PRECONDITION_FAILED', status: 412 });
    expect(g.when({ type: 'UpdateProfile', bio: 'hi', ifMatch: ['0', '1'] }).events).toHaveLength(1);
    expect(g.when({ type: 'UpdateProfile', bio: 'hi', ifMatch: '*' }).events).toHaveLength(1);
  });

  it('refuses a password change decided against an older password', () => {
    const changed: UserEvent = { type: 'UserPasswordChanged', data: { passwordHash: 'h2', reason: 'change' } };
    expect(given(registered).when({ type: 'ChangePassword', passwordHash: 'h2', passwordVersion: 0 }).events).toEqual([changed]);
    expect(given(registered, changed).when({ type: 'ChangePassword', passwordHash: 'h3', passwordVersion: 0 }).error?.code).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('accepts a reset token once, before it expires', () => {
    const requested: UserEvent = { type: 'PasswordResetRequested', data: { tokenHash: 't1', expiresAt: '2030-01-01T01:00:00.000Z' } };
    const g = given(registered, requested);
    const ok = g.when({ type: 'CompletePasswordReset', tokenHash: 't1', passwordHash: 'h2', now: '2030-01-01T00:30:00.000Z' });
    expect(ok.events).toEqual([{ type: 'PasswordResetCompleted', data: { tokenHash: 't1', passwordHash: 'h2' } }]);
    expect(g.when({ type: 'CompletePasswordReset', tokenHash: 't1', passwordHash: 'h2', now: '2030-01-01T01:00:00.000Z' }).error?.code).toBe('VALIDATION_FAILED');
    expect(g.when({ type: 'CompletePasswordReset', tokenHash: 'nope', passwordHash: 'h2', now: '2030-01-01T00:00:00.000Z' }).error?.code).toBe('VALIDATION_FAILED');
    const used = given(registered, requested, ...(ok.events ?? []));
    expect(used.when({ type: 'CompletePasswordReset', tokenHash: 't1', passwordHash: 'h3', now: '2030-01-01T00:31:00.000Z' }).error?.code).toBe('VALIDATION_FAILED');
  });

  it('issues no reset for unknown or deleted accounts', () => {
    const cmd: UserCommand = { type: 'RequestPasswordReset', tokenHash: 't', expiresAt: '2030-01-01T00:00:00.000Z', now: '2029-12-31T23:00:00.000Z' };
    expect(given().when(cmd).events).toEqual([]);
    expect(given(registered, { type: 'UserDeleted', data: { deletedAt: '2029-01-01T00:00:00.000Z' } }).when(cmd).events).toEqual([]);
  });

  it('bans (re-banning refreshes the reason), unbans idempotently, and never bans oneself', () => {
    expect(given(registered).when({ type: 'Ban', actorId: ADMIN, reason: 'spam' }).events).toEqual([{ type: 'UserBanned', data: { reason: 'spam' } }]);
    const banned = given(registered, { type: 'UserBanned', data: { reason: 'spam' } });
    expect(banned.when({ type: 'Ban', actorId: ADMIN, reason: 'again' }).events).toEqual([{ type: 'UserBanned', data: { reason: 'again' } }]);
    expect(banned.when({ type: 'Unban', actorId: ADMIN }).events).toEqual([{ type: 'UserUnbanned', data: {} }]);
    expect(given(registered).when({ type: 'Unban', actorId: ADMIN }).events).toEqual([]);
    expect(answered(given(registered).when({ type: 'Ban', actorId: ID, reason: null }).error)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('combines role and ban changes in one admin update, refusing self-demotion and empty updates', () => {
    const r = given(registered).when({ type: 'AdminUpdate', actorId: ADMIN, role: 'admin', banned: true, reason: 'x' });
    expect(r.events).toEqual([
      { type: 'UserRoleChanged', data: { from: 'user', to: 'admin' } },
      { type: 'UserBanned', data: { reason: 'x' } },
    ]);
    const admin = given({ ...registered, data: { ...registered.data, userId: ADMIN } } as UserEvent, { type: 'UserRoleChanged', data: { from: 'user', to: 'admin' } });
    expect(admin.when({ type: 'AdminUpdate', actorId: ADMIN, role: 'user' }).error?.code).toBe('VALIDATION_FAILED');
    expect(admin.when({ type: 'AdminUpdate', actorId: ADMIN, role: 'admin' }).events).toEqual([]);
    expect(given(registered).when({ type: 'AdminUpdate', actorId: ADMIN }).error?.code).toBe('VALIDATION_FAILED');
  });

  it('answers USER_NOT_FOUND for missing and deleted accounts', () => {
    const deleted = given(registered, { type: 'UserDeleted', data: { deletedAt: '2030-01-01T00:00:00.000Z' } });
    for (const cmd of [
      { type: 'Ban', actorId: ADMIN, reason: null },
      { type: 'UpdateProfile', bio: 'x' },
      { type: 'Delete', now: '2030-01-02T00:00:00.000Z' },
      { type: 'ChangeRole', actorId: null, role: 'admin' },
    ] as UserCommand[]) {
      expect(answered(given().when(cmd).error)).toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
      expect(answered(deleted.when(cmd).error)).toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
    }
  });

  it('anonymises a deleted account only 30 days after deletion, once', () => {
    const deleted: UserEvent = { type: 'UserDeleted', data: { deletedAt: '2030-01-01T00:00:00.000Z' } };
    const g = given(registered, deleted);
    expect(g.when({ type: 'Anonymise', now: '2030-01-30T23:59:59.000Z' }).events).toEqual([]);
    expect(g.when({ type: 'Anonymise', now: '2030-01-31T00:00:00.000Z' }).events).toEqual([{ type: 'UserAnonymised', data: { anonymisedAt: '2030-01-31T00:00:00.000Z' } }]);
    expect(given(registered).when({ type: 'Anonymise', now: '2031-01-01T00:00:00.000Z' }).events).toEqual([]);
    const done = given(registered, deleted, { type: 'UserAnonymised', data: { anonymisedAt: '2030-02-01T00:00:00.000Z' } });
    expect(done.when({ type: 'Anonymise', now: '2031-01-01T00:00:00.000Z' }).events).toEqual([]);
    expect(done.state).toMatchObject({ displayName: null, bio: null, avatarKey: null, anonymised: true });
  });

  it('sets and removes avatars idempotently', () => {
    expect(given(registered).when({ type: 'SetAvatar', avatarKey: 'avatars/x.webp' }).events).toHaveLength(1);
    const withAvatar = given(registered, { type: 'UserAvatarSet', data: { avatarKey: 'avatars/x.webp' } });
    expect(withAvatar.when({ type: 'SetAvatar', avatarKey: 'avatars/x.webp' }).events).toEqual([]);
    expect(withAvatar.when({ type: 'RemoveAvatar' }).events).toEqual([{ type: 'UserAvatarRemoved', data: { previousKey: 'avatars/x.webp' } }]);
    expect(given(registered).when({ type: 'RemoveAvatar' }).events).toEqual([]);
  });
});

describe('global capabilities (SPEC §3.1)', () => {
  it('gives admins everything and users only their own things', () => {
    expect(can('admin', 'user:ban')).toBe(true);
    expect(can('admin', 'room:create')).toBe(true);
    expect(can('user', 'room:create')).toBe(true);
    expect(can('user', 'problem:view')).toBe(true);
    for (const cap of ['user:list', 'user:ban', 'user:manage', 'problem:create', 'room:force-close', 'session:view-any', 'platform:view-analytics'] as const) {
      expect(can('user', cap)).toBe(false);
    }
  });
});
