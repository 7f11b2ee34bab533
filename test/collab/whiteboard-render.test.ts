/** The whiteboard renderer: records of the `whiteboard` map to SVG (docs/whiteboard.md). */
import { describe, expect, it } from '@jest/globals';
import * as Y from 'yjs';
import { renderRecords, renderWhiteboard, shapeText } from '../../src/collab/whiteboard.js';

const shape = (id: string, type: string, props: Record<string, unknown>, o: Record<string, unknown> = {}) => ({
  id, typeName: 'shape', type, x: 0, y: 0, rotation: 0, index: 'a1', parentId: 'page:p', opacity: 1, props, meta: {}, ...o,
});

describe('renderRecords', () => {
  it('an empty board (or one with only a page) has no shapes', () => {
    expect(renderRecords({}).shapeCount).toBe(0);
    expect(renderRecords({ 'page:p': { id: 'page:p', typeName: 'page' } }).shapeCount).toBe(0);
  });

  it('shapes in a frame are placed in page coordinates; rotation and z-order are kept', () => {
    const { svg, shapeCount } = renderRecords({
      'shape:f': shape('shape:f', 'frame', { w: 400, h: 300, name: 'Plan' }, { x: 1000, y: 500, index: 'a1' }),
      'shape:l': shape('shape:l', 'line', { points: { b: { id: 'b', index: 'a2', x: 10, y: 0 }, a: { id: 'a', index: 'a1', x: 0, y: 0 } } }, { parentId: 'shape:f', x: 20, y: 30, index: 'a3', rotation: Math.PI / 2 }),
      'shape:t': shape('shape:t', 'text', { richText: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'O(n) & <fine>' }] }] }, color: 'violet' }, { index: 'a2' }),
    });
    expect(shapeCount).toBe(3);
    expect(svg).toContain('data-shape-id="shape:l" data-shape-type="line" transform="translate(1020 530) rotate(90)"');
    expect(svg).toContain('<path d="M0 0 L10 0"');
    expect(svg).toContain('O(n) &amp; &lt;fine&gt;');
    expect(svg).toContain('fill="#ae3ec9"');
    expect(svg.indexOf('shape:f')).toBeLessThan(svg.indexOf('shape:t'));
    expect(svg.indexOf('shape:t')).toBeLessThan(svg.indexOf('shape:l'));
  });

  it('geo shapes, arrows, notes and unknown sized shapes are drawn; the view box covers them', () => {
    const { svg } = renderRecords({
      a: shape('shape:e', 'geo', { geo: 'ellipse', w: 100, h: 40, color: 'green', fill: 'solid' }, { x: -50, y: -20 }),
      b: shape('shape:a', 'arrow', { start: { x: 0, y: 0 }, end: { x: 200, y: 0 }, text: 'calls' }, { x: 300, y: 300 }),
      c: shape('shape:n', 'note', { text: 'todo' }, { x: 600, y: 0 }),
      d: shape('shape:x', 'custom-widget', { w: 30, h: 30 }, { x: 0, y: 900 }),
    });
    expect(svg).toContain('<ellipse cx="50" cy="20" rx="50" ry="20" fill="#099268"');
    expect(svg).toContain('<line x1="0" y1="0" x2="200" y2="0"');
    expect(svg).toContain('>calls<');
    expect(svg).toContain('>todo<');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toMatch(/viewBox="-70 -40 [0-9.]+ [0-9.]+"/);
  });
});

describe('renderWhiteboard', () => {
  it('reads plain records and nested Y.Maps from the document', () => {
    const doc = new Y.Doc();
    const board = doc.getMap('whiteboard');
    board.set('shape:plain', shape('shape:plain', 'geo', { geo: 'rectangle', w: 10, h: 10 }));
    const nested = new Y.Map<unknown>();
    board.set('shape:nested', nested);
    for (const [k, v] of Object.entries(shape('shape:nested', 'geo', { geo: 'diamond', w: 20, h: 20 }))) nested.set(k, v);
    const out = renderWhiteboard(doc);
    expect(out.shapeCount).toBe(2);
    expect(out.svg).toContain('<polygon points="10,0 20,10 10,20 0,10"');
    expect(out.records['shape:nested']).toMatchObject({ type: 'geo' });
  });

  it('shapeText reads text and rich text', () => {
    expect(shapeText({ text: 'a' })).toBe('a');
    expect(shapeText({ richText: { content: [{ content: [{ text: 'one' }] }, { content: [{ text: 'two' }] }] } })).toBe('one\ntwo');
    expect(shapeText({})).toBe('');
  });
});
