import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer } from '../../src/infra/mail/smtp.js';
import { outboxFor } from '../../src/infra/mail/outbox.js';
import { createHarness, type Harness } from '../support/harness.js';
import { registerUser } from '../support/users.js';

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** A real SMTP server (smtp-server) that keeps what it receives; `rejectTo` answers 550 for that recipient. */
async function startSmtp(options: { rejectTo?: string } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'p@ss') callback(null, { user: auth.username });
      else callback(new Error('Invalid credentials'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address === options.rejectTo) callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { received, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SMTP mailer (nodemailer) against smtp-server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp({ rejectTo: 'nobody@example.com' });
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('authenticates and delivers from, to, subject and body', async () => {
    const mailer = createSmtpMailer(`smtp://mailer:p%40ss@127.0.0.1:${smtp.port}`, 'SynCode <no-reply@syncode.local>');
    try {
      await mailer.send({ to: 'ada@example.com', subject: 'Hello Ada', text: 'Line one\nLine two: ünïcödé', kind: 'test' });
    } finally {
      mailer.close();
    }
    const mail = smtp.received.at(-1)!;
    expect(mail).toMatchObject({ from: 'no-reply@syncode.local', to: ['ada@example.com'], user: 'mailer' });
    expect(mail.raw).toMatch(/^Subject: Hello Ada$/m);
    expect(mail.raw).toMatch(/^X-SynCode-Mail-Kind: test$/im);
    expect(mail.raw).toContain('Line one');
  });

  it('a refused recipient or wrong credentials fail the send', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${smtp.port}`, 'no-reply@syncode.local');
    await expect(mailer.send({ to: 'nobody@example.com', subject: 's', text: 't', kind: 'test' })).rejects.toThrow(/550|No such user/);
    mailer.close();
    const wrong = createSmtpMailer(`smtp://mailer:nope@127.0.0.1:${smtp.port}`, 'no-reply@syncode.local');
    await expect(wrong.send({ to: 'ada@example.com', subject: 's', text: 't', kind: 'test' })).rejects.toThrow(/Invalid credentials|535/);
    wrong.close();
  });

  describe('password reset with MAIL_DRIVER=smtp', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness({ env: { MAIL_DRIVER: 'smtp', SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    });
    afterAll(async () => {
      await h.close();
    });

    it('sends the reset mail over SMTP (not to the outbox) and its token resets the password', async () => {
      const user = await registerUser(h);
      const res = await h.request({ method: 'POST', url: '/auth/forgot-password', body: { email: user.email } });
      expect(res.status).toBe(202);
      const mail = await waitFor(() => smtp.received.find((m) => m.to.includes(user.email)));
      expect(mail.raw).toMatch(/^Subject: Reset your SynCode password$/m);
      expect(await outboxFor(h.ctx.db, user.email)).toEqual([]);
      const token = /Reset token: (\S+)/.exec(mail.raw.replace(/=\r?\n/g, ''))![1]!;
      const reset = await h.request({ method: 'POST', url: '/auth/reset-password', body: { token, newPassword: 'a-brand-new-password' } });
      expect(reset.status).toBeLessThan(300);
      const login = await h.request({ method: 'POST', url: '/auth/login', body: { identifier: user.email, password: 'a-brand-new-password' } });
      expect(login.status).toBe(200);
    });
  });
});
