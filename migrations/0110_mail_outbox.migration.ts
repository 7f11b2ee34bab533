import { sql, type Kysely } from 'kysely';

/**
 * Outgoing mail of the default `outbox` driver (owned by src/infra/mail). Not a projection: the mail adapter
 * writes it. A relay (or a developer) reads unsent rows and marks them sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY,
      recipient text NOT NULL,
      sender text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      kind text NOT NULL,
      created_at timestamptz NOT NULL,
      sent_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (created_at) WHERE sent_at IS NULL`.execute(db);
  await sql`CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (recipient, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE mail_outbox`.execute(db);
}
