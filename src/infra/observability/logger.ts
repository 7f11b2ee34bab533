import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * JSON lines for machines; on an interactive terminal (a developer running `npm start`) the same records are
 * pretty-printed by pino-pretty, synchronously so nothing is lost when the process exits.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination: DestinationStream | undefined = prettyOnTerminal()): Logger {
  const options = {
    level,
    base: { service: 'syncode', ...base },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

function prettyOnTerminal(): DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined;
  return pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}
