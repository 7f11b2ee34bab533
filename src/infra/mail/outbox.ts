/** The default mail driver: mail is written to the `mail_outbox` table instead of being sent. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Mailer } from './port.js';

export function createOutboxMailer(db: Db, from: string): Mailer {
  return {
    driver: 'outbox',
    async send({ to, subject, text, kind }) {
      await sql`
        INSERT INTO mail_outbox (id, recipient, sender, subject, body, kind, created_at)
        VALUES (${randomUUID()}, ${to}, ${from}, ${subject}, ${text}, ${kind}, now())`.execute(db);
    },
  };
}

export interface OutboxRow {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  kind: string;
  createdAt: Date;
}

export async function outboxFor(db: Db, recipient: string): Promise<OutboxRow[]> {
  const { rows } = await sql<OutboxRow>`
    SELECT id, recipient, subject, body, kind, created_at AS "createdAt"
    FROM mail_outbox WHERE recipient = ${recipient} ORDER BY created_at DESC`.execute(db);
  return rows;
}
