/**
 * A lone append (one event, an exact expected revision or no_stream) takes its own path to Postgres
 * (src/infra/eventstore/postgres/lone-append.ts). These tests hold a competing writer's transaction open on the
 * stream or on the global position and check that the lone append waits for it and then judges the stream as that
 * writer left it: a tombstone refuses it, a soft delete is cleared by it, an append in flight makes its expected
 * revision wrong, and its position never commits before an earlier one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { connectionOptions } from '../../src/infra/db/database.js';
import { StreamDeletedError, WrongExpectedVersionError } from '../../src/infra/eventstore/port.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/infra/eventstore/postgres/store.js';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { collect, failureOf, newEvent, tail, uniquePrefix } from './contract.js';

let db: TestSchema;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestSchema();
  store = createPostgresEventStore({ pool: db.pool, schema: db.schema });
});

afterAll(async () => {
  await store.close();
  await db.drop();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `hold` in a transaction of another connection, kept open until the returned `commit` is called. */
async function openTransaction(hold: (client: pg.Client) => Promise<unknown>): Promise<{ commit(): Promise<void> }> {
  const client = new pg.Client(connectionOptions(db.url, db.schema));
  await client.connect();
  await client.query('BEGIN');
  await hold(client);
  return {
    async commit() {
      try {
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    },
  };
}

/** Checks that `work` is still waiting after 200 ms; `outcome` is the work (wrapped, so awaiting this does not wait for it). */
async function stillWaiting<T>(work: Promise<T>): Promise<{ outcome: Promise<T> }> {
  let settled = false;
  const outcome = work.finally(() => {
    settled = true;
  });
  outcome.catch(() => undefined);
  await sleep(200);
  expect(settled).toBe(false);
  return { outcome };
}

async function streamWithOneEvent(): Promise<string> {
  const stream = `${uniquePrefix()}-1`;
  await store.appendToStream(stream, [newEvent('First')], { expectedRevision: 'no_stream' });
  return stream;
}

describe('lone append against a writer in flight', () => {
  it('waits for a tombstone of its stream and is then refused, writing nothing', async () => {
    const stream = await streamWithOneEvent();
    const tombstone = await openTransaction((c) => c.query('SELECT es_delete_stream($1, $2, true)', [stream, '0']));
    const { outcome: appending } = await stillWaiting(store.appendToStream(stream, [newEvent('Late')], { expectedRevision: 0n }));
    await tombstone.commit();
    expect(await failureOf(appending)).toBeInstanceOf(StreamDeletedError);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM es_events WHERE stream_name = $1', [stream]);
    expect(rows[0].n).toBe(1);
  });

  it('waits for a soft delete of its stream and then continues it, the delete cleared', async () => {
    const stream = await streamWithOneEvent();
    const softDelete = await openTransaction((c) => c.query('SELECT es_delete_stream($1, $2, false)', [stream, '0']));
    const { outcome: appending } = await stillWaiting(store.appendToStream(stream, [newEvent('After')], { expectedRevision: 0n }));
    await softDelete.commit();
    expect((await appending).nextExpectedRevision).toBe(1n);
    expect((await collect(store.readStream(stream))).map((e) => e.type)).toEqual(['After']);
    // Still soft-deleted, the stream would refuse this with StreamDeletedError.
    expect((await store.appendToStream(stream, [newEvent('Next')], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(2n);
  });

  it('waits for an append to its stream and then reports the revision that append left', async () => {
    const stream = await streamWithOneEvent();
    const other = await openTransaction((c) =>
      c.query('SELECT * FROM es_append_to_stream($1, $2, $3::jsonb)', [stream, '0', JSON.stringify([newEvent('Other')])]),
    );
    const { outcome: appending } = await stillWaiting(store.appendToStream(stream, [newEvent('Mine')], { expectedRevision: 0n }));
    await other.commit();
    const failure = await failureOf(appending);
    expect(failure).toBeInstanceOf(WrongExpectedVersionError);
    expect((failure as WrongExpectedVersionError).actual).toBe(1n);
    expect((await collect(store.readStream(stream))).map((e) => e.type)).toEqual(['First', 'Other']);
  });

  it('commits after an earlier position held open elsewhere, so a subscriber misses nothing', async () => {
    const prefix = uniquePrefix();
    const sub = tail(store, { fromPosition: (await store.headPosition()) ?? 'start', filter: { on: 'streamName', prefixes: [prefix] } });
    try {
      await sub.untilCaughtUp();
      const slow = await openTransaction((c) =>
        c.query('SELECT * FROM es_append_to_stream($1, $2, $3::jsonb)', [`${prefix}-slow`, 'no_stream', JSON.stringify([newEvent('Slow')])]),
      );
      const { outcome: fast } = await stillWaiting(
        store.appendToStream(`${prefix}-fast`, [newEvent('Fast')], { expectedRevision: 'no_stream' }),
      );
      await expect(sub.nextEvent(100)).rejects.toThrow('no subscription message');
      await slow.commit();
      const fastResult = await fast;
      const [first, second] = [await sub.nextEvent(), await sub.nextEvent()];
      expect([first.type, second.type]).toEqual(['Slow', 'Fast']);
      expect(first.position.commit < second.position.commit).toBe(true);
      expect(second.position).toEqual(fastResult.position);
    } finally {
      await sub.close();
    }
  });

  it('gives a retry of a committed lone append its original result', async () => {
    const stream = `${uniquePrefix()}-1`;
    const event = newEvent('Once');
    const first = await store.appendToStream(stream, [event], { expectedRevision: 'no_stream' });
    const retry = await store.appendToStream(stream, [{ ...event }], { expectedRevision: 'no_stream' });
    expect(retry).toEqual(first);
    expect(await collect(store.readStream(stream))).toHaveLength(1);
  });
});
