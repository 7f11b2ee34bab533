/**
 * Conversions between the port's values and what the SQL functions take and return. Input is validated here,
 * per caller, because a bad value inside a group-commit batch would otherwise fail every append in it.
 */
import { positionOf, type EventFilter, type EventToAppend, type ExpectedRevision, type JsonObject, type RecordedEvent } from '../port.js';
import { UUID_PATTERN as UUID } from '../../../domain/shared/ids.js';


export function encodeExpected(expected: ExpectedRevision): string {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (typeof expected === 'bigint' && expected >= 0n && expected < 2n ** 62n) return expected.toString();
  throw new TypeError(`Invalid expected revision ${String(expected)}`);
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// jsonb cannot store U+0000 and Postgres text cannot either; rejecting here keeps the failure with its caller.
function rejectNul(key: string, value: unknown): unknown {
  if (key.includes('\0') || (typeof value === 'string' && value.includes('\0'))) {
    throw new TypeError('Event data, metadata and names must not contain U+0000');
  }
  return value;
}

export function assertStreamName(stream: string): void {
  if (typeof stream !== 'string' || stream.length === 0 || stream.includes('\0')) {
    throw new TypeError('Stream name must be a non-empty string without U+0000');
  }
}

/**
 * One validated append, encoded once (each event's data and metadata stringified exactly once); batchElement
 * assembles its `{s, e, ev}` element of an es_append_batch document.
 */
export interface EncodedAppend {
  stream: string;
  /** As the SQL functions take it: 'any', 'no_stream', 'stream_exists' or a revision. */
  expected: string;
  /** Lower-cased event ids, in order. */
  ids: string[];
  types: string[];
  /** JSON text of each event's data object. */
  data: string[];
  /** JSON text of each event's metadata object ('{}' when absent). */
  metadata: string[];
}

/** Validates and encodes an append. Throws TypeError for invalid input. */
export function encodeAppend(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): EncodedAppend {
  assertStreamName(stream);
  if (!Array.isArray(events)) throw new TypeError('events must be an array');
  const encoded: EncodedAppend = { stream, expected: encodeExpected(expected), ids: [], types: [], data: [], metadata: [] };
  const seen = new Set<string>();
  for (const event of events) {
    if (typeof event?.id !== 'string' || !UUID.test(event.id)) throw new TypeError(`Event id must be a UUID (got ${String(event?.id)})`);
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw new TypeError(`Event id ${id} appears twice in one append`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('Event type must be a non-empty string');
    rejectNul('type', event.type);
    if (!isPlainObject(event.data)) throw new TypeError('Event data must be a JSON object');
    if (event.metadata !== undefined && !isPlainObject(event.metadata)) throw new TypeError('Event metadata must be a JSON object');
    encoded.ids.push(id);
    encoded.types.push(event.type);
    encoded.data.push(JSON.stringify(event.data, rejectNul));
    encoded.metadata.push(event.metadata === undefined ? '{}' : JSON.stringify(event.metadata, rejectNul));
  }
  return encoded;
}

/** The `{s, e, ev}` element of an es_append_batch document for one encoded append. */
export function batchElement(append: EncodedAppend): string {
  const events = append.ids.map(
    (id, i) => `{"id":"${id}","type":${JSON.stringify(append.types[i])},"data":${append.data[i]},"metadata":${append.metadata[i]}}`,
  );
  return `{"s":${JSON.stringify(append.stream)},"e":"${append.expected}","ev":[${events.join(',')}]}`;
}

export interface EventRow {
  global_position: string | number;
  stream_name: string;
  stream_revision: string | number;
  event_id: string;
  event_type: string;
  data: JsonObject;
  metadata: JsonObject | null;
  created_at: Date | string;
}

export const EVENT_COLUMNS = 'global_position, stream_name, stream_revision, event_id, event_type, data, metadata, created_at';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamName: row.stream_name,
    id: row.event_id,
    type: row.event_type,
    data: row.data,
    metadata: row.metadata ?? {},
    revision: BigInt(row.stream_revision),
    position: positionOf(BigInt(row.global_position)),
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
  };
}

/** LIKE patterns for prefix filters (% and _ in a prefix match literally). */
export function likePatterns(filter: EventFilter): string[] {
  return filter.prefixes.map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/** SQL condition for a filter whose patterns are bound at parameter `$n`. */
export function filterCondition(filter: EventFilter, param: number): string {
  const column = filter.on === 'streamName' ? 'stream_name' : 'event_type';
  return `${column} LIKE ANY ($${param}::text[])`;
}
