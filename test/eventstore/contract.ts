/**
 * The event store contract: the same tests run against every adapter, so the Postgres store and KurrentDB behave
 * alike. Every test writes to streams under a prefix of its own and reads $all through a filter on that prefix, so
 * the suite can share a database (or a KurrentDB node) with anything else.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  type SubscribeOptions,
  type SubscriptionMessage,
} from '../../src/infra/eventstore/port.js';

export interface ContractOptions {
  skip?: boolean;
}

export const newEvent = (type = 'Tested', data: Record<string, unknown> = {}): EventToAppend => ({ id: randomUUID(), type, data });
export const events = (n: number, type = 'Tested'): EventToAppend[] => Array.from({ length: n }, (_, i) => newEvent(type, { i }));
export const uniquePrefix = (): string => `c${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export async function failureOf(work: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/**
 * Follow a subscription in the background and hand out its messages one at a time, each wait with a deadline.
 * Messages are buffered, so a wait that times out loses nothing.
 */
export function tail(store: EventStore, options: SubscribeOptions) {
  const controller = new AbortController();
  const buffer: SubscriptionMessage[] = [];
  let failure: unknown;
  let ended = false;
  let notify: (() => void) | undefined;
  const pump = (async () => {
    try {
      for await (const message of store.subscribeToAll({ ...options, signal: controller.signal })) {
        buffer.push(message);
        notify?.();
      }
    } catch (err) {
      failure = err;
    } finally {
      ended = true;
      notify?.();
    }
  })();
  return {
    async next(timeoutMs = 5000): Promise<SubscriptionMessage> {
      const deadline = Date.now() + timeoutMs;
      while (buffer.length === 0) {
        if (failure) throw failure;
        if (ended) throw new Error('subscription ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription message within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          notify = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        notify = undefined;
      }
      return buffer.shift()!;
    },
    /** Next event message, skipping checkpoints and caughtUp. */
    async nextEvent(timeoutMs = 5000): Promise<RecordedEvent> {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const message = await this.next(Math.max(1, deadline - Date.now()));
        if (message.kind === 'event') return message.event;
      }
    },
    async untilCaughtUp(timeoutMs = 5000): Promise<RecordedEvent[]> {
      const seen: RecordedEvent[] = [];
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const message = await this.next(Math.max(1, deadline - Date.now()));
        if (message.kind === 'caughtUp') return seen;
        if (message.kind === 'event') seen.push(message.event);
      }
    },
    async close(): Promise<void> {
      controller.abort();
      await pump;
    },
  };
}

/**
 * Consume with restarts: read a few events, stop, resume from the last delivered position, until `expected`
 * events arrived. Returns every delivered event in delivery order.
 */
export async function consumeWithRestarts(
  store: EventStore,
  prefix: string,
  from: AppendResult['position'] | 'start',
  expected: number,
  timeoutMs = 20_000,
): Promise<RecordedEvent[]> {
  const delivered: RecordedEvent[] = [];
  let position = from;
  const deadline = Date.now() + timeoutMs;
  while (delivered.length < expected) {
    if (Date.now() > deadline) throw new Error(`only ${delivered.length} of ${expected} events delivered`);
    const stopAfter = 3 + Math.floor(Math.random() * 12);
    let taken = 0;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(1, deadline - Date.now()));
    try {
      for await (const message of store.subscribeToAll({ fromPosition: position, filter: { on: 'streamName', prefixes: [prefix] }, signal: controller.signal })) {
        if (message.kind === 'checkpoint') position = message.position;
        if (message.kind !== 'event') continue;
        delivered.push(message.event);
        position = message.event.position;
        taken += 1;
        if (taken >= stopAfter || delivered.length >= expected) break;
      }
    } finally {
      clearTimeout(timer);
    }
  }
  return delivered;
}

