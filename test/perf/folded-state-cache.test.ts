/**
 * Command handlers keep the folded state of each stream and read only the newer events. These cases check that the
 * cached fold never lets a decision rest on an outdated state: two handler contexts (two pools and two stores, as
 * two processes would have) write the same streams concurrently, each with its own cache.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/database.js';
import { handleCommand, readAggregate } from '../../src/commands/handle-command.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import { DomainError, type ErrorKey } from '../../src/domain/shared/errors.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/infra/eventstore/postgres/store.js';
import { createTestSchema, type TestSchema } from '../support/schema.js';

type CounterEvent =
  | { type: 'CounterIncremented'; data: { from: number; to: number; by: string } }
  | { type: 'CounterClosed'; data: { at: number } };
type CounterCommand = { type: 'increment'; by: string; limit?: number } | { type: 'close' };
interface CounterState {
  value: number;
  closed: boolean;
}

/** A counter that refuses to go past `limit` or to move once closed: rules that depend on the latest state. */
const counter: Decider<CounterCommand, CounterState, CounterEvent> = {
  initialState: () => ({ value: 0, closed: false }),
  evolve: (state, event) =>
    event.type === 'CounterIncremented' ? { ...state, value: event.data.to } : { ...state, closed: true },
  decide: (command, state) => {
    if (state.closed) throw new DomainError('COUNTER_CLOSED' as ErrorKey, 'closed');
    if (command.type === 'close') return [{ type: 'CounterClosed', data: { at: state.value } }];
    if (command.limit !== undefined && state.value >= command.limit) throw new DomainError('COUNTER_FULL' as ErrorKey, 'full');
    return [{ type: 'CounterIncremented', data: { from: state.value, to: state.value + 1, by: command.by } }];
  },
};

let db: TestSchema;
let other: DatabaseHandle;
let storeA: PostgresEventStore;
let storeB: PostgresEventStore;

beforeAll(async () => {
  db = await createTestSchema();
  other = openDatabase(db.url, db.schema, 5); // the second "process": its own pool, store and cache
  storeA = createPostgresEventStore({ pool: db.pool, schema: db.schema });
  storeB = createPostgresEventStore({ pool: other.pool, schema: db.schema });
});

afterAll(async () => {
  await storeA.close();
  await storeB.close();
  await other.close();
  await db.drop();
});

const meta = () => systemMetadata(randomUUID());
const increment = (store: PostgresEventStore, stream: string, by: string, limit?: number) =>
  handleCommand(store, stream, counter, { type: 'increment', by, ...(limit === undefined ? {} : { limit }) }, meta());

async function storedEvents(stream: string): Promise<Array<{ revision: bigint; type: string; data: Record<string, unknown> }>> {
  const out = [];
  for await (const e of storeA.readStream(stream)) out.push({ revision: e.revision, type: e.type, data: e.data });
  return out;
}

describe('cached folds across two handler contexts', () => {
  it('loses no increment and repeats none when both contexts write one stream at once', async () => {
    const stream = `counter-${randomUUID()}`;
    await increment(storeA, stream, 'A'); // both caches warm before the race
    await increment(storeB, stream, 'B');
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => increment(i % 2 === 0 ? storeA : storeB, stream, i % 2 === 0 ? 'A' : 'B')),
    );
    const events = await storedEvents(stream);
    expect(events).toHaveLength(32);
    // Every event continues exactly from the value before it: no decision was made on an outdated fold.
    events.forEach((e, i) => expect(e.data).toMatchObject({ from: i, to: i + 1 }));
    expect(new Set(results.map((r) => r.state.value)).size).toBe(30);
    expect(new Set(events.map((e) => e.data.by))).toEqual(new Set(['A', 'B']));
    expect((await readAggregate(storeA, stream, counter)).state.value).toBe(32);
    expect((await readAggregate(storeB, stream, counter)).state.value).toBe(32);
  });

  it('enforces a limit exactly under concurrent writers whose caches lag behind each other', async () => {
    const stream = `counter-${randomUUID()}`;
    await increment(storeA, stream, 'A', 10);
    await increment(storeB, stream, 'B', 10);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => increment(i % 2 === 0 ? storeA : storeB, stream, String(i), 10)),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(16);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'COUNTER_FULL' });
    expect(await storedEvents(stream)).toHaveLength(10);
  });

  it('sees what the other context appended since its own last read', async () => {
    const stream = `counter-${randomUUID()}`;
    for (let i = 0; i < 5; i++) await increment(storeA, stream, 'A');
    expect((await readAggregate(storeA, stream, counter)).state).toEqual({ value: 5, closed: false });
    await handleCommand(storeB, stream, counter, { type: 'close' }, meta());
    const seen = await readAggregate(storeA, stream, counter);
    expect(seen).toMatchObject({ state: { value: 5, closed: true }, revision: 5n, exists: true });
    await expect(increment(storeA, stream, 'A')).rejects.toMatchObject({ code: 'COUNTER_CLOSED' });
    expect(await storedEvents(stream)).toHaveLength(6);
  });

  it('folds from the start again when the stream was deleted behind the cache', async () => {
    const stream = `counter-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await increment(storeA, stream, 'A');
    await storeB.deleteStream(stream);
    expect(await readAggregate(storeA, stream, counter)).toMatchObject({ state: { value: 0, closed: false }, exists: false });
  });

  it('keeps the folds of different deciders on one stream apart', async () => {
    const stream = `counter-${randomUUID()}`;
    for (let i = 0; i < 4; i++) await increment(storeA, stream, 'A');
    const countEvents = { initialState: () => 0, evolve: (n: number) => n + 1 };
    expect((await readAggregate(storeA, stream, countEvents)).state).toBe(4);
    await increment(storeA, stream, 'A');
    expect((await readAggregate(storeA, stream, countEvents)).state).toBe(5);
    expect((await readAggregate(storeA, stream, counter)).state.value).toBe(5);
  });
});
