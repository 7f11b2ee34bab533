/**
 * Stopping role `all` (what `npm start` runs) while a collaborator is connected: the WebSocket is closed with 1012
 * (clients reconnect elsewhere), the document is saved, and the stop does not wait for the deadline.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import * as Y from 'yjs';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/infra/db/database.js';
import { serve, type Running } from '../../src/composition/serve.js';
import { peer, synced, waitFor, type Peer } from '../collab/support.js';
import { freePort } from '../platform/faults-support.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { uniqueName } from '../support/schema.js';

const schema = uniqueName('t');
let running: Running | undefined;
let connected: Peer | undefined;

afterAll(async () => {
  connected?.destroy();
  await running?.stop();
});

async function call(base: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

describe('stopping role all with a collaborator connected', () => {
  it('closes the socket with 1012 and stops well before the deadline', async () => {
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL,
      DB_SCHEMA: schema, REDIS_PREFIX: `test:${schema}`, DB_POOL_SIZE: '6', RATE_LIMIT_ENABLED: 'false', SEED_ON_START: 'false', SCHEDULER_ENABLED: 'false',
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    running = await serve(config, 'all');
    const base = `http://127.0.0.1:${port}`;
    const name = uniqueName('host');
    const signUp = await call(base, 'POST', '/auth/register', undefined, { username: name, email: `${name}@example.test`, password: 'correct horse battery' });
    const token = signUp.body.accessToken as string;
    const room = await call(base, 'POST', '/rooms', token, { mode: 'peer', language: 'python' });
    const detail = await call(base, 'GET', `/rooms/${room.body.roomId}`, token);
    connected = peer(detail.body.collabUrl, room.body.roomId, detail.body.collabToken);
    await synced(connected);
    const codes: number[] = [];
    connected.provider.on('connection-close', (event: { code: number } | null) => {
      if (event) codes.push(event.code);
    });
    connected.doc.getText('code:python').insert(0, 'print("kept")');
    await new Promise((r) => setTimeout(r, 300)); // the frame reaches the server

    const started = Date.now();
    const { ctx } = running;
    const stopping = running.stop();
    expect(ctx.lifecycle.phase).toBe('stopping');
    await stopping;
    expect(Date.now() - started).toBeLessThan(30_000); // before: held open by the WebSocket until killed
    await waitFor(() => codes.length > 0, 'the socket to close');
    expect(codes[0]).toBe(1012);
    connected.destroy();
    connected = undefined;

    // The document was saved on the way out: its stored state holds the last edit.
    running = undefined;
    const database = openDatabase(TEST_DATABASE_URL, schema, 1);
    try {
      const { rows } = await sql<{ state: Buffer }>`SELECT state FROM collab_documents WHERE room_id = ${room.body.roomId}`.execute(database.db);
      const saved = new Y.Doc();
      Y.applyUpdate(saved, new Uint8Array(rows[0]!.state));
      expect(saved.getText('code:python').toString()).toContain('print("kept")');
    } finally {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db).catch(() => undefined);
      await database.close();
    }
  }, 120_000);
});
