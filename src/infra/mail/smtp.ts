/**
 * SMTP mail through nodemailer, for a relay such as the Mailpit container of docker compose. `SMTP_URL` is a
 * nodemailer connection URL: `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it),
 * `smtps://…` (implicit TLS); options go in the query string (e.g. `?requireTLS=true`). Connections are pooled.
 * nodemailer (about 3 MB of heap) is loaded by the first mail, not by every process that could send one.
 */
import type { Transporter } from 'nodemailer';
import type { Mailer } from './port.js';

const TIMEOUT_MS = 10_000;

export interface SmtpMailer extends Mailer {
  readonly driver: 'smtp';
  /** Close the pooled connections. */
  close(): void;
}

export function createSmtpMailer(url: string, from: string): SmtpMailer {
  // nodemailer reads transport options from the URL's query; ours go after the operator's own.
  const withOptions = new URL(url);
  const defaults = { pool: 'true', maxConnections: '2', connectionTimeout: String(TIMEOUT_MS), greetingTimeout: String(TIMEOUT_MS), socketTimeout: String(TIMEOUT_MS) };
  for (const [key, value] of Object.entries(defaults)) if (!withOptions.searchParams.has(key)) withOptions.searchParams.set(key, value);
  let transport: Promise<Transporter> | undefined;
  const open = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(withOptions.toString())));
  return {
    driver: 'smtp',
    async send({ to, subject, text, kind }) {
      await (await open()).sendMail({ from, to, subject, text, headers: { 'X-SynCode-Mail-Kind': kind } });
    },
    close() {
      void transport?.then((t) => t.close());
    },
  };
}
