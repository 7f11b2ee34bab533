/**
 * The mailer of a process: `MAIL_DRIVER=outbox` (default) writes to the `mail_outbox` table, `smtp` sends through
 * `SMTP_URL` with nodemailer. The composition root creates one per context; the SMTP pool closes with the context.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../db/database.js';
import { createOutboxMailer } from './outbox.js';
import type { Mailer } from './port.js';
import { createSmtpMailer } from './smtp.js';

export type { Mailer, MailMessage } from './port.js';

/** What the mailer needs from its process (the application context has all of it). */
export interface MailerHost {
  config: Config;
  logger: Logger;
  db: Db;
  closers: Array<() => Promise<void>>;
}

export function createMailer(ctx: MailerHost): Mailer {
  if (ctx.config.MAIL_DRIVER === 'smtp') {
    if (!ctx.config.SMTP_URL) {
      ctx.logger.warn('MAIL_DRIVER=smtp without SMTP_URL; mail goes to the outbox table');
    } else {
      const smtp = createSmtpMailer(ctx.config.SMTP_URL, ctx.config.MAIL_FROM);
      ctx.closers.push(async () => smtp.close());
      return smtp;
    }
  }
  return createOutboxMailer(ctx.db, ctx.config.MAIL_FROM);
}
