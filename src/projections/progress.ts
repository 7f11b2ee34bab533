/**
 * How far each projection has got, for read-your-writes: a command's response waits until every projection that
 * reads the appended event types has passed the command's position. Runners in this process report directly;
 * runners in other processes are heard through NOTIFY (sent inside their checkpoint transaction, so at commit).
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { connectionOptions } from '../infra/db/database.js';

export function progressChannel(schema: string): string {
  return `${schema}_projection_progress`;
}

export interface ProgressTracker {
  report(name: string, position: bigint): void;
  positionOf(name: string): bigint;
  /** Resolves true when every named projection reached `position`, false on timeout. */
  waitFor(position: bigint, names: readonly string[], timeoutMs: number): Promise<boolean>;
  /** Load checkpoints and follow other processes' progress. */
  listen(url: string, schema: string): Promise<void>;
  close(): Promise<void>;
}

export function createProgressTracker(): ProgressTracker {
  const positions = new Map<string, bigint>();
  const changed = new EventEmitter();
  changed.setMaxListeners(0);
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const report = (name: string, position: bigint) => {
    if (position > (positions.get(name) ?? -1n)) {
      positions.set(name, position);
      changed.emit('progress');
    }
  };
  const reached = (position: bigint, names: readonly string[]) =>
    names.every((n) => (positions.get(n) ?? -1n) >= position);

  /**
   * One LISTEN connection. When it is cut (Postgres restarted, backend terminated) or cannot be opened, it is
   * opened again with backoff; each (re)connect reloads the checkpoints, so notifications missed meanwhile are
   * made up for.
   */
  async function connect(url: string, schema: string, backoffMs = 250): Promise<void> {
    const c = new pg.Client({ ...connectionOptions(url, schema), application_name: 'syncode-projection-progress' });
    let lost = false;
    const reconnect = () => {
      if (lost) return; // 'error' and 'end' both fire
      lost = true;
      if (client === c) client = undefined;
      c.end().catch(() => undefined);
      if (closed) return;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        connect(url, schema, Math.min(backoffMs * 2, 5_000)).catch(() => undefined);
      }, backoffMs);
      retryTimer.unref();
    };
    c.on('error', reconnect);
    c.on('end', reconnect);
    c.on('notification', (msg) => {
      const [name, pos] = (msg.payload ?? '').split(':');
      if (name && pos) report(name, BigInt(pos));
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${progressChannel(schema)}"`);
      const rows = await c.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints');
      for (const row of rows.rows) report(row.name, BigInt(row.position));
    } catch (err) {
      reconnect();
      throw err;
    }
    if (closed || lost) return void c.end().catch(() => undefined);
    client = c;
  }

  return {
    report,
    positionOf: (name) => positions.get(name) ?? 0n,
    async waitFor(position, names, timeoutMs) {
      if (reached(position, names)) return true;
      return new Promise<boolean>((resolve) => {
        const onProgress = () => {
          if (!reached(position, names)) return;
          clearTimeout(timer);
          changed.off('progress', onProgress);
          resolve(true);
        };
        const timer = setTimeout(() => {
          changed.off('progress', onProgress);
          resolve(reached(position, names));
        }, timeoutMs);
        changed.on('progress', onProgress);
      });
    },
    listen: connect,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}
