/**
 * What protects the HTTP server before fastify sees a request: the timeouts that cut slow clients, the per-IP
 * connection cap, and envelope answers (with an `X-Trace-Id`) for what Node itself rejects — HTTP parser errors,
 * oversized headers, timeouts and unsupported `Expect` headers. See docs/conventions.md, "Input rules".
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { statusEnvelope, type ErrorEnvelope } from './errors.js';

/** Timeouts of the HTTP server (fastify options plus the Node server options fastify passes through). */
export function serverTimeouts(config: Config) {
  const http: ServerOptions = {
    headersTimeout: Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS),
    // Node checks the header and request deadlines on this interval (30 s by default): check often enough that
    // the deadlines hold within a second or two.
    connectionsCheckingInterval: Math.max(250, Math.min(2000, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 2))),
  };
  return {
    http,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.HTTP_IDLE_TIMEOUT_MS,
  };
}

/** A complete raw HTTP/1.1 response carrying the envelope, for sockets fastify never got to answer. */
export function rawEnvelopeResponse(body: ErrorEnvelope, extraHeaders: Record<string, string> = {}): string {
  const json = JSON.stringify(body);
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    'X-Trace-Id': randomUUID(),
    Connection: 'close',
    ...extraHeaders,
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${body.statusCode} ${statusText(body.statusCode)}\r\n${lines.join('\r\n')}\r\n\r\n${json}`;
}

function statusText(status: number): string {
  return { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 417: 'Expectation Failed', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large' }[status] ?? 'Error';
}

const PARSER_ERRORS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large'],
  HPE_INVALID_METHOD: [400, 'Unknown HTTP method'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'Content-Length and Transfer-Encoding conflict'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'Invalid Transfer-Encoding'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'Invalid Content-Length'],
  HPE_INVALID_HEADER_TOKEN: [400, 'Invalid character in a header'],
  HPE_LF_EXPECTED: [400, 'Malformed HTTP request'],
};

/** The envelope for a Node HTTP parser error (`clientError`). */
export function parserErrorEnvelope(code: string | undefined): ErrorEnvelope {
  const known = code ? PARSER_ERRORS[code] : undefined;
  if (known) return statusEnvelope(known[0], known[1]);
  return statusEnvelope(400, 'Malformed HTTP request');
}

/** fastify's `clientErrorHandler`: answer the envelope on the raw socket, then close it. */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.debug({ code: err.code }, 'client error');
  // A response already in flight on this socket cannot be followed by another one.
  if (socket.writable && !(socket as Socket & { _httpMessage?: ServerResponse })._httpMessage?.headersSent) {
    socket.end(rawEnvelopeResponse(parserErrorEnvelope(err.code)));
  }
  socket.destroySoon();
}

/** `Expect` other than 100-continue: 417 with the envelope (Node would answer an empty 417). */
function answerExpectation(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify(statusEnvelope(417, `Expectation not supported: ${String(req.headers.expect).slice(0, 100)}`));
  res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Trace-Id': randomUUID(), Connection: 'close' });
  res.end(body);
}

/**
 * Caps the open connections (HTTP keep-alive and WebSocket alike) of each peer address; one over the cap is
 * answered 429 and closed. The address is the socket's peer: behind a reverse proxy every client shares the
 * proxy's address, so raise the cap or set it to 0 (off) there.
 */
function capConnectionsPerIp(server: Server, cap: number, logger: FastifyBaseLogger): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress;
    if (!ip) return;
    const count = (open.get(ip) ?? 0) + 1;
    if (count > cap) {
      logger.warn({ ip, cap }, 'connection refused: too many open connections from one address');
      socket.on('error', () => undefined);
      socket.end(rawEnvelopeResponse(statusEnvelope(429, 'Too many open connections from this address'), { 'Retry-After': '1' }));
      socket.destroySoon();
      return;
    }
    open.set(ip, count);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
}

export function guardServer(server: Server, config: Config, logger: FastifyBaseLogger): void {
  server.on('checkExpectation', answerExpectation);
  if (config.HTTP_MAX_CONNECTIONS_PER_IP > 0) capConnectionsPerIp(server, config.HTTP_MAX_CONNECTIONS_PER_IP, logger);
}
