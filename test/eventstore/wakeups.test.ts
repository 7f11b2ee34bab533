/**
 * Filtered subscriptions are woken only by commits that concern them: a store's own commits tell its
 * subscriptions what they wrote, so a projection reading other event types neither reads the log nor writes a
 * checkpoint for them. Commits of other processes arrive as NOTIFY naming the event types written, and wake only
 * the subscriptions those concern too; a notification that names none (a reconnect) wakes everyone. The poll
 * interval is set far beyond the test's waits, so every delivery below comes from a wake-up.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { SubscriptionMessage } from '../../src/infra/eventstore/port.js';
import { createPostgresEventStore, type PostgresEventStore } from '../../src/infra/eventstore/postgres/store.js';
import { announcement, parseAnnouncement } from '../../src/infra/eventstore/postgres/notifier.js';
import { createTestSchema, type TestSchema } from '../support/schema.js';

let db: TestSchema;
const stores: PostgresEventStore[] = [];
const NO_POLL = { pollIntervalMs: 120_000 };

beforeAll(async () => {
  db = await createTestSchema();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await db.drop();
});

function openStore(): PostgresEventStore {
  const store = createPostgresEventStore({ pool: db.pool, schema: db.schema, ...NO_POLL });
  stores.push(store);
  return store;
}

const append = (store: PostgresEventStore, type: string) =>
  store.appendToStream(`wake-${randomUUID()}`, [{ id: randomUUID(), type, data: { at: Date.now() } }], { expectedRevision: 'no_stream' });

/** Subscribes from the current head and records every message with the time it arrived. */
async function watch(store: PostgresEventStore, prefixes: string[]) {
  const abort = new AbortController();
  const seen: Array<{ message: SubscriptionMessage; at: number }> = [];
  const head = await store.headPosition();
  let caughtUp!: () => void;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  const done = (async () => {
    for await (const message of store.subscribeToAll({ fromPosition: head ?? 'start', filter: { on: 'eventType', prefixes }, signal: abort.signal })) {
      if (message.kind === 'caughtUp') caughtUp();
      else seen.push({ message, at: Date.now() });
    }
  })();
  await ready;
  return {
    seen,
    types: () => seen.flatMap((s) => (s.message.kind === 'event' ? [s.message.event.type] : [])),
    async stop() {
      abort.abort();
      await done;
    },
  };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('wake-ups by content', () => {
  it('leaves a filtered subscription asleep through commits of other types, and wakes it for its own', async () => {
    const store = openStore();
    const w = await watch(store, ['Alpha']);
    // The LISTEN connection wakes everyone once when it connects (notifications before it are unknown).
    await new Promise((r) => setTimeout(r, 300));
    w.seen.length = 0;
    for (let i = 0; i < 5; i++) await append(store, 'Beta');
    await new Promise((r) => setTimeout(r, 300));
    expect(w.seen).toEqual([]); // no read, no checkpoint for commits it does not read
    const sent = Date.now();
    const alpha = await append(store, 'Alpha');
    await until(() => w.types().includes('Alpha'), 2_000);
    expect(w.seen.find((s) => s.message.kind === 'event')!.at - sent).toBeLessThan(1_000);
    const delivered = w.seen.find((s) => s.message.kind === 'event')!.message;
    expect(delivered.kind === 'event' && delivered.event.position.commit).toBe(alpha.position.commit);
    await w.stop();
  });

  it('wakes a subscription for another store\'s commit of its type, even one followed at once by a local commit', async () => {
    const local = openStore();
    const remote = openStore();
    const w = await watch(local, ['Gamma']);
    await append(local, 'Delta'); // starts nothing: not Gamma
    const remoteCommit = append(remote, 'Gamma');
    await remoteCommit;
    await append(local, 'Delta'); // a later local position whose own wake-up does not concern the subscription
    await until(() => w.types().includes('Gamma'), 3_000);
    await w.stop();
  });

  it("leaves a filtered subscription asleep through another store's commits of other types", async () => {
    const local = openStore();
    const remote = openStore();
    const w = await watch(local, ['Theta']);
    await new Promise((r) => setTimeout(r, 300)); // the LISTEN connection's first wake-up (see above)
    w.seen.length = 0;
    for (let i = 0; i < 5; i++) await append(remote, 'Iota');
    await new Promise((r) => setTimeout(r, 300));
    expect(w.seen).toEqual([]);
    await append(remote, 'Theta');
    await until(() => w.types().includes('Theta'), 2_000);
    await w.stop();
  });

  it('reads announcements with and without event types (older processes send the position alone)', () => {
    expect(parseAnnouncement(announcement(42n, new Set(['RoomCreated', 'UserLoggedIn'])))).toEqual({ position: 42n, types: ['RoomCreated', 'UserLoggedIn'] });
    expect(parseAnnouncement('42')).toEqual({ position: 42n, types: undefined });
    expect(announcement(7n, new Set(['Has Space']))).toBe('7');
    expect(announcement(7n, new Set(['T'.repeat(8_000)]))).toBe('7');
    expect(parseAnnouncement('not a position')).toBeNull();
  });

  it('wakes an unfiltered subscription for every commit', async () => {
    const store = openStore();
    const abort = new AbortController();
    const head = await store.headPosition();
    const types: string[] = [];
    const done = (async () => {
      for await (const m of store.subscribeToAll({ fromPosition: head ?? 'start', signal: abort.signal })) if (m.kind === 'event') types.push(m.event.type);
    })();
    await append(store, 'Epsilon');
    await append(store, 'Zeta');
    await until(() => types.includes('Zeta'), 2_000);
    expect(types.filter((t) => t === 'Epsilon' || t === 'Zeta')).toEqual(['Epsilon', 'Zeta']);
    abort.abort();
    await done;
  });
});
