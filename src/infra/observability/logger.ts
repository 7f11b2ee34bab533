import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

/**
 * JSON lines for machines; on an interactive terminal (a developer running `npm start`) the same records are
 * pretty-printed by pino-pretty, synchronously so nothing is lost when the process exits.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination: DestinationStream | undefined = prettyOnTerminal()): Logger {
  const options = {
    level,
    base: { service: 'syncode', ...base },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    timestamp: isoTimeByMillisecond(),
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * pino's ISO timestamp, formatted once per millisecond: a busy API writes several lines in the same millisecond
 * (one per request), and formatting a date was a visible share of a request's CPU (docs/performance.md).
 */
function isoTimeByMillisecond(): () => string {
  let at = -1;
  let field = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      field = `,"time":"${new Date(now).toISOString()}"`;
    }
    return field;
  };
}

/** pino-pretty is loaded only for a terminal: a service writing JSON lines never holds it. */
function prettyOnTerminal(): DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined;
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}
