/**
 * The mailer of a process: `MAIL_DRIVER=outbox` (default) writes to the `mail_outbox` table, `smtp` sends through
 * `SMTP_URL`. Created on first use and kept per context.
 */
import type { AppContext } from '../../runtime/context.js';
import { createOutboxMailer } from './outbox.js';
import type { Mailer } from './port.js';
import { createSmtpMailer } from './smtp.js';

export type { Mailer, MailMessage } from './port.js';

const mailers = new WeakMap<AppContext, Mailer>();

export function mailerOf(ctx: AppContext): Mailer {
  let mailer = mailers.get(ctx);
  if (!mailer) {
    mailer =
      ctx.config.MAIL_DRIVER === 'smtp' && ctx.config.SMTP_URL
        ? createSmtpMailer(ctx.config.SMTP_URL, ctx.config.MAIL_FROM)
        : createOutboxMailer(ctx.db, ctx.config.MAIL_FROM);
    mailers.set(ctx, mailer);
  }
  return mailer;
}
