import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { createSmtpMailer, formatMessage } from '../../src/infra/mail/smtp.js';

/** A minimal SMTP server that records the dialogue and the message. */
function fakeSmtp(options: { rejectRcpt?: boolean } = {}) {
  const transcript: string[] = [];
  const messages: string[] = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let data = '';
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(data);
            data = '';
            socket.write('250 queued\r\n');
          } else data += `${line}\n`;
          continue;
        }
        transcript.push(line);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write('250-fake\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n');
        else if (verb === 'AUTH') socket.write('235 ok\r\n');
        else if (verb === 'MAIL') socket.write('250 ok\r\n');
        else if (verb === 'RCPT') socket.write(options.rejectRcpt ? '550 no such user\r\n' : '250 ok\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go\r\n');
        } else if (verb === 'QUIT') {
          socket.write('221 bye\r\n');
          socket.end();
        } else socket.write('502 unknown\r\n');
      }
    });
  });
  return { server, transcript, messages };
}

describe('SMTP mailer', () => {
  const ok = fakeSmtp();
  const bad = fakeSmtp({ rejectRcpt: true });
  let okPort = 0;
  let badPort = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => ok.server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => bad.server.listen(0, '127.0.0.1', r));
    okPort = (ok.server.address() as net.AddressInfo).port;
    badPort = (bad.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => ok.server.close(r));
    await new Promise((r) => bad.server.close(r));
  });

  it('speaks EHLO / AUTH PLAIN / MAIL / RCPT / DATA / QUIT and dot-stuffs the body', async () => {
    const mailer = createSmtpMailer(`smtp://user:p%40ss@127.0.0.1:${okPort}`, 'SynCode <no-reply@syncode.local>');
    await mailer.send({ to: 'alice@example.test', subject: 'Hello\r\nBcc: evil@x', text: 'line one\n.starts with a dot\nend', kind: 'test' });
    expect(ok.transcript).toEqual([
      'EHLO syncode',
      `AUTH PLAIN ${Buffer.from('\0user\0p@ss').toString('base64')}`,
      'MAIL FROM:<no-reply@syncode.local>',
      'RCPT TO:<alice@example.test>',
      'DATA',
      'QUIT',
    ]);
    const message = ok.messages[0]!;
    expect(message).toContain('Subject: Hello Bcc: evil@x\n');
    expect(message).not.toMatch(/^Bcc:/m);
    expect(message).toContain('\n..starts with a dot\n');
  });

  it('fails when the server refuses the recipient', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${badPort}`, 'no-reply@syncode.local');
    await expect(mailer.send({ to: 'x@example.test', subject: 's', text: 't', kind: 'test' })).rejects.toThrow(/550/);
  });

  it('formats an RFC 5322 message', () => {
    const text = formatMessage('A <a@b.c>', { to: 'x@y.z', subject: 'S', text: 'hi\nthere', kind: 'k' }, new Date(0));
    expect(text).toMatch(/^From: A <a@b.c>\r\nTo: x@y.z\r\nSubject: S\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nMessage-ID: <[^>]+@b.c>\r\n/);
    expect(text.endsWith('\r\n\r\nhi\r\nthere')).toBe(true);
  });
});
