/**
 * Playback frames (docs/playback.md): the visible code's changes as compact text deltas, at most one frame per 100 ms
 * window per author, so a client can animate a session with plain string operations.
 *
 * Windows: a window opens at the first update after the previous window and covers 100 ms; every frame of a window
 * carries the window's start as `t` (so one author's frames are at least 100 ms apart). Inside a window each author's
 * updates are applied together, authors in the order of their last update — Yjs updates commute, so every
 * intermediate text is one the document could have shown, and the last one is exactly the text at the window's end.
 */
import * as Y from 'yjs';
import type { HistoryUpdate } from './queries.js';

/** Quill-style operations on UTF-16 code units, applied left to right. */
export type DeltaOp = { retain: number } | { insert: string } | { delete: number };

export interface PlaybackFrame {
  /** ms since the session started */
  t: number;
  /** who wrote it; null for the server (language switches, recording start) */
  userId: string | null;
  delta: DeltaOp[];
  /** set on frames that switch the visible buffer to another language */
  language?: string;
}

export const FRAME_WINDOW_MS = 100;

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** The smallest single-edit delta that turns `before` into `after` (common prefix and suffix kept). */
export function textDelta(before: string, after: string): DeltaOp[] {
  if (before === after) return [];
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  // never cut a surrogate pair: the inserted and deleted parts stay well-formed text
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1)) && (endBefore > start || endAfter > start)) start--;
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore)) && endBefore > start) {
    endBefore++;
    endAfter++;
  }
  const ops: DeltaOp[] = [];
  if (start > 0) ops.push({ retain: start });
  if (endBefore > start) ops.push({ delete: endBefore - start });
  if (endAfter > start) ops.push({ insert: after.slice(start, endAfter) });
  return ops;
}

/** Apply a delta to a text (what a client does with each frame). */
export function applyDelta(text: string, delta: readonly DeltaOp[]): string {
  let out = '';
  let at = 0;
  for (const op of delta) {
    if ('retain' in op) {
      out += text.slice(at, at + op.retain);
      at += op.retain;
    } else if ('delete' in op) at += op.delete;
    else out += op.insert;
  }
  return out + text.slice(at);
}

export interface LanguageSwitch {
  at: number;
  language: string;
  userId: string | null;
}

/** A Y.Text change as our delta (strings only: code buffers hold no embeds). */
function fromYDelta(delta: ReadonlyArray<{ insert?: unknown; retain?: number; delete?: number }>): DeltaOp[] {
  const ops: DeltaOp[] = [];
  for (const op of delta) {
    if (typeof op.retain === 'number') ops.push({ retain: op.retain });
    else if (typeof op.delete === 'number') ops.push({ delete: op.delete });
    else if (typeof op.insert === 'string') ops.push({ insert: op.insert });
  }
  return ops;
}

/**
 * Frames for `updates` applied on top of `doc` (the document at the stream's start, mutated here), showing the
 * buffer of `language` and following `switches` (sorted by time). `startedAt` is the session start (frame `t` base).
 * Each author's batch of a window is one Yjs transaction; its text event gives the delta without rebuilding the text.
 */
export function buildFrames(doc: Y.Doc, updates: readonly HistoryUpdate[], language: string, switches: readonly LanguageSwitch[], startedAt: number): { frames: PlaybackFrame[]; language: string } {
  const frames: PlaybackFrame[] = [];
  let visible = language;
  let observed = doc.getText(`code:${visible}`);
  let change: DeltaOp[] | null = null;
  const observer = (event: Y.YTextEvent) => {
    change = fromYDelta(event.delta as Array<{ insert?: unknown; retain?: number; delete?: number }>);
  };
  observed.observe(observer);
  let nextSwitch = 0;
  const switchUntil = (limit: number) => {
    while (nextSwitch < switches.length && switches[nextSwitch]!.at <= limit) {
      const s = switches[nextSwitch++]!;
      if (s.language === visible) continue;
      const before = observed.toString();
      observed.unobserve(observer);
      visible = s.language;
      observed = doc.getText(`code:${visible}`);
      observed.observe(observer);
      frames.push({ t: s.at - startedAt, userId: s.userId, delta: textDelta(before, observed.toString()), language: visible });
    }
  };

  try {
    let i = 0;
    while (i < updates.length) {
      const windowStart = updates[i]!.at;
      switchUntil(windowStart);
      const byAuthor = new Map<string | null, { last: number; updates: Uint8Array[] }>();
      while (i < updates.length && updates[i]!.at < windowStart + FRAME_WINDOW_MS) {
        const u = updates[i++]!;
        const entry = byAuthor.get(u.author) ?? { last: u.at, updates: [] };
        entry.last = Math.max(entry.last, u.at);
        entry.updates.push(u.update);
        byAuthor.set(u.author, entry);
      }
      const order = [...byAuthor].sort((a, b) => a[1].last - b[1].last);
      for (const [userId, entry] of order) {
        change = null;
        doc.transact(() => {
          for (const u of entry.updates) Y.applyUpdate(doc, u);
        });
        const delta = change as DeltaOp[] | null;
        if (delta && delta.some((op) => !('retain' in op))) frames.push({ t: windowStart - startedAt, userId, delta: trimRetain(delta) });
      }
    }
    switchUntil(Number.POSITIVE_INFINITY);
  } finally {
    observed.unobserve(observer);
  }
  return { frames, language: visible };
}

/** A trailing retain changes nothing. */
function trimRetain(delta: DeltaOp[]): DeltaOp[] {
  while (delta.length > 0 && 'retain' in delta[delta.length - 1]!) delta.pop();
  return delta;
}
