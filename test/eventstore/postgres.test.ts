/**
 * The contract suite on PostgreSQL, plus what only Postgres has: the gap problem with transactions held open
 * through the SQL function, NOTIFY wake-ups across store instances, the polling fallback, group commit, failure
 * isolation inside a batch, and clean shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { connectionOptions } from '../../src/infra/db/database.js';
import { EventStoreUnavailableError, StreamDeletedError, StreamNotFoundError, WrongExpectedVersionError, type Position } from '../../src/infra/eventstore/port.js';
import { listenerConfig } from '../../src/infra/eventstore/postgres/notifier.js';
import { createPostgresEventStore, type PostgresEventStore, type PostgresEventStoreOptions } from '../../src/infra/eventstore/postgres/store.js';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { collect, consumeWithRestarts, eventStoreContract, events, failureOf, newEvent, tail, uniquePrefix } from './contract.js';

let db: TestSchema;
const stores: PostgresEventStore[] = [];

beforeAll(async () => {
  db = await createTestSchema();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await db.drop();
});

function openStore(options: Partial<PostgresEventStoreOptions> = {}): PostgresEventStore {
  const store = createPostgresEventStore({ pool: db.pool, schema: db.schema, ...options });
  stores.push(store);
  return store;
}

eventStoreContract('postgres', async () => createPostgresEventStore({ pool: db.pool, schema: db.schema }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function rawClient(): Promise<pg.Client> {
  const client = new pg.Client(connectionOptions(db.url, db.schema));
  await client.connect();
  return client;
}

/** A store whose LISTEN connection is recognisable in pg_stat_activity. */
function storeWithNamedListener(name: string, options: Partial<PostgresEventStoreOptions> = {}): PostgresEventStore {
  return openStore({ ...options, listen: { ...listenerConfig(db.pool, db.schema), application_name: name } });
}

async function listenerPids(name: string): Promise<number[]> {
  const { rows } = await db.pool.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'LISTEN%'",
    [name],
  );
  return rows.map((r) => r.pid);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

/** A subscriber of a store listening under `name`, caught up and with its LISTEN connection established. */
async function listeningSubscriber(name: string) {
  const listening = storeWithNamedListener(name, { pollIntervalMs: 60_000 });
  const prefix = uniquePrefix();
  const sub = tail(listening, { fromPosition: 'end', filter: { on: 'streamName', prefixes: [prefix] } });
  await sub.untilCaughtUp();
  await waitFor(async () => (await listenerPids(name)).length === 1);
  return { prefix, sub };
}

const rawAppend = (client: pg.Client, stream: string, expected: string, payload: unknown) =>
  client.query('SELECT * FROM es_append_to_stream($1, $2, $3::jsonb)', [stream, expected, JSON.stringify(payload)]);

