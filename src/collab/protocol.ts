/**
 * Wire format of the collab WebSocket.
 *
 * Binary frames follow y-protocols: a varUint message type, then its payload.
 *   0 SYNC       varUint subType (0 step 1, 1 step 2, 2 update) + varUint8Array
 *   1 AWARENESS  varUint8Array(awareness update)
 *   2 AUTH       (client-only; ignored by the server)
 *   3 QUERY_AWARENESS  the peer asks for the full awareness state
 *   100 EVENT    varString(JSON envelope) — our room events carried inside the binary channel, so a stock
 *                `WebsocketProvider` can receive them by registering `provider.messageHandlers[100]`.
 *
 * Text frames are JSON envelopes `{type, data, timestamp}` (docs/collab-protocol.md, "Frames"). A stock y-websocket
 * client cannot take text frames (it feeds every frame to its binary decoder), so each connection has an event mode:
 * `text` for clients that speak the JSON protocol (those that join with the `join` text frame), `binary` (type 100) by
 * default for clients that join through the URL path, or `none`. `?events=text|binary|none` on the URL overrides the
 * default.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const MESSAGE_EVENT = 100;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/**
 * Close codes (docs/collab-protocol.md, "Close codes"). Terminal conditions live in 4400–4499, which the stock
 * y-websocket client treats as final; retryable ones sit outside that range.
 */
export const CloseCode = {
  /** bad, expired, missing or foreign-room token; invalid join payload; join timeout */
  UNAUTHORIZED: 4401,
  KICKED: 4402,
  ROOM_CLOSED: 4403,
  /** authorize-join denied, or the control plane could not be asked (fail closed) */
  FORBIDDEN: 4407,
  /** a newer connection of the same user joined the room */
  REPLACED: 4409,
  /** retryable: the room document is not loaded anywhere (client calls ensure, then reconnects) */
  ROOM_NOT_FOUND: 4004,
  /** retryable: too many frames */
  RATE_LIMITED: 4029,
  /** retryable: the room is served by another collab node now; fetch the room again for its collabUrl */
  ROOM_MOVED: 4012,
  /** retryable: the server is shutting down or restarting */
  SERVICE_RESTART: 1012,
  /** retryable: the client does not read fast enough */
  TRY_AGAIN_LATER: 1013,
} as const;
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

export type EventMode = 'text' | 'binary' | 'none';

export interface EventEnvelope<T = unknown> {
  type: string;
  data: T;
  timestamp: number;
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > 123) out = out.slice(0, -1);
  return out;
}

export function encodeSyncStep1(stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, SYNC_STEP1);
  encoding.writeVarUint8Array(e, stateVector);
  return encoding.toUint8Array(e);
}

export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, SYNC_STEP2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, SYNC_UPDATE);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeAwarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeEventFrame(json: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_EVENT);
  encoding.writeVarString(e, json);
  return encoding.toUint8Array(e);
}

export type BinaryMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'sync-update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query-awareness' }
  | { kind: 'event'; json: string }
  | { kind: 'ignored'; type: number };

/** Decode one binary frame. Throws on a truncated or malformed frame. */
export function decodeBinaryMessage(buf: Uint8Array): BinaryMessage {
  const d = decoding.createDecoder(buf);
  const type = decoding.readVarUint(d);
  switch (type) {
    case MESSAGE_SYNC: {
      const sub = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (sub === SYNC_STEP1) return { kind: 'sync-step1', stateVector: payload };
      if (sub === SYNC_STEP2) return { kind: 'sync-step2', update: payload };
      if (sub === SYNC_UPDATE) return { kind: 'sync-update', update: payload };
      return { kind: 'ignored', type };
    }
    case MESSAGE_AWARENESS:
      return { kind: 'awareness', update: decoding.readVarUint8Array(d) };
    case MESSAGE_QUERY_AWARENESS:
      return { kind: 'query-awareness' };
    case MESSAGE_EVENT:
      return { kind: 'event', json: decoding.readVarString(d) };
    default:
      return { kind: 'ignored', type };
  }
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** the JSON text of the state, 'null' for a removal */
  stateJson: string;
}

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const out: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const stateJson = decoding.readVarString(d);
    out.push({ clientId, clock, stateJson });
  }
  return out;
}

export function encodeAwarenessUpdate(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(e, entry.clientId);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, entry.stateJson);
  }
  return encoding.toUint8Array(e);
}

export function envelope<T>(type: string, data: T, timestamp = Date.now()): EventEnvelope<T> {
  return { type, data, timestamp };
}

/** Parse a client event (text frame or binary type 100). Returns null for anything that is not `{type: string}`. */
export function parseClientEvent(json: string): { type: string; data: unknown } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { type, data } = parsed as { type?: unknown; data?: unknown };
  if (typeof type !== 'string') return null;
  return { type, data };
}
