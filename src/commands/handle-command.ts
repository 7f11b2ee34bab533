/**
 * The one write path: read the stream, fold it, decide, append with the revision that was read. A concurrent
 * writer makes the append fail with WrongExpectedVersion; the handler then re-reads and decides again, so every
 * rule is checked against the state the events are actually appended to.
 *
 * Folded states are cached per store (so per process): a read starts from the cached state and revision and reads
 * only the events after it, so a command costs the same on a stream of 10 events as on one of 10,000. The cache is
 * never trusted on its own: the catch-up read sees whatever other processes appended, and a write that raced
 * ahead between that read and the append still fails the expected-revision check and is retried from the newest
 * state. Only what was read back from the store is cached, never a state folded from just-decided events (their
 * data has not been through JSON yet). Streams written through commands are never truncated or soft-deleted (retention appends events instead),
 * which is what makes "cached fold + later events" equal a fold of the whole stream; a read that finds the stream
 * gone, or a hole in the revisions, drops the cached entry and folds from the start.
 */
import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '../domain/shared/decider.js';
import {
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type Position,
} from '../infra/eventstore/port.js';
import { eventMetadata, type RequestMetadata } from './metadata.js';
import { withStreamLock } from './stream-lock.js';

export interface StreamState<State> {
  state: State;
  revision: ExpectedRevision; // 'no_stream' or the last revision read
  exists: boolean;
}

interface CachedFold {
  decider: object;
  state: unknown;
  revision: bigint;
}

/** Streams whose fold each store keeps; the least recently used goes first. */
const MAX_CACHED_STREAMS = 5_000;
const foldCaches = new WeakMap<EventStore, Map<string, CachedFold>>();

function foldCache(store: EventStore): Map<string, CachedFold> {
  let cache = foldCaches.get(store);
  if (!cache) {
    cache = new Map();
    foldCaches.set(store, cache);
  }
  return cache;
}

/** Keeps the newest fold of a stream (a slower concurrent reader never replaces it with an older one). */
function rememberFold(store: EventStore, stream: string, decider: object, state: unknown, revision: bigint): void {
  const cache = foldCache(store);
  const existing = cache.get(stream);
  if (existing && existing.decider === decider && existing.revision > revision) return;
  cache.delete(stream); // re-inserted last: Map order is the LRU order
  cache.set(stream, { decider, state, revision });
  if (cache.size > MAX_CACHED_STREAMS) cache.delete(cache.keys().next().value!);
}

/** Drops every cached fold of `store` (tests and tools that rewrite streams behind the store's back). */
export function forgetFolds(store: EventStore): void {
  foldCaches.delete(store);
}

type Evolver<State, Event extends DomainEvent> = Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>;

/**
 * Folds the events after `from` (null: the whole stream) onto `state`. Returns null when the stream does not
 * continue where the cached fold ended (it was deleted or truncated since), so the caller folds from the start.
 */
async function foldFrom<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Evolver<State, Event>,
  state: State,
  from: bigint | null,
): Promise<{ state: State; revision: bigint | null } | null> {
  let revision = from;
  try {
    for await (const recorded of store.readStream(stream, from === null ? undefined : { fromRevision: from + 1n })) {
      if (from !== null && recorded.revision !== (revision ?? -1n) + 1n) return null;
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as unknown as Event);
      revision = recorded.revision;
    }
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
    if (from !== null) return null;
  }
  return { state, revision };
}

export async function readAggregate<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Evolver<State, Event>,
): Promise<StreamState<State>> {
  const cache = foldCache(store);
  const cached = cache.get(stream);
  let folded: { state: State; revision: bigint | null } | null = null;
  if (cached && cached.decider === decider) {
    folded = await foldFrom(store, stream, decider, cached.state as State, cached.revision);
    if (!folded) cache.delete(stream);
  }
  folded ??= await foldFrom(store, stream, decider, decider.initialState(), null);
  if (!folded) throw new Error(`unreachable: a full read of ${stream} cannot be discontinuous`);
  if (folded.revision !== null) rememberFold(store, stream, decider, folded.state, folded.revision);
  const revision: ExpectedRevision = folded.revision ?? 'no_stream';
  return { state: folded.state, revision, exists: folded.revision !== null };
}

export interface CommandResult<State, Event> {
  events: Event[];
  state: State;
  /** Global position of the last appended event; undefined when the command decided nothing. */
  position: Position | undefined;
  nextExpectedRevision: bigint | undefined;
}

export interface HandleOptions {
  maxRetries?: number;
}

export async function handleCommand<Command, State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, State, Event>,
  command: Command | ((state: State, exists: boolean) => Command),
  metadata: RequestMetadata,
  options: HandleOptions = {},
): Promise<CommandResult<State, Event>> {
  return withStreamLock(stream, () => decideAndAppend(store, stream, decider, command, metadata, options.maxRetries ?? 10));
}

async function decideAndAppend<Command, State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, State, Event>,
  command: Command | ((state: State, exists: boolean) => Command),
  metadata: RequestMetadata,
  maxRetries: number,
): Promise<CommandResult<State, Event>> {
  for (let attempt = 0; ; attempt++) {
    const current = await readAggregate(store, stream, decider);
    const cmd = typeof command === 'function' ? (command as (s: State, e: boolean) => Command)(current.state, current.exists) : command;
    const events = decider.decide(cmd, current.state);
    const state = events.reduce((s, e) => decider.evolve(s, e), current.state);
    if (events.length === 0) return { events, state, position: undefined, nextExpectedRevision: undefined };
    const meta = eventMetadata(metadata) as unknown as JsonObject;
    try {
      const result = await store.appendToStream(
        stream,
        events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data as JsonObject, metadata: meta })),
        { expectedRevision: current.revision },
      );
      return { events, state, position: result.position, nextExpectedRevision: result.nextExpectedRevision };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError && attempt < maxRetries) {
        await jitter(attempt);
        continue;
      }
      throw err;
    }
  }
}

function jitter(attempt: number): Promise<void> {
  if (attempt === 0) return Promise.resolve();
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
