/**
 * What Node rejects before fastify runs, over raw sockets: HTTP parser errors, oversized headers, `Expect`,
 * slow clients (headers trickling in, a body shorter than its Content-Length) and the per-IP connection cap.
 * Every answer is the error envelope with a code and an X-Trace-Id.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;
let port: number;
const CAP = 6;

beforeAll(async () => {
  h = await createHarness({
    modules: [],
    env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_MAX_CONNECTIONS_PER_IP: String(CAP), RATE_LIMIT_ENABLED: 'false' },
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
});
afterAll(() => h.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
  closedAfterMs: number;
}

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads what the server answers until it closes the connection (or `waitMs` passes). */
function answerOf(socket: net.Socket, waitMs = 8000): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let data = '';
    const timer = setTimeout(() => reject(new Error(`no answer within ${waitMs} ms: ${JSON.stringify(data)}`)), waitMs);
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // left as text: the assertion below reports it
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: parsed, closedAfterMs: Date.now() - started });
    });
  });
}

async function send(raw: string, waitMs?: number): Promise<RawAnswer> {
  const socket = await connect();
  const answer = answerOf(socket, waitMs);
  socket.write(raw);
  return answer;
}

function expectEnvelope(answer: RawAnswer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ statusCode: status, code, message: expect.any(String), timestamp: expect.any(String) });
  expect(answer.headers['x-trace-id']).toEqual(expect.any(String));
}

describe('HTTP parser errors', () => {
  it('answers bad header bytes with a 400 envelope', async () => {
    expectEnvelope(await send('GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('answers conflicting Content-Length and Transfer-Encoding with a 400 envelope', async () => {
    const raw = 'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    expectEnvelope(await send(raw), 400, 'BAD_REQUEST');
  });

  it('answers an unknown method with a 400 envelope', async () => {
    expectEnvelope(await send('FROBNICATE /health HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('answers oversized headers with a 431 envelope', async () => {
    expectEnvelope(await send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'HEADERS_TOO_LARGE');
  });

  it('answers an Expect it cannot meet with a 417 envelope, and honours 100-continue', async () => {
    expectEnvelope(await send('GET /health HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n'), 417, 'EXPECTATION_FAILED');
    const socket = await connect();
    const answer = answerOf(socket);
    socket.write('GET /nowhere HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    const got = await answer;
    expect(got.status).toBe(100);
  });

  it('answers a method the router does not know with an envelope', async () => {
    const got = await send('PROPFIND /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(got.status).toBeGreaterThanOrEqual(400);
    expect(got.status).toBeLessThan(500);
    expectEnvelope(got, got.status, got.body.code);
  });
});

describe('slow clients', () => {
  it('cuts a client whose headers trickle in', async () => {
    const socket = await connect();
    const answer = answerOf(socket);
    socket.write('GET /health HTTP/1.1\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: a\r\n'), 200);
    const got = await answer.finally(() => clearInterval(drip));
    expectEnvelope(got, 408, 'REQUEST_TIMEOUT');
    expect(got.closedAfterMs).toBeLessThan(5000);
  });

  it('cuts a request whose body is shorter than its Content-Length', async () => {
    const got = await send('POST /health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    expectEnvelope(got, 408, 'REQUEST_TIMEOUT');
    expect(got.closedAfterMs).toBeLessThan(6000);
  });
});

describe('connections per address', () => {
  it('refuses connections over the cap with a 429 envelope and accepts again once one closes', async () => {
    const held: net.Socket[] = [];
    for (let i = 0; i < CAP; i++) held.push(await connect());
    try {
      const refused = await send('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      expectEnvelope(refused, 429, 'RATE_LIMIT_EXCEEDED');
      expect(refused.headers['retry-after']).toBe('1');

      held.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const ok = await send('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(ok.status).toBe(200);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
