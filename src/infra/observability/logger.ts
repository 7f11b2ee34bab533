import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * JSON lines for machines; on an interactive terminal (a developer running `npm start`) the same records are
 * pretty-printed by pino-pretty, synchronously so nothing is lost when the process exits.
 *
 * JSON lines go to stdout in batches: a write once 4 KiB have gathered or every LOG_FLUSH_MS, instead of one write
 * per line (with a log line per request, the writes cost more than the rest of the logging). pino flushes what is
 * left when the process exits.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination: DestinationStream | undefined = defaultDestination(level)): Logger {
  const options = {
    level,
    base: { service: 'syncode', ...base },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The longest a log line waits in the stdout batch. */
export const LOG_FLUSH_MS = 100;

function defaultDestination(level: string): DestinationStream | undefined {
  if (level === 'silent') return undefined; // writes nothing: pino's own default, no batch to flush
  if (process.stdout.isTTY) return pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  return pino.destination({ dest: process.stdout.fd, sync: false, minLength: 4096, periodicFlush: LOG_FLUSH_MS });
}
