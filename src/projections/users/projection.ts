/**
 * `users`: one row per account, from the `user-<id>` stream (+ last sign-in time from `auth-<id>`).
 * Idempotent: a user-stream event only applies when its revision is newer than the row's; sign-ins only move
 * `last_login_at` forward.
 */
import { sql, type RawBuilder } from 'kysely';
import { USER_EVENT_TYPES, type UserEvent } from '../../domain/user/events.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { occurredAt, streamId, type Projection, type Trx } from '../projection.js';

/** What an anonymised account keeps: nothing that identifies the person. */
export function anonymisedIdentity(userId: string): { email: string; username: string } {
  const short = userId.replace(/-/g, '').slice(0, 12);
  return { email: `deleted-${short}@anonymised.invalid`, username: `deleted_${short}` };
}

/** Apply `assignments` to the user's row if `event` is newer than it; the revision (ETag) always moves. */
async function update(trx: Trx, event: RecordedEvent, assignments: RawBuilder<unknown>[], touch = true): Promise<void> {
  const set = [...assignments, sql`revision = ${event.revision.toString()}`];
  if (touch) set.push(sql`updated_at = ${occurredAt(event)}`);
  await sql`
    UPDATE users SET ${sql.join(set)}
    WHERE id = ${streamId(event)} AND revision < ${event.revision.toString()}`.execute(trx);
}

export const usersProjection: Projection = {
  name: 'users',
  version: 1,
  eventTypes: [...USER_EVENT_TYPES, 'UserLoggedIn'],
  tables: ['users'],
  async apply(trx, event) {
    const at = occurredAt(event);
    if (event.type === 'UserLoggedIn') {
      const userId = String(event.data['userId']);
      await sql`
        UPDATE users SET last_login_at = ${at}
        WHERE id = ${userId} AND (last_login_at IS NULL OR last_login_at < ${at})`.execute(trx);
      return;
    }
    const e = { type: event.type, data: event.data } as unknown as UserEvent;
    switch (e.type) {
      case 'UserRegistered':
        await sql`
          INSERT INTO users (id, email, username, role, created_at, updated_at, revision)
          VALUES (${e.data.userId}, ${e.data.email}, ${e.data.username}, ${e.data.role}, ${at}, ${at}, ${event.revision.toString()})
          ON CONFLICT (id) DO NOTHING`.execute(trx);
        return;
      case 'UserProfileUpdated': {
        const set: RawBuilder<unknown>[] = [];
        if (e.data.displayName !== undefined) set.push(sql`display_name = ${e.data.displayName}`);
        if (e.data.bio !== undefined) set.push(sql`bio = ${e.data.bio}`);
        if (e.data.username !== undefined) set.push(sql`username = ${e.data.username}`);
        return update(trx, event, set);
      }
      case 'UserAvatarSet':
        return update(trx, event, [sql`avatar_key = ${e.data.avatarKey}`]);
      case 'UserAvatarRemoved':
        return update(trx, event, [sql`avatar_key = NULL`]);
      case 'UserBanned':
        return update(trx, event, [sql`banned_at = ${at}`, sql`banned_reason = ${e.data.reason}`]);
      case 'UserUnbanned':
        return update(trx, event, [sql`banned_at = NULL`, sql`banned_reason = NULL`]);
      case 'UserRoleChanged':
        return update(trx, event, [sql`role = ${e.data.to}`]);
      case 'UserDeleted':
        return update(trx, event, [sql`deleted_at = ${new Date(e.data.deletedAt)}`]);
      case 'UserAnonymised': {
        const anon = anonymisedIdentity(streamId(event));
        return update(trx, event, [
          sql`email = ${anon.email}`,
          sql`username = ${anon.username}`,
          sql`display_name = NULL, bio = NULL, avatar_key = NULL, banned_reason = NULL`,
          sql`anonymised_at = ${at}`,
        ]);
      }
      case 'UserPasswordChanged':
      case 'PasswordResetRequested':
      case 'PasswordResetCompleted':
        // Credentials are not in the read model, but the revision (the ETag) still moves.
        return update(trx, event, [], false);
    }
  },
};