describe('postgres event store', () => {
  let store: PostgresEventStore;

  beforeAll(() => {
    store = openStore();
  });

  describe('global order (the gap problem)', () => {
    it('never lets a later position commit before an earlier one, so the subscriber misses nothing', async () => {
      const prefix = uniquePrefix();
      const sub = tail(store, { fromPosition: (await store.headPosition()) ?? 'start', filter: { on: 'streamName', prefixes: [prefix] } });
      const slow = await rawClient();
      try {
        await sub.untilCaughtUp();
        await slow.query('BEGIN');
        await rawAppend(slow, `${prefix}-slow`, 'no_stream', [newEvent('Slow')]);
        let fastDone = false;
        const fast = store.appendToStream(`${prefix}-fast`, [newEvent('Fast')]).then((r) => {
          fastDone = true;
          return r;
        });
        // The open transaction holds the global position lock: the second append waits, nothing is visible.
        await expect(sub.nextEvent(300)).rejects.toThrow('no subscription message');
        expect(fastDone).toBe(false);
        await slow.query('COMMIT');
        const fastResult = await fast;
        const first = await sub.nextEvent();
        const second = await sub.nextEvent();
        expect([first.type, second.type]).toEqual(['Slow', 'Fast']);
        expect(first.position.commit < second.position.commit).toBe(true);
        expect(second.position).toEqual(fastResult.position);
      } finally {
        await slow.end();
        await sub.close();
      }
    });

    it('makes a soft delete wait for an append to the same stream still in flight, and hide it', async () => {
      const stream = `${uniquePrefix()}-1`;
      await store.appendToStream(stream, [newEvent('First')], { expectedRevision: 'no_stream' });
      const slow = await rawClient();
      try {
        await slow.query('BEGIN');
        await rawAppend(slow, stream, '0', [newEvent('InFlight')]);
        let deleted = false;
        const deleting = store.deleteStream(stream, { expectedRevision: 1n }).then(() => {
          deleted = true;
        });
        await sleep(200);
        expect(deleted).toBe(false);
        await slow.query('COMMIT');
        await deleting;
        expect(await failureOf(collect(store.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
        expect((await store.appendToStream(stream, [newEvent('After')], { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
        expect((await collect(store.readStream(stream))).map((e) => e.type)).toEqual(['After']);
      } finally {
        await slow.end();
      }
    });

    it('delivers every event exactly once across restarts while SQL transactions hold positions open or roll back', async () => {
      const prefix = uniquePrefix();
      const start = (await store.headPosition()) ?? 'start';
      let committedRaw = 0;
      const rawWriters = Array.from({ length: 3 }, async (_, w) => {
        const client = await rawClient();
        try {
          for (let i = 0; i < 15; i++) {
            await client.query('BEGIN');
            await rawAppend(client, `${prefix}-raw${w}`, 'any', [newEvent('Raw', { w, i })]);
            await sleep(Math.random() * 15);
            if (i % 5 === 4) {
              await client.query('ROLLBACK'); // leaves a permanent gap in the positions
            } else {
              await client.query('COMMIT');
              committedRaw += 1;
            }
          }
        } finally {
          await client.end();
        }
      });
      const storeWriters = Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await store.appendToStream(`${prefix}-s${w}`, events(1 + (i % 2)));
      });
      const expectedTotal = 3 * 12 + 6 * 30;
      const consuming = consumeWithRestarts(store, prefix, start, expectedTotal);
      await Promise.all([...rawWriters, ...storeWriters]);
      expect(committedRaw).toBe(36);
      const delivered = await consuming;
      expect(delivered).toHaveLength(expectedTotal);
      expect(new Set(delivered.map((e) => e.id)).size).toBe(expectedTotal);
      for (let i = 1; i < delivered.length; i++) {
        expect(delivered[i]!.position.commit > delivered[i - 1]!.position.commit).toBe(true);
      }
      const all = await collect(store.readAll({ fromPosition: start === 'start' ? 'start' : start, filter: { on: 'streamName', prefixes: [prefix] } }));
      expect(all.map((e) => e.id)).toEqual(delivered.map((e) => e.id));
    });
  });

  describe('wake-ups', () => {
    it('wakes a subscriber of another store instance through NOTIFY within 400 ms', async () => {
      const name = `es-test-notify-${db.schema}`;
      const { prefix, sub } = await listeningSubscriber(name);
      try {
        for (let i = 0; i < 3; i++) {
          const started = Date.now();
          await store.appendToStream(`${prefix}-1`, [newEvent('N', { i })]);
          expect((await sub.nextEvent(400)).data.i).toBe(i);
          expect(Date.now() - started).toBeLessThan(400);
        }
      } finally {
        await sub.close();
      }
    });

    it('announces a burst of commits to another store instance, its last commit included', async () => {
      const name = `es-test-burst-${db.schema}`;
      const { prefix, sub } = await listeningSubscriber(name);
      try {
        // The first commit is announced at once, the others together when the interval is over.
        const writer = openStore({ listen: false, announceIntervalMs: 200 });
        for (let i = 0; i < 5; i++) await writer.appendToStream(`${prefix}-1`, [newEvent('Burst', { i })]);
        for (let i = 0; i < 5; i++) expect((await sub.nextEvent(1000)).data.i).toBe(i);
      } finally {
        await sub.close();
      }
    });

    it('re-listens after the LISTEN connection is killed and misses nothing meanwhile', async () => {
      const name = `es-test-relisten-${db.schema}`;
      const { prefix, sub } = await listeningSubscriber(name);
      try {
        const [pid] = await listenerPids(name);
        await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        // Committed while nobody listens: the reconnect wakes the subscription, which then finds it.
        await store.appendToStream(`${prefix}-1`, [newEvent('WhileDown')]);
        expect((await sub.nextEvent(3000)).type).toBe('WhileDown');
        await waitFor(async () => {
          const pids = await listenerPids(name);
          return pids.length === 1 && pids[0] !== pid;
        });
        const started = Date.now();
        await store.appendToStream(`${prefix}-1`, [newEvent('AfterReconnect')]);
        expect((await sub.nextEvent(400)).type).toBe('AfterReconnect');
        expect(Date.now() - started).toBeLessThan(400);
        expect(await listenerPids(name)).toHaveLength(1);
      } finally {
        await sub.close();
      }
    });

    it('falls back to polling when NOTIFY is off', async () => {
      const polling = openStore({ listen: false, pollIntervalMs: 100 });
      const prefix = uniquePrefix();
      const sub = tail(polling, { fromPosition: 'end', filter: { on: 'streamName', prefixes: [prefix] } });
      try {
        await sub.untilCaughtUp();
        await store.appendToStream(`${prefix}-1`, [newEvent('Polled')]);
        expect((await sub.nextEvent(1000)).type).toBe('Polled');
      } finally {
        await sub.close();
      }
    });
  });

  describe('group commit', () => {
    it('shares commits between concurrent appends', async () => {
      const grouped = openStore();
      const prefix = uniquePrefix();
      const results = await Promise.all(Array.from({ length: 64 }, (_, i) => grouped.appendToStream(`${prefix}-${i}`, events(1))));
      const stats = grouped.writerStats();
      expect(stats.appends).toBe(64);
      expect(stats.batches).toBeLessThan(64);
      expect(stats.largestBatch).toBeGreaterThan(1);
      expect(new Set(results.map((r) => r.position.commit)).size).toBe(64);
    });

    it('keeps arrival order for several appends to one stream in the same batch', async () => {
      const stream = `${uniquePrefix()}-1`;
      const written = Array.from({ length: 10 }, (_, i) => newEvent('Ordered', { i }));
      const results = await Promise.all(written.map((e) => store.appendToStream(stream, [e])));
      expect(results.map((r) => r.nextExpectedRevision)).toEqual(written.map((_, i) => BigInt(i)));
      expect((await collect(store.readStream(stream))).map((e) => e.data.i)).toEqual(written.map((_, i) => i));
    });

    it('gives a retry racing its original the original result', async () => {
      const stream = `${uniquePrefix()}-1`;
      const batch = events(2);
      // An append in flight makes the next three queue up for the same batch.
      const inFlight = store.appendToStream(`${stream}-other`, events(1));
      const [, a, b, c] = await Promise.all([
        inFlight,
        store.appendToStream(stream, batch, { expectedRevision: 'no_stream' }),
        store.appendToStream(stream, batch, { expectedRevision: 'no_stream' }),
        store.appendToStream(stream, events(1), { expectedRevision: 1n }),
      ]);
      expect(b).toEqual(a);
      expect(c.nextExpectedRevision).toBe(2n);
      expect(await collect(store.readStream(stream))).toHaveLength(3);
    });

    it('fails a bad append alone and commits the rest of its batch', async () => {
      const prefix = uniquePrefix();
      await store.appendToStream(`${prefix}-gone`, events(1));
      await store.tombstoneStream(`${prefix}-gone`);
      const twice = newEvent('Twice');
      // An append in flight makes the rest queue up for one batch.
      void store.appendToStream(`${prefix}-first`, events(1));
      const attempts = [
        ...Array.from({ length: 8 }, (_, i) => store.appendToStream(`${prefix}-ok${i}`, events(2))),
        store.appendToStream(`${prefix}-late`, events(1), { expectedRevision: 3n }),
        store.appendToStream(`${prefix}-gone`, events(1)),
        store.appendToStream(`${prefix}-bad`, [{ id: 'not-a-uuid', type: 'X', data: {} }]),
        store.appendToStream(`${prefix}-nul`, [newEvent('X', { text: 'a\u0000b' })]),
        store.appendToStream(`${prefix}-twice`, [twice, { ...twice }]),
      ];
      const results = await Promise.allSettled(attempts);
      expect(results.slice(0, 8).every((r) => r.status === 'fulfilled')).toBe(true);
      const reasons = results.slice(8).map((r) => (r as PromiseRejectedResult).reason);
      expect(reasons[0]).toBeInstanceOf(WrongExpectedVersionError);
      expect(reasons[1]).toBeInstanceOf(StreamDeletedError);
      expect(reasons[2]).toBeInstanceOf(TypeError);
      expect(reasons[3]).toBeInstanceOf(TypeError);
      expect(reasons[4]).toBeInstanceOf(TypeError);
      expect(await failureOf(collect(store.readStream(`${prefix}-late`)))).toBeInstanceOf(StreamNotFoundError);
      expect(store.writerStats().largestBatch).toBeGreaterThan(1);
    });
  });

  describe('SQL functions', () => {
    it('raises ES409 with the actual revision and is idempotent for SQL callers too', async () => {
      const client = await rawClient();
      try {
        const stream = `${uniquePrefix()}-1`;
        const payload = [newEvent('Sql'), newEvent('Sql')];
        const first = await rawAppend(client, stream, 'no_stream', payload);
        expect(first.rows[0]).toEqual({ next_expected_revision: '1', last_position: expect.any(String) });
        expect((await rawAppend(client, stream, 'no_stream', payload)).rows[0]).toEqual(first.rows[0]);
        const err = (await failureOf(rawAppend(client, stream, '7', [newEvent()]))) as { code: string; detail: string };
        expect(err.code).toBe('ES409');
        expect(JSON.parse(err.detail)).toEqual({ stream, expected: '7', actual: 1 });
        const invalid = (await failureOf(rawAppend(client, stream, 'sometimes', [newEvent()]))) as { code: string };
        expect(invalid.code).toBe('22023');
      } finally {
        await client.end();
      }
    });
  });

  describe('reads', () => {
    it('applies maxAge to stream reads', async () => {
      const stream = `${uniquePrefix()}-1`;
      await store.appendToStream(stream, events(2));
      await store.setStreamMetadata(stream, { maxAge: 3600 });
      await db.pool.query("UPDATE es_events SET created_at = now() - interval '2 hours' WHERE stream_name = $1 AND stream_revision = 0", [stream]);
      expect((await collect(store.readStream(stream))).map((e) => e.revision)).toEqual([1n]);
      await db.pool.query("UPDATE es_events SET created_at = now() - interval '2 hours' WHERE stream_name = $1", [stream]);
      expect(await failureOf(collect(store.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
    });

    it('matches filter prefixes literally (no LIKE wildcards)', async () => {
      const base = uniquePrefix();
      const first = await store.appendToStream(`${base}_x%-1`, [newEvent('Literal')]);
      await store.appendToStream(`${base}ax%-1`, [newEvent('Literal')]);
      await store.appendToStream(`${base}_xyz-1`, [newEvent('Literal')]);
      const read = await collect(store.readAll({ fromPosition: first.position, filter: { on: 'streamName', prefixes: [`${base}_x%`] } }));
      expect(read.map((e) => e.streamName)).toEqual([`${base}_x%-1`]);
    });
  });

  describe('lifecycle', () => {
    it('close() ends subscriptions and the listener, and refuses later appends', async () => {
      const name = `es-test-close-${db.schema}`;
      const closing = storeWithNamedListener(name);
      const finished = (async () => {
        let messages = 0;
        for await (const _message of closing.subscribeToAll({ fromPosition: 'end' })) messages += 1;
        return messages;
      })();
      await waitFor(async () => (await listenerPids(name)).length === 1);
      await closing.close();
      await expect(finished).resolves.toBeGreaterThanOrEqual(1);
      await waitFor(async () => (await listenerPids(name)).length === 0);
      expect(await failureOf(closing.appendToStream(`${uniquePrefix()}-1`, events(1)))).toBeInstanceOf(EventStoreUnavailableError);
    });

    it('reports an unreachable database as EventStoreUnavailableError', async () => {
      const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
      const down = createPostgresEventStore({ pool, schema: 'none', listen: false });
      try {
        expect(await failureOf(down.appendToStream('s-1', events(1)))).toBeInstanceOf(EventStoreUnavailableError);
        expect(await failureOf(down.ping())).toBeInstanceOf(EventStoreUnavailableError);
        expect(await failureOf(collect(down.readStream('s-1')))).toBeInstanceOf(EventStoreUnavailableError);
        const position: Position | undefined = await down.headPosition().catch(() => undefined);
        expect(position).toBeUndefined();
      } finally {
        await down.close();
        await pool.end();
      }
    });
  });
});
