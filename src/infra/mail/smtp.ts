/**
 * A small SMTP client (RFC 5321) on node:net / node:tls, enough for transactional mail to a relay such as the
 * Mailpit container of docker compose: `smtp://[user:pass@]host[:port]` (plain; add `?starttls=required` to
 * upgrade with STARTTLS) or `smtps://…` (implicit TLS). AUTH PLAIN when credentials are given. One connection per
 * message.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { Mailer, MailMessage } from './port.js';

const TIMEOUT_MS = 10_000;

interface Reply {
  code: number;
  text: string;
}

class SmtpConnection {
  private buffer = '';
  private lines: string[] = [];
  private waiting: ((reply: Reply) => void) | undefined;
  private failed: ((err: Error) => void) | undefined;

  constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('SMTP timeout')));
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.failed?.(err));
    socket.on('close', () => this.failed?.(new Error('SMTP connection closed')));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 2);
      this.lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), text: this.lines.map((l) => l.slice(4)).join('\n') };
        this.lines = [];
        const done = this.waiting;
        this.waiting = undefined;
        done?.(reply);
      }
    }
  }

  read(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
    });
  }

  async command(line: string | undefined, expect: number[]): Promise<Reply> {
    const pending = this.read();
    if (line !== undefined) this.socket.write(`${line}\r\n`);
    const reply = await pending;
    if (!expect.includes(reply.code)) throw new Error(`SMTP ${line?.split(' ')[0] ?? 'greeting'} failed: ${reply.code} ${reply.text}`);
    return reply;
  }

  async upgrade(host: string): Promise<void> {
    this.socket.removeAllListeners('data');
    const secure = tls.connect({ socket: this.socket, servername: host });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.failed = undefined;
    this.socket.end();
  }
}

function addressOf(mailbox: string): string {
  const m = /<([^>]+)>/.exec(mailbox);
  return (m ? m[1]! : mailbox).trim();
}

function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** RFC 5322 message with dot-stuffing applied (lines starting with "." get another one). */
export function formatMessage(from: string, message: MailMessage, date = new Date()): string {
  const domain = addressOf(from).split('@')[1] ?? 'localhost';
  const headers = [
    `From: ${headerSafe(from)}`,
    `To: ${headerSafe(message.to)}`,
    `Subject: ${headerSafe(message.subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = message.text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const url = new URL(smtpUrl);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP_URL must be smtp:// or smtps://, got ${url.protocol}`);
  const implicitTls = url.protocol === 'smtps:';
  const host = url.hostname;
  const port = Number(url.port || (implicitTls ? 465 : 25));
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const starttls = url.searchParams.get('starttls') === 'required';

  async function open(): Promise<SmtpConnection> {
    const socket = implicitTls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once(implicitTls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new SmtpConnection(socket);
  }

  return {
    driver: 'smtp',
    async send(message) {
      const conn = await open();
      try {
        await conn.command(undefined, [220]);
        const ehlo = await conn.command('EHLO syncode', [250]);
        if (starttls) {
          if (!/^STARTTLS$/im.test(ehlo.text)) throw new Error('SMTP server does not offer STARTTLS');
          await conn.command('STARTTLS', [220]);
          await conn.upgrade(host);
          await conn.command('EHLO syncode', [250]);
        }
        if (user) {
          await conn.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`, [235]);
        }
        await conn.command(`MAIL FROM:<${addressOf(from)}>`, [250]);
        await conn.command(`RCPT TO:<${addressOf(message.to)}>`, [250, 251]);
        await conn.command('DATA', [354]);
        await conn.command(`${formatMessage(from, message)}\r\n.`, [250]);
        await conn.command('QUIT', [221]).catch(() => undefined);
      } finally {
        conn.close();
      }
    },
  };
}
