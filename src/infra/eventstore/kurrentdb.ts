/**
 * KurrentDB / EventStoreDB adapter on @kurrent/kurrentdb-client. The port's semantics are ESDB's own, so this is
 * mostly translation: names (`streamState`), error classes, positions, prefix filters, metadata keys.
 *
 * No KurrentDB server exists on the development or CI machines: this adapter type-checks against the client and
 * its contract suite (test/eventstore/kurrentdb.test.ts) runs only when KURRENTDB_URL points at a server (docker
 * compose). It has not been run against a server here.
 */
import {
  DeadlineExceededError,
  KurrentDBClient,
  StreamDeletedError as KurrentStreamDeletedError,
  StreamNotFoundError as KurrentStreamNotFoundError,
  StreamTombstonedError,
  UnavailableError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Filter,
  type RecordedEvent as KurrentRecordedEvent,
  type StreamState,
  type StreamMetadata as KurrentStreamMetadata,
} from '@kurrent/kurrentdb-client';
import {
  EventStoreUnavailableError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type Position,
  type RecordedEvent,
  type StreamMetadata,
  type SubscribeOptions,
  type SubscriptionMessage,
} from './port.js';

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false` */
  url: string;
}

// Stream reads on servers before 22.6 carry no position; the port still needs one.
const UNKNOWN_POSITION: Position = { commit: -1n, prepare: -1n };
// ESDB marks a soft-deleted stream with $tb = max (long.MaxValue).
const TRUNCATE_END = 2n ** 63n - 1n;
// Pause the gRPC stream when this many messages wait for the consumer; resume below the low mark.
const HIGH_WATER = 1000;
const LOW_WATER = 100;

function mapError(err: unknown, stream = '', expected: ExpectedRevision = 'any'): unknown {
  if (err instanceof KurrentWrongExpectedVersionError) return new WrongExpectedVersionError(stream || err.streamName, expected, err.actualState);
  if (err instanceof KurrentStreamDeletedError || err instanceof StreamTombstonedError) return new StreamDeletedError(stream);
  if (err instanceof KurrentStreamNotFoundError) return new StreamNotFoundError(stream);
  // Batch appends reject with a raw grpc error (code 14 = UNAVAILABLE) rather than UnavailableError.
  if (err instanceof UnavailableError || err instanceof DeadlineExceededError || (err as { code?: unknown } | undefined)?.code === 14) {
    return new EventStoreUnavailableError(`KurrentDB unavailable: ${(err as Error).message}`, err);
  }
  return err;
}

function asObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) {
    try {
      return asObject(JSON.parse(Buffer.from(value).toString('utf8')));
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function toRecordedEvent(event: KurrentRecordedEvent): RecordedEvent {
  return {
    streamName: event.streamId,
    id: event.id,
    type: event.type,
    data: asObject(event.data),
    metadata: asObject(event.metadata),
    revision: event.revision,
    position: event.position ?? UNKNOWN_POSITION,
    createdAt: event.created,
  };
}

type FilterCallbacks = Pick<Filter, 'checkpointInterval' | 'checkpointReached'>;

function toKurrentFilter(filter: EventFilter | undefined, callbacks: Partial<FilterCallbacks> = {}): Filter {
  const base = { checkpointInterval: callbacks.checkpointInterval ?? 1, ...(callbacks.checkpointReached ? { checkpointReached: callbacks.checkpointReached } : {}) };
  if (!filter) return excludeSystemEvents(base);
  const prefixes = [...filter.prefixes];
  return filter.on === 'streamName' ? streamNameFilter({ ...base, prefixes }) : eventTypeFilter({ ...base, prefixes });
}

const isSystemEvent = (event: KurrentRecordedEvent): boolean => event.type.startsWith('$');

async function currentRevision(client: KurrentDBClient, stream: string): Promise<bigint | undefined> {
  try {
    for await (const resolved of client.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 1 })) {
      if (resolved.event) return resolved.event.revision;
    }
    return undefined;
  } catch (err) {
    if (err instanceof KurrentStreamNotFoundError) return undefined;
    throw mapError(err, stream);
  }
}

/** ESDB delete/tombstone take no 'stream_exists'; resolve it to the current revision (still checked server-side). */
async function deleteState(client: KurrentDBClient, stream: string, expected: ExpectedRevision): Promise<StreamState> {
  if (expected !== 'stream_exists') return expected;
  const revision = await currentRevision(client, stream);
  if (revision === undefined) throw new WrongExpectedVersionError(stream, expected, 'no_stream');
  return revision;
}

async function headPosition(client: KurrentDBClient): Promise<Position | undefined> {
  try {
    for await (const resolved of client.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 })) {
      if (resolved.event) return resolved.event.position;
    }
    return undefined;
  } catch (err) {
    throw mapError(err);
  }
}

async function* subscribe(
  client: KurrentDBClient,
  activeSubscriptions: Set<() => Promise<void>>,
  subscribeOptions: SubscribeOptions,
): AsyncGenerator<SubscriptionMessage> {
  const buffer: SubscriptionMessage[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const signalConsumer = (): void => {
    wake?.();
    wake = undefined;
  };
  const push = (message: SubscriptionMessage): void => {
    buffer.push(message);
    if (buffer.length >= HIGH_WATER && !subscription.isPaused()) subscription.pause();
    signalConsumer();
  };
  const subscription = client.subscribeToAll({
    fromPosition: subscribeOptions.fromPosition ?? 'start',
    filter: toKurrentFilter(subscribeOptions.filter, {
      ...(subscribeOptions.checkpointInterval !== undefined ? { checkpointInterval: subscribeOptions.checkpointInterval } : {}),
      checkpointReached: (_sub, position) => push({ kind: 'checkpoint', position }),
    }),
  });
  subscription.on('data', (resolved: AllStreamResolvedEvent) => {
    if (resolved.event && !isSystemEvent(resolved.event)) push({ kind: 'event', event: toRecordedEvent(resolved.event) });
  });
  subscription.on('caughtUp', (info) => push({ kind: 'caughtUp', position: info.position }));
  subscription.on('error', (err) => {
    failure = mapError(err);
    signalConsumer();
  });
  subscription.on('end', () => {
    ended = true;
    signalConsumer();
  });
  const stop = async (): Promise<void> => {
    ended = true;
    signalConsumer();
    await subscription.unsubscribe().catch(() => undefined);
  };
  const onAbort = (): void => void stop();
  subscribeOptions.signal?.addEventListener('abort', onAbort, { once: true });
  activeSubscriptions.add(stop);
  try {
    while (true) {
      const next = buffer.shift();
      if (next) {
        if (buffer.length <= LOW_WATER && subscription.isPaused()) subscription.resume();
        yield next;
        continue;
      }
      if (failure) throw failure;
      if (ended || subscribeOptions.signal?.aborted) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    subscribeOptions.signal?.removeEventListener('abort', onAbort);
    activeSubscriptions.delete(stop);
    await stop();
  }
}

function streamReads(
  client: KurrentDBClient,
  activeSubscriptions: Set<() => Promise<void>>,
): Pick<EventStore, 'readStream' | 'readAll' | 'subscribeToAll'> {
  return {
    async *readStream(stream, readOptions = {}) {
      try {
        const reads = client.readStream(stream, {
          direction: readOptions.direction ?? 'forwards',
          fromRevision: readOptions.fromRevision ?? (readOptions.direction === 'backwards' ? 'end' : 'start'),
          ...(readOptions.maxCount !== undefined ? { maxCount: readOptions.maxCount } : {}),
        });
        for await (const resolved of reads) {
          if (resolved.event) yield toRecordedEvent(resolved.event);
        }
      } catch (err) {
        throw mapError(err, stream);
      }
    },

    async *readAll(readOptions = {}) {
      try {
        const reads = client.readAll({
          direction: readOptions.direction ?? 'forwards',
          fromPosition: readOptions.fromPosition ?? (readOptions.direction === 'backwards' ? 'end' : 'start'),
          filter: toKurrentFilter(readOptions.filter),
          ...(readOptions.maxCount !== undefined ? { maxCount: readOptions.maxCount } : {}),
        });
        for await (const resolved of reads) {
          if (resolved.event && !isSystemEvent(resolved.event)) yield toRecordedEvent(resolved.event);
        }
      } catch (err) {
        throw mapError(err);
      }
    },

    subscribeToAll(subscribeOptions = {}) {
      return subscribe(client, activeSubscriptions, subscribeOptions);
    },
  };
}

function streamAdministration(
  client: KurrentDBClient,
): Pick<EventStore, 'getStreamMetadata' | 'setStreamMetadata' | 'deleteStream' | 'tombstoneStream'> {
  return {
    async getStreamMetadata(stream) {
      try {
        const result = await client.getStreamMetadata(stream);
        if (result.metastreamRevision === undefined) return { metadata: {}, metastreamRevision: 'no_stream' };
        // cacheControl and acl are ESDB-only; everything that is not a system key is custom metadata.
        const { maxAge, maxCount, truncateBefore, cacheControl: _cacheControl, acl: _acl, ...custom } = result.metadata ?? {};
        const metadata: StreamMetadata = {};
        if (typeof maxAge === 'number') metadata.maxAge = maxAge;
        if (typeof maxCount === 'number') metadata.maxCount = maxCount;
        if (truncateBefore !== undefined) {
          metadata.truncateBefore = truncateBefore === 'start' ? 0n : truncateBefore === 'end' ? TRUNCATE_END : BigInt(truncateBefore);
        }
        if (Object.keys(custom).length > 0) metadata.custom = custom;
        return { metadata, metastreamRevision: result.metastreamRevision };
      } catch (err) {
        throw mapError(err, stream);
      }
    },

    async setStreamMetadata(stream, metadata, metaOptions = {}) {
      const expected = metaOptions.expectedRevision ?? 'any';
      const document: KurrentStreamMetadata = { ...(metadata.custom ?? {}) };
      if (metadata.maxAge !== undefined) document.maxAge = metadata.maxAge;
      if (metadata.maxCount !== undefined) document.maxCount = metadata.maxCount;
      if (metadata.truncateBefore !== undefined) document.truncateBefore = Number(metadata.truncateBefore);
      try {
        await client.setStreamMetadata(stream, document, { expectedRevision: expected });
      } catch (err) {
        throw mapError(err, stream, expected);
      }
    },

    async deleteStream(stream, deleteOptions = {}) {
      const expected = deleteOptions.expectedRevision ?? 'any';
      try {
        await client.deleteStream(stream, { expectedRevision: await deleteState(client, stream, expected) });
      } catch (err) {
        throw mapError(err, stream, expected);
      }
    },

    async tombstoneStream(stream, deleteOptions = {}) {
      const expected = deleteOptions.expectedRevision ?? 'any';
      try {
        await client.tombstoneStream(stream, { expectedRevision: await deleteState(client, stream, expected) });
      } catch (err) {
        throw mapError(err, stream, expected);
      }
    },
  };
}

export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): EventStore {
  const client = KurrentDBClient.connectionString(options.url);
  const activeSubscriptions = new Set<() => Promise<void>>();
  let closed = false;

  return {
    kind: 'kurrentdb',

    async appendToStream(stream, events, appendOptions = {}) {
      const expected = appendOptions.expectedRevision ?? 'any';
      try {
        const result = await client.appendToStream(
          stream,
          events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata ?? {} })),
          { streamState: expected },
        );
        return { nextExpectedRevision: result.nextExpectedRevision, position: result.position ?? UNKNOWN_POSITION };
      } catch (err) {
        throw mapError(err, stream, expected);
      }
    },

    ...streamReads(client, activeSubscriptions),
    ...streamAdministration(client),

    headPosition: () => headPosition(client),

    async ping() {
      await headPosition(client);
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...activeSubscriptions].map((stop) => stop()));
      await client.dispose();
    },
  };
}
