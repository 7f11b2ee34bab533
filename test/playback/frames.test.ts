/**
 * Playback frames from Yjs updates: deltas that rebuild the text, windows of 100 ms per author, interleaved authors
 * whose updates depend on each other, language switches.
 */
import { describe, expect, it } from '@jest/globals';
import * as Y from 'yjs';
import { applyDelta, buildFrames, FRAME_WINDOW_MS, textDelta } from '../../src/projections/playback/frames.js';
import type { HistoryUpdate } from '../../src/projections/playback/queries.js';

describe('textDelta', () => {
  it.each([
    ['', 'abc'],
    ['abc', ''],
    ['hello world', 'hello brave world'],
    ['aaaa', 'aa'],
    ['x = 1\ny = 2\n', 'x = 10\ny = 2\n'],
    ['emoji 😀 here', 'emoji 😀😀 here'],
    ['face 😀', 'face 😁'],
    ['😀 end', '😁 end'],
  ])('turns %j into %j', (before, after) => {
    const delta = textDelta(before, after);
    expect(applyDelta(before, delta)).toBe(after);
    // no half of a surrogate pair in what is inserted
    for (const op of delta) if ('insert' in op) expect(op.insert).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('keeps the common prefix and suffix out of the delta', () => {
    expect(textDelta('def f():\n    pass\n', 'def f():\n    return 1\n')).toEqual([{ retain: 13 }, { delete: 4 }, { insert: 'return 1' }]);
    expect(textDelta('same', 'same')).toEqual([]);
  });
});

/** Two replicas typing alternately; every keystroke recorded with its time and author. */
function recordSession(keystrokes: Array<{ author: 0 | 1; at: number; text: string; pos?: number }>) {
  const docs = [new Y.Doc(), new Y.Doc()];
  docs[0]!.getText('code:python').insert(0, 'start\n');
  Y.applyUpdate(docs[1]!, Y.encodeStateAsUpdate(docs[0]!));
  const base = Y.encodeStateAsUpdate(docs[0]!);
  const updates: HistoryUpdate[] = [];
  const truth: Array<{ at: number; text: string }> = [];
  let id = 0;
  for (const k of keystrokes) {
    const doc = docs[k.author]!;
    let captured: Uint8Array | null = null;
    doc.once('update', (u: Uint8Array) => (captured = u));
    const t = doc.getText('code:python');
    t.insert(k.pos ?? t.length, k.text);
    Y.applyUpdate(docs[1 - k.author]!, captured!);
    updates.push({ id: String(++id), at: k.at, author: k.author === 0 ? 'ann' : 'bob', update: captured! });
    truth.push({ at: k.at, text: t.toString() });
  }
  return { base, updates, truth, final: docs[0]!.getText('code:python').toString() };
}

describe('buildFrames', () => {
  it('rebuilds the text, at most one frame per author per 100 ms, stamped at the window start', () => {
    const keys: Array<{ author: 0 | 1; at: number; text: string }> = [];
    for (let i = 0; i < 40; i++) keys.push({ author: (i % 2) as 0 | 1, at: 1000 + i * 30, text: String.fromCharCode(97 + (i % 26)) });
    const { base, updates, final } = recordSession(keys);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, base);
    const { frames } = buildFrames(doc, updates, 'python', [], 0);
    expect(frames.reduce((text, f) => applyDelta(text, f.delta), 'start\n')).toBe(final);
    for (const author of ['ann', 'bob']) {
      const ts = frames.filter((f) => f.userId === author).map((f) => f.t);
      expect(ts.length).toBeGreaterThan(2);
      for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBeGreaterThanOrEqual(FRAME_WINDOW_MS);
    }
    // 40 keystrokes over 1.2 s by two authors: merged to about 2 frames per window, far fewer than 40
    expect(frames.length).toBeLessThan(30);
  });

  it('between windows the text is exactly what had been typed by then', () => {
    const { base, updates, truth } = recordSession([
      { author: 0, at: 100, text: 'a' },
      { author: 0, at: 120, text: 'b' },
      { author: 1, at: 400, text: 'c' },
      { author: 1, at: 410, text: 'd' },
      { author: 0, at: 900, text: 'e', pos: 0 },
    ]);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, base);
    const { frames } = buildFrames(doc, updates, 'python', [], 0);
    const textAt = (t: number) => frames.filter((f) => f.t <= t).reduce((text, f) => applyDelta(text, f.delta), 'start\n');
    for (const instant of [300, 800, 1000]) {
      const expected = [...truth].reverse().find((s) => s.at <= instant)!.text;
      expect(textAt(instant)).toBe(expected);
    }
    expect(frames.map((f) => f.userId)).toEqual(['ann', 'bob', 'ann']);
  });

  it('a language switch replaces the visible buffer', () => {
    const doc = new Y.Doc();
    doc.getText('code:python').insert(0, 'print(1)\n');
    doc.getText('code:javascript').insert(0, 'console.log(1);\n');
    const { frames, language } = buildFrames(doc, [], 'python', [{ at: 500, language: 'javascript', userId: 'ann' }], 0);
    expect(language).toBe('javascript');
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ t: 500, userId: 'ann', language: 'javascript' });
    expect(applyDelta('print(1)\n', frames[0]!.delta)).toBe('console.log(1);\n');
  });
});
