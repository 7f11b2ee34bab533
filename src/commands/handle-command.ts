/**
 * The one write path: read the stream, fold it, decide, append with the revision that was read. A concurrent
 * writer makes the append fail with WrongExpectedVersion; the handler then re-reads and decides again, so every
 * rule is checked against the state the events are actually appended to.
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

export async function readAggregate<State, Event extends DomainEvent>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
): Promise<StreamState<State>> {
  let state = decider.initialState();
  let revision: ExpectedRevision = 'no_stream';
  try {
    for await (const recorded of store.readStream(stream)) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as unknown as Event);
      revision = recorded.revision;
    }
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
  }
  return { state, revision, exists: revision !== 'no_stream' };
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