export function eventStoreContract(name: string, makeStore: () => Promise<EventStore>, options: ContractOptions = {}): void {
  const suite = options.skip ? describe.skip : describe;

  suite(`event store contract: ${name}`, () => {
    let store: EventStore;
    const opened: EventStore[] = [];
    const open = async (): Promise<EventStore> => {
      const s = await makeStore();
      opened.push(s);
      return s;
    };

    beforeAll(async () => {
      store = await open();
    });

    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });

    describe('expected revision', () => {
      it('creates with no_stream and rejects a second creation with the actual revision', async () => {
        const stream = `${uniquePrefix()}-1`;
        const created = await store.appendToStream(stream, events(2), { expectedRevision: 'no_stream' });
        expect(created.nextExpectedRevision).toBe(1n);
        const err = await failureOf(store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' }));
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect((err as WrongExpectedVersionError).actual).toBe(1n);
        expect((err as WrongExpectedVersionError).streamName).toBe(stream);
      });

      it('rejects stream_exists on a new stream, accepts it once the stream has events', async () => {
        const stream = `${uniquePrefix()}-1`;
        const err = await failureOf(store.appendToStream(stream, events(1), { expectedRevision: 'stream_exists' }));
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect((err as WrongExpectedVersionError).actual).toBe('no_stream');
        await store.appendToStream(stream, events(1), { expectedRevision: 'any' });
        const next = await store.appendToStream(stream, events(1), { expectedRevision: 'stream_exists' });
        expect(next.nextExpectedRevision).toBe(1n);
      });

      it('checks an exact revision', async () => {
        const stream = `${uniquePrefix()}-1`;
        await store.appendToStream(stream, events(3));
        const ok = await store.appendToStream(stream, events(2), { expectedRevision: 2n });
        expect(ok.nextExpectedRevision).toBe(4n);
        for (const wrong of [2n, 5n, 0n]) {
          const err = await failureOf(store.appendToStream(stream, events(1), { expectedRevision: wrong }));
          expect(err).toBeInstanceOf(WrongExpectedVersionError);
          expect((err as WrongExpectedVersionError).actual).toBe(4n);
          expect((err as WrongExpectedVersionError).expected).toBe(wrong);
        }
        const missing = await failureOf(store.appendToStream(`${stream}-none`, events(1), { expectedRevision: 0n }));
        expect((missing as WrongExpectedVersionError).actual).toBe('no_stream');
      });

      it('lets exactly one of 20 concurrent writers at the same revision win', async () => {
        const stream = `${uniquePrefix()}-1`;
        await store.appendToStream(stream, events(5), { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.appendToStream(stream, events(1), { expectedRevision: 4n })),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const r of lost) {
          expect(r.reason).toBeInstanceOf(WrongExpectedVersionError);
          expect((r.reason as WrongExpectedVersionError).actual).toBe(5n);
        }
        expect(await collect(store.readStream(stream))).toHaveLength(6);
      });

      it('lets exactly one of 20 concurrent no_stream creators win', async () => {
        const stream = `${uniquePrefix()}-1`;
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.appendToStream(stream, events(2), { expectedRevision: 'no_stream' })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as WrongExpectedVersionError).actual).toBe(1n);
        }
        expect(await collect(store.readStream(stream))).toHaveLength(2);
      });

      it('returns the original result for a retry with the same event ids', async () => {
        const stream = `${uniquePrefix()}-1`;
        const batch = events(3);
        const first = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        const retried = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        expect(retried).toEqual(first);
        const more = events(2);
        const second = await store.appendToStream(stream, more, { expectedRevision: 2n });
        expect(await store.appendToStream(stream, more, { expectedRevision: 2n })).toEqual(second);
        expect(await store.appendToStream(stream, more, { expectedRevision: 'any' })).toEqual(second);
        const read = await collect(store.readStream(stream));
        expect(read.map((e) => e.id)).toEqual([...batch, ...more].map((e) => e.id));
      });
    });

    describe('reads', () => {
      it('throws StreamNotFoundError while iterating a missing stream', async () => {
        const iterable = store.readStream(`${uniquePrefix()}-missing`);
        const err = await failureOf(collect(iterable));
        expect(err).toBeInstanceOf(StreamNotFoundError);
      });

      it('reads forwards from a revision and backwards from the end with maxCount', async () => {
        const stream = `${uniquePrefix()}-1`;
        const written = events(10);
        await store.appendToStream(stream, written);
        const forwards = await collect(store.readStream(stream, { fromRevision: 3n, maxCount: 4 }));
        expect(forwards.map((e) => e.revision)).toEqual([3n, 4n, 5n, 6n]);
        expect(forwards[0]!.id).toBe(written[3]!.id);
        const backwards = await collect(store.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 3 }));
        expect(backwards.map((e) => e.revision)).toEqual([9n, 8n, 7n]);
        expect(backwards[0]).toMatchObject({ streamName: stream, type: 'Tested', data: { i: 9 }, metadata: {} });
        expect(backwards[0]!.createdAt).toBeInstanceOf(Date);
      });

      it('reads $all in order through a stream-name prefix filter, inclusive of fromPosition', async () => {
        const mine = uniquePrefix();
        const other = uniquePrefix();
        const a1 = await store.appendToStream(`${mine}-a`, [newEvent('A', { n: 1 })]);
        await store.appendToStream(`${other}-b`, [newEvent('B', { n: 1 })]);
        await store.appendToStream(`${mine}-c`, [newEvent('A', { n: 2 })]);
        await store.appendToStream(`${other}-b`, [newEvent('B', { n: 2 })]);
        await store.appendToStream(`${mine}-a`, [newEvent('A', { n: 3 })]);
        const read = await collect(store.readAll({ fromPosition: a1.position, filter: { on: 'streamName', prefixes: [`${mine}-`] } }));
        expect(read.map((e) => e.data.n)).toEqual([1, 2, 3]);
        expect(read[0]!.position).toEqual(a1.position);
        const last2 = await collect(
          store.readAll({ direction: 'backwards', maxCount: 2, filter: { on: 'streamName', prefixes: [`${mine}-`] } }),
        );
        expect(last2.map((e) => e.data.n)).toEqual([3, 2]);
        const byType = await collect(store.readAll({ fromPosition: a1.position, filter: { on: 'eventType', prefixes: ['B'] } }));
        expect(byType.filter((e) => e.streamName.startsWith(other)).map((e) => e.data.n)).toEqual([1, 2]);
      });
    });

    describe('subscriptions', () => {
      it('starts after fromPosition, reports caughtUp, then delivers live events within 400 ms', async () => {
        const prefix = uniquePrefix();
        const stream = `${prefix}-1`;
        const first = await store.appendToStream(stream, [newEvent('S', { n: 1 })]);
        await store.appendToStream(stream, [newEvent('S', { n: 2 }), newEvent('S', { n: 3 })]);
        const sub = tail(store, { fromPosition: first.position, filter: { on: 'streamName', prefixes: [prefix] } });
        try {
          const history = await sub.untilCaughtUp();
          expect(history.map((e) => e.data.n)).toEqual([2, 3]);
          const started = Date.now();
          await store.appendToStream(stream, [newEvent('S', { n: 4 })]);
          const live = await sub.nextEvent(400);
          expect(live.data.n).toBe(4);
          expect(Date.now() - started).toBeLessThan(400);
        } finally {
          await sub.close();
        }
      });

      it('moves a quiet filter forward with checkpoints', async () => {
        const quiet = uniquePrefix();
        const head = await store.appendToStream(`${uniquePrefix()}-noise`, [newEvent()]);
        const sub = tail(store, { fromPosition: head.position, filter: { on: 'streamName', prefixes: [quiet] } });
        try {
          await sub.untilCaughtUp();
          const noise = await store.appendToStream(`${uniquePrefix()}-noise`, events(3));
          const deadline = Date.now() + 5000;
          let reached = false;
          while (!reached && Date.now() < deadline) {
            const message = await sub.next(Math.max(1, deadline - Date.now()));
            expect(message.kind).not.toBe('event');
            const at = message.kind === 'event' ? undefined : message.position;
            if (at && at.commit >= noise.position.commit) reached = true;
          }
          expect(reached).toBe(true);
        } finally {
          await sub.close();
        }
      });

      it('resumes from checkpoints under concurrent writers delivering every event exactly once, in order', async () => {
        const prefix = uniquePrefix();
        const start = (await store.headPosition()) ?? 'start';
        const writers = 8;
        const perWriter = 25;
        const writing = Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; ) {
            const n = Math.min(perWriter - i, 1 + (i % 3));
            await store.appendToStream(`${prefix}-w${w}`, events(n));
            i += n;
          }
        });
        const consuming = consumeWithRestarts(store, prefix, start, writers * perWriter);
        await Promise.all(writing);
        const delivered = await consuming;
        expect(delivered).toHaveLength(writers * perWriter);
        expect(new Set(delivered.map((e) => e.id)).size).toBe(writers * perWriter);
        for (let i = 1; i < delivered.length; i++) {
          expect(delivered[i]!.position.commit > delivered[i - 1]!.position.commit).toBe(true);
        }
      });

      it('stops cleanly when aborted', async () => {
        const controller = new AbortController();
        const sub = store.subscribeToAll({ fromPosition: 'end', signal: controller.signal });
        const consumed = (async () => {
          let count = 0;
          for await (const message of sub) if (message.kind === 'event') count += 1;
          return count;
        })();
        setTimeout(() => controller.abort(), 50);
        await expect(consumed).resolves.toBeGreaterThanOrEqual(0);
      });
    });

    describe('metadata and deletion', () => {
      it('hides events below truncateBefore and beyond maxCount on stream reads', async () => {
        const stream = `${uniquePrefix()}-1`;
        await store.appendToStream(stream, events(6));
        expect(await store.getStreamMetadata(stream)).toEqual({ metadata: {}, metastreamRevision: 'no_stream' });
        await store.setStreamMetadata(stream, { truncateBefore: 2n, custom: { owner: 'x' } }, { expectedRevision: 'no_stream' });
        expect((await collect(store.readStream(stream))).map((e) => e.revision)).toEqual([2n, 3n, 4n, 5n]);
        const meta = await store.getStreamMetadata(stream);
        expect(meta).toEqual({ metadata: { truncateBefore: 2n, custom: { owner: 'x' } }, metastreamRevision: 0n });
        await store.setStreamMetadata(stream, { maxCount: 3 }, { expectedRevision: 0n });
        expect((await collect(store.readStream(stream))).map((e) => e.revision)).toEqual([3n, 4n, 5n]);
        const err = await failureOf(store.setStreamMetadata(stream, { maxCount: 1 }, { expectedRevision: 0n }));
        expect(err).toBeInstanceOf(WrongExpectedVersionError);
        expect((err as WrongExpectedVersionError).actual).toBe(1n);
      });

      it('soft delete hides the stream and later appends continue its revisions', async () => {
        const stream = `${uniquePrefix()}-1`;
        await store.appendToStream(stream, events(3));
        await store.deleteStream(stream, { expectedRevision: 2n });
        expect(await failureOf(collect(store.readStream(stream)))).toBeInstanceOf(StreamNotFoundError);
        expect(await failureOf(store.appendToStream(stream, events(1), { expectedRevision: 'stream_exists' }))).toBeInstanceOf(
          StreamDeletedError,
        );
        const recreated = await store.appendToStream(stream, events(2), { expectedRevision: 'no_stream' });
        expect(recreated.nextExpectedRevision).toBe(4n);
        expect((await collect(store.readStream(stream))).map((e) => e.revision)).toEqual([3n, 4n]);
        // no_stream recreates a soft-deleted stream once only
        const again = await failureOf(store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' }));
        expect((again as WrongExpectedVersionError).actual).toBe(4n);
      });

      it('tombstone makes reads, appends and metadata fail with StreamDeletedError', async () => {
        const stream = `${uniquePrefix()}-1`;
        await store.appendToStream(stream, events(2));
        const wrong = await failureOf(store.tombstoneStream(stream, { expectedRevision: 0n }));
        expect((wrong as WrongExpectedVersionError).actual).toBe(1n);
        await store.tombstoneStream(stream, { expectedRevision: 1n });
        expect(await failureOf(collect(store.readStream(stream)))).toBeInstanceOf(StreamDeletedError);
        expect(await failureOf(store.appendToStream(stream, events(1)))).toBeInstanceOf(StreamDeletedError);
        expect(await failureOf(store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' }))).toBeInstanceOf(StreamDeletedError);
        expect(await failureOf(store.getStreamMetadata(stream))).toBeInstanceOf(StreamDeletedError);
      });
    });

    describe('concurrent appends to many streams', () => {
      it('gives each of 50 concurrent callers its own result; exactly the wrong expectations fail', async () => {
        const prefix = uniquePrefix();
        const streams = Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);
        await Promise.all(streams.map((s, i) => store.appendToStream(s, events((i % 3) + 1), { expectedRevision: 'no_stream' })));
        const appended = streams.map(() => newEvent('GroupCommitted'));
        const isWrong = (i: number): boolean => i % 7 === 3;
        const results = await Promise.allSettled(
          streams.map((s, i) => {
            const current = BigInt(i % 3);
            return store.appendToStream(s, [appended[i]!], { expectedRevision: isWrong(i) ? current + 1n : current });
          }),
        );
        const positions = new Set<bigint>();
        for (const [i, result] of results.entries()) {
          if (isWrong(i)) {
            expect(result.status).toBe('rejected');
            const err = (result as PromiseRejectedResult).reason as WrongExpectedVersionError;
            expect(err).toBeInstanceOf(WrongExpectedVersionError);
            expect(err.streamName).toBe(streams[i]);
            expect(err.actual).toBe(BigInt(i % 3));
            continue;
          }
          expect(result.status).toBe('fulfilled');
          const { nextExpectedRevision, position } = (result as PromiseFulfilledResult<AppendResult>).value;
          expect(nextExpectedRevision).toBe(BigInt(i % 3) + 1n);
          positions.add(position.commit);
          const [last] = await collect(store.readStream(streams[i]!, { direction: 'backwards', maxCount: 1 }));
          expect(last!.id).toBe(appended[i]!.id);
          expect(last!.revision).toBe(nextExpectedRevision);
          expect(last!.position).toEqual(position);
        }
        expect(positions.size).toBe(results.filter((_, i) => !isWrong(i)).length);
      });

      it('works with two store instances writing the same stream', async () => {
        const other = await open();
        const stream = `${uniquePrefix()}-1`;
        await store.appendToStream(stream, events(1), { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).appendToStream(stream, events(1), { expectedRevision: 0n })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      });
    });

    it('answers ping and headPosition', async () => {
      await store.ping();
      const written = await store.appendToStream(`${uniquePrefix()}-1`, events(1));
      const head = await store.headPosition();
      expect(head!.commit >= written.position.commit).toBe(true);
    });
  });
}
