/**
 * The edit history's hand-over format (docs/playback.md, "The edit history"): what the relay sent, packed as it is
 * sent into one growing byte buffer plus a few small arrays, so the frames themselves become garbage at once (nothing
 * the relay allocated lives on until the flush) and a flush hands everything to the history thread by transferring
 * one ArrayBuffer — no per-frame clone on the relay's thread.
 */

/** A frame of one author (or of the server alone): its merged payload is the row. */
export const WHOLE = 0;
/** One update of a frame written by several authors: the history thread merges them per author. */
export const PART = 1;
/** The document before the first frame this node records for a room: the room's first checkpoint. */
export const BASE = 2;

export type EntryKind = typeof WHOLE | typeof PART | typeof BASE;

/**
 * Packed entries: numbers in typed arrays (cloned as one copy each) and every byte in `bytes` (transferred: moving a
 * buffer costs more than copying a small one, so only the large one moves); room ids and authors as indexes into
 * their (short) lists of distinct values.
 */
export interface PackedFrames {
  kinds: Uint8Array;
  /** index into `rooms` */
  room: Int32Array;
  rooms: string[];
  /** accept time, epoch ms */
  at: Float64Array;
  /** index into `authors`; -1 = the server */
  author: Int32Array;
  authors: string[];
  /** frame number: the parts of one frame share it */
  frame: Int32Array;
  offset: Int32Array;
  length: Int32Array;
  bytes: ArrayBuffer;
}

export interface UnpackedEntry {
  kind: EntryKind;
  roomId: string;
  at: number;
  author: string | null;
  frame: number;
  bytes: Uint8Array;
}

/** One accepted socket update of a frame, with its author (`m` is the socket that sent it). */
export interface AuthoredUpdate {
  readonly m: { readonly userId: string };
  readonly update: Uint8Array;
}

const INITIAL_BYTES = 64 * 1024;

/** Entries as they are logged (plain arrays: a push is the cheapest append); typed arrays when taken. */
interface Entries {
  kinds: number[];
  room: number[];
  at: number[];
  author: number[];
  frame: number[];
  offset: number[];
  length: number[];
  rooms: Map<string, number>;
  authors: Map<string, number>;
}

const emptyEntries = (): Entries => ({ kinds: [], room: [], at: [], author: [], frame: [], offset: [], length: [], rooms: new Map(), authors: new Map() });

export class FrameLog {
  private bytes = new Uint8Array(INITIAL_BYTES);
  private used = 0;
  private frameNo = 0;
  private entries = emptyEntries();

  get length(): number {
    return this.entries.kinds.length;
  }

  /**
   * A frame the relay sent: `merged` is its payload (all of `relayed` and `server`); `base`, when given, the document
   * before it. Copies the bytes; keeps no reference to anything passed in.
   */
  addFrame(roomId: string, at: number, merged: Uint8Array, relayed: readonly AuthoredUpdate[], server: readonly Uint8Array[], base: Uint8Array | null): void {
    const frame = this.frameNo++;
    if (base !== null) this.add(BASE, roomId, at, null, frame, base);
    const sole = soleAuthor(relayed, server);
    if (sole !== undefined) {
      this.add(WHOLE, roomId, at, sole, frame, merged);
      return;
    }
    for (const e of relayed) this.add(PART, roomId, at, e.m.userId, frame, e.update);
    for (const u of server) this.add(PART, roomId, at, null, frame, u);
  }

  /** Everything logged so far (null if nothing), with the buffers to transfer; the log starts empty again. */
  take(): { packed: PackedFrames; transfer: ArrayBuffer[] } | null {
    if (this.length === 0) return null;
    const e = this.entries;
    const packed: PackedFrames = {
      kinds: Uint8Array.from(e.kinds),
      room: Int32Array.from(e.room),
      rooms: [...e.rooms.keys()],
      at: Float64Array.from(e.at),
      author: Int32Array.from(e.author),
      authors: [...e.authors.keys()],
      frame: Int32Array.from(e.frame),
      offset: Int32Array.from(e.offset),
      length: Int32Array.from(e.length),
      // a copy of the filled part (a memcpy); the log keeps its own buffer for the next entries
      bytes: this.bytes.slice(0, this.used).buffer,
    };
    this.entries = emptyEntries();
    this.used = 0;
    return { packed, transfer: [packed.bytes] };
  }

  private add(kind: EntryKind, roomId: string, at: number, author: string | null, frame: number, data: Uint8Array): void {
    if (this.used + data.byteLength > this.bytes.byteLength) this.grow(this.used + data.byteLength);
    this.bytes.set(data, this.used);
    const e = this.entries;
    e.kinds.push(kind);
    e.room.push(indexOf(e.rooms, roomId));
    e.at.push(at);
    e.author.push(author === null ? -1 : indexOf(e.authors, author));
    e.frame.push(frame);
    e.offset.push(this.used);
    e.length.push(data.byteLength);
    this.used += data.byteLength;
  }

  private grow(needed: number): void {
    const next = new Uint8Array(nextPowerOfTwo(needed));
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }
}

export function unpack(p: PackedFrames): UnpackedEntry[] {
  const all = new Uint8Array(p.bytes);
  return Array.from(p.kinds, (kind, i) => ({
    kind: kind as EntryKind,
    roomId: p.rooms[p.room[i]!]!,
    at: p.at[i]!,
    author: p.author[i]! < 0 ? null : p.authors[p.author[i]!]!,
    frame: p.frame[i]!,
    bytes: all.subarray(p.offset[i]!, p.offset[i]! + p.length[i]!),
  }));
}

function indexOf(values: Map<string, number>, value: string): number {
  let i = values.get(value);
  if (i === undefined) {
    i = values.size;
    values.set(value, i);
  }
  return i;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** The one author of a frame (null: the server), or undefined when several wrote in it. */
function soleAuthor(relayed: readonly AuthoredUpdate[], server: readonly Uint8Array[]): string | null | undefined {
  const first = relayed[0];
  if (first === undefined) return null;
  if (server.length > 0) return undefined;
  for (const e of relayed) if (e.m.userId !== first.m.userId) return undefined;
  return first.m.userId;
}
