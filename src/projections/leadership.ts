/**
 * Who runs which projection. A runner works only while it holds a session advisory lock keyed by schema + name, so
 * across every process exactly one runner per projection is active and the others stand by.
 *
 * All runners of a process share one dedicated connection for their locks (a pool client per runner would pin a
 * dozen pool slots forever). If that connection drops, every lock on it is gone: `isHeld` turns false at once and
 * the runners go back to standby until a new connection wins the locks again.
 */
import pg from 'pg';
import { connectionOptions } from '../infra/db/database.js';

export interface Leadership {
  tryAcquire(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  isHeld(key: string): boolean;
  close(): Promise<void>;
}

export function createLeadership(url: string, schema: string): Leadership {
  const held = new Set<string>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  // One connection, many runners: queries on it go one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const drop = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    held.clear();
  };

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    connecting ??= (async () => {
      const c = new pg.Client({ ...connectionOptions(url, schema), application_name: 'syncode-projection-leadership' });
      c.on('error', () => drop(c));
      c.on('end', () => drop(c));
      await c.connect();
      client = c;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    async tryAcquire(key) {
      if (closed) return false;
      if (held.has(key)) return true;
      return serial(async () => {
        if (held.has(key)) return true;
        const c = await connection();
        const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
        if (rows[0]?.ok && client === c) held.add(key);
        return held.has(key);
      });
    },
    async release(key) {
      if (!held.delete(key)) return;
      await serial(async () => {
        await client?.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
      }).catch(() => undefined);
    },
    isHeld: (key) => held.has(key),
    async close() {
      closed = true;
      held.clear();
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
