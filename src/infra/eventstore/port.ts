/**
 * The event store port. Semantics follow EventStoreDB/KurrentDB exactly (0-based revisions, expected-revision
 * checks, exclusive subscription start), so the Postgres adapter and the KurrentDB adapter pass one contract suite.
 */
export type JsonObject = { [key: string]: unknown };

/** ESDB expected revision: `any`, `no_stream` (stream must not exist), `stream_exists`, or an exact 0-based revision. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;
export type CurrentRevision = 'no_stream' | bigint;

/** A position in the global log. The Postgres adapter uses {commit: p, prepare: p}. */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface EventToAppend {
  id: string;
  type: string;
  data: JsonObject;
  metadata?: JsonObject;
}

export interface RecordedEvent<D extends JsonObject = JsonObject> {
  streamName: string;
  id: string;
  type: string;
  data: D;
  metadata: JsonObject;
  revision: bigint;
  position: Position;
  createdAt: Date;
}

export interface AppendResult {
  nextExpectedRevision: bigint;
  position: Position;
}

/** Portable filter subset: stream-name prefixes or event-type prefixes/names (no regex: ESDB is .NET, PG is POSIX). */
export type EventFilter =
  | { on: 'streamName'; prefixes: readonly string[] }
  | { on: 'eventType'; prefixes: readonly string[] };

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'checkpoint'; position: Position }
  | { kind: 'caughtUp'; position: Position | undefined };

export interface StreamMetadata {
  maxAge?: number; // seconds
  maxCount?: number;
  truncateBefore?: bigint;
  custom?: JsonObject;
}

export interface ReadStreamOptions {
  fromRevision?: bigint | 'start' | 'end';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive. */
  fromPosition?: Position | 'start' | 'end';
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
  filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive: delivery starts after this position. */
  fromPosition?: Position | 'start' | 'end';
  filter?: EventFilter;
  signal?: AbortSignal;
  /** Emit a checkpoint message when a filtered read skipped past non-matching events. */
  checkpointInterval?: number;
}

export interface EventStore {
  readonly kind: 'postgres' | 'kurrentdb';
  appendToStream(
    stream: string,
    events: readonly EventToAppend[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /** Throws StreamNotFoundError while iterating when the stream has no (visible) events. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<SubscriptionMessage>;
  getStreamMetadata(stream: string): Promise<{ metadata: StreamMetadata; metastreamRevision: CurrentRevision }>;
  setStreamMetadata(stream: string, metadata: StreamMetadata, options?: { expectedRevision?: ExpectedRevision }): Promise<void>;
  /** Soft delete: the stream reads as not found, and a later append continues its revisions. */
  deleteStream(stream: string, options?: { expectedRevision?: ExpectedRevision }): Promise<void>;
  /** Hard delete: later reads and appends throw StreamDeletedError. */
  tombstoneStream(stream: string, options?: { expectedRevision?: ExpectedRevision }): Promise<void>;
  headPosition(): Promise<Position | undefined>;
  /** Cheap liveness probe for /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: CurrentRevision,
  ) {
    super(`Wrong expected version on ${streamName}: expected ${String(expected)}, actual ${String(actual)}`);
  }
}

export class StreamNotFoundError extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly streamName: string) {
    super(`Stream ${streamName} not found`);
  }
}

export class StreamDeletedError extends EventStoreError {
  readonly code = 'STREAM_DELETED';
  constructor(readonly streamName: string) {
    super(`Stream ${streamName} is deleted`);
  }
}

export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
  }
}

export const END = 'end' as const;

export function positionOf(p: bigint): Position {
  return { commit: p, prepare: p };
}

export function matchesFilter(filter: EventFilter | undefined, streamName: string, type: string): boolean {
  if (!filter) return true;
  const subject = filter.on === 'streamName' ? streamName : type;
  return filter.prefixes.some((p) => subject.startsWith(p));
}
