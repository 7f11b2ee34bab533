import { sql, type Kysely } from 'kysely';

/**
 * The `users` read model (owned by src/projections/users). A contract other modules read: id, email, username,
 * display_name, bio, avatar_key, role, banned_at, banned_reason, deleted_at, created_at, updated_at, revision
 * (the revision of the `user-<id>` stream, i.e. the ETag of the profile). No unique indexes: uniqueness is decided
 * by reservation streams, and a projection must never fail on what the write side accepted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      username text NOT NULL,
      display_name text,
      bio text,
      avatar_key text,
      role text NOT NULL CHECK (role IN ('user', 'admin')),
      banned_at timestamptz,
      banned_reason text,
      deleted_at timestamptz,
      anonymised_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      revision bigint NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX users_email_idx ON users (email)`.execute(db);
  await sql`CREATE INDEX users_username_idx ON users (username)`.execute(db);
  await sql`CREATE INDEX users_listing_idx ON users (created_at DESC, id DESC) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX users_deleted_idx ON users (deleted_at) WHERE deleted_at IS NOT NULL AND anonymised_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE users`.execute(db);
}
