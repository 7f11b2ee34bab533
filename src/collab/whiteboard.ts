/**
 * The room whiteboard as a picture: renders the `whiteboard` Y.Map of a room's document (tldraw records, layout in
 * docs/whiteboard.md) to a standalone SVG, next to the raw records as JSON. Used for the session's whiteboard
 * export (at the finish, and on demand by the host).
 *
 * Shapes drawn: freehand strokes (`draw`, `highlight`), geometric shapes (`geo`), lines, arrows, text, sticky
 * notes, frames and images; any other shape with a size becomes its outline, so nothing drawn silently vanishes.
 * Coordinates of shapes inside a frame or group are relative to their parent and are resolved to page coordinates.
 */
import * as Y from 'yjs';

export const WHITEBOARD_MAP = 'whiteboard';

type Json = Record<string, unknown>;

export interface WhiteboardRender {
  svg: string;
  /** every record of the board, keyed by record id */
  records: Record<string, unknown>;
  shapeCount: number;
}

const COLORS: Record<string, string> = {
  black: '#1d1d1d',
  grey: '#9fa8b2',
  'light-violet': '#e085f4',
  violet: '#ae3ec9',
  blue: '#4465e9',
  'light-blue': '#4ba1f1',
  yellow: '#f1ac4b',
  orange: '#e16919',
  green: '#099268',
  'light-green': '#4cb05e',
  'light-red': '#f87777',
  red: '#e03131',
  white: '#ffffff',
};
const STROKES: Record<string, number> = { s: 2, m: 3.5, l: 5, xl: 10 };
const FONT_SIZES: Record<string, number> = { s: 18, m: 24, l: 36, xl: 44 };

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const colour = (props: Json) => COLORS[String(props['color'] ?? 'black')] ?? COLORS['black']!;
const stroke = (props: Json) => STROKES[String(props['size'] ?? 'm')] ?? STROKES['m']!;
const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Plain text of a shape: `props.text`, or the text nodes of a rich-text document (`props.richText`). */
export function shapeText(props: Json): string {
  if (typeof props['text'] === 'string') return props['text'];
  const parts: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    const n = obj(node);
    if (typeof n['text'] === 'string') parts.push(n['text']);
    const content = n['content'];
    if (Array.isArray(content)) {
      content.forEach((child, i) => {
        walk(child, depth + 1);
        if (depth === 0 && i < content.length - 1) parts.push('\n');
      });
    }
  };
  walk(props['richText'], 0);
  return parts.join('');
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

class Bounds {
  box: Box | null = null;
  add(x: number, y: number): void {
    if (!this.box) this.box = { minX: x, minY: y, maxX: x, maxY: y };
    else {
      this.box.minX = Math.min(this.box.minX, x);
      this.box.minY = Math.min(this.box.minY, y);
      this.box.maxX = Math.max(this.box.maxX, x);
      this.box.maxY = Math.max(this.box.maxY, y);
    }
  }
}

function textElement(text: string, x: number, y: number, props: Json, anchor: 'start' | 'middle' = 'start'): string {
  const size = FONT_SIZES[String(props['size'] ?? 'm')] ?? 24;
  const lines = text.split('\n');
  const spans = lines
    .map((line, i) => `<tspan x="${fmt(x)}" dy="${i === 0 ? 0 : fmt(size * 1.3)}">${escapeXml(line)}</tspan>`)
    .join('');
  return `<text x="${fmt(x)}" y="${fmt(y + size)}" font-family="sans-serif" font-size="${size}" fill="${colour(props)}" text-anchor="${anchor}">${spans}</text>`;
}

function pointsOf(value: unknown): Array<{ x: number; y: number }> {
  const list = Array.isArray(value) ? value : Object.values(obj(value)).sort((a, b) => String(obj(a)['index'] ?? '').localeCompare(String(obj(b)['index'] ?? '')));
  return list.map((p) => ({ x: num(obj(p)['x']), y: num(obj(p)['y']) }));
}

const pathOf = (points: Array<{ x: number; y: number }>) =>
  points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(p.x)} ${fmt(p.y)}`).join(' ') + (points.length === 1 ? ` L${fmt(points[0]!.x + 0.1)} ${fmt(points[0]!.y)}` : '');

/** An arrow from `props.start` to `props.end` with its head and optional label. */
function arrowBody(props: Json, c: string, sw: number): { body: string; extent: Array<[number, number]> } {
  const start = obj(props['start']);
  const end = obj(props['end']);
  const [x1, y1, x2, y2] = [num(start['x']), num(start['y']), num(end['x']), num(end['y'])];
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const head = sw * 4;
  const a1 = [x2 - head * Math.cos(angle - Math.PI / 7), y2 - head * Math.sin(angle - Math.PI / 7)];
  const a2 = [x2 - head * Math.cos(angle + Math.PI / 7), y2 - head * Math.sin(angle + Math.PI / 7)];
  const label = shapeText(props);
  return {
    body:
      `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="${c}" stroke-width="${fmt(sw)}" stroke-linecap="round"/>` +
      `<polygon points="${fmt(x2)},${fmt(y2)} ${fmt(a1[0]!)},${fmt(a1[1]!)} ${fmt(a2[0]!)},${fmt(a2[1]!)}" fill="${c}"/>` +
      (label ? textElement(label, (x1 + x2) / 2, (y1 + y2) / 2, props, 'middle') : ''),
    extent: [[x1, y1], [x2, y2]],
  };
}

/** One shape's SVG in its own coordinates (origin = the shape's x, y), and the local points that bound it. */
function shapeBody(type: string, props: Json, assets: Map<string, Json>): { body: string; extent: Array<[number, number]> } {
  const c = colour(props);
  const sw = stroke(props);
  const w = num(props['w'], 0);
  const h = num(props['h'], 0);
  const rectExtent: Array<[number, number]> = [[0, 0], [w, h]];
  const filled = props['fill'] !== undefined && props['fill'] !== 'none';
  switch (type) {
    case 'draw':
    case 'highlight': {
      const segments = Array.isArray(props['segments']) ? props['segments'] : [];
      const points = segments.flatMap((s) => pointsOf(obj(s)['points']));
      const d = segments.map((s) => pathOf(pointsOf(obj(s)['points']))).filter((p) => p.length > 0).join(' ');
      const opacity = type === 'highlight' ? ' stroke-opacity="0.5"' : '';
      const width = type === 'highlight' ? sw * 4 : sw;
      return {
        body: `<path d="${d}" fill="none" stroke="${c}" stroke-width="${fmt(width)}" stroke-linecap="round" stroke-linejoin="round"${opacity}/>`,
        extent: points.map((p) => [p.x, p.y]),
      };
    }
    case 'geo': {
      const fill = filled ? c : 'none';
      const fillOpacity = filled ? ' fill-opacity="0.3"' : '';
      const geo = String(props['geo'] ?? 'rectangle');
      let outline: string;
      if (geo === 'ellipse' || geo === 'oval') outline = `<ellipse cx="${fmt(w / 2)}" cy="${fmt(h / 2)}" rx="${fmt(w / 2)}" ry="${fmt(h / 2)}"`;
      else if (geo === 'triangle') outline = `<polygon points="${fmt(w / 2)},0 ${fmt(w)},${fmt(h)} 0,${fmt(h)}"`;
      else if (geo === 'diamond') outline = `<polygon points="${fmt(w / 2)},0 ${fmt(w)},${fmt(h / 2)} ${fmt(w / 2)},${fmt(h)} 0,${fmt(h / 2)}"`;
      else outline = `<rect width="${fmt(w)}" height="${fmt(h)}"`;
      const label = shapeText(props);
      const text = label ? textElement(label, w / 2, h / 2 - (FONT_SIZES[String(props['size'] ?? 'm')] ?? 24) / 2, props, 'middle') : '';
      return { body: `${outline} fill="${fill}"${fillOpacity} stroke="${c}" stroke-width="${fmt(sw)}"/>${text}`, extent: rectExtent };
    }
    case 'line': {
      const points = pointsOf(props['points']);
      return { body: `<path d="${pathOf(points)}" fill="none" stroke="${c}" stroke-width="${fmt(sw)}" stroke-linecap="round"/>`, extent: points.map((p) => [p.x, p.y]) };
    }
    case 'arrow':
      return arrowBody(props, c, sw);
    case 'text':
      return { body: textElement(shapeText(props), 0, 0, props), extent: [[0, 0], [Math.max(w, shapeText(props).length * 12), Math.max(h, 30)]] };
    case 'note': {
      const size = 200;
      const bg = COLORS[String(props['color'] ?? 'yellow')] ?? COLORS['yellow']!;
      return {
        body: `<rect width="${size}" height="${size}" fill="${bg}" fill-opacity="0.35" stroke="${bg}"/>` + textElement(shapeText(props), 12, 8, { ...props, color: 'black' }),
        extent: [[0, 0], [size, size]],
      };
    }
    case 'frame':
      return {
        body: `<rect width="${fmt(w)}" height="${fmt(h)}" fill="none" stroke="#9fa8b2"/>` + textElement(String(props['name'] ?? ''), 0, -30, { size: 's', color: 'grey' }),
        extent: rectExtent,
      };
    case 'image':
    case 'video': {
      const asset = assets.get(String(props['assetId'] ?? ''));
      const src = asset ? obj(asset['props'])['src'] : undefined;
      const body = typeof src === 'string' && type === 'image'
        ? `<image href="${escapeXml(src)}" width="${fmt(w)}" height="${fmt(h)}" preserveAspectRatio="none"/>`
        : `<rect width="${fmt(w)}" height="${fmt(h)}" fill="#f3f3f3" stroke="#9fa8b2"/>`;
      return { body, extent: rectExtent };
    }
    default:
      return w > 0 || h > 0 ? { body: `<rect width="${fmt(w)}" height="${fmt(h)}" fill="none" stroke="${c}" stroke-dasharray="6 4"/>`, extent: rectExtent } : { body: '', extent: [] };
  }
}

/** A record as plain JSON, whether it is stored as a plain value or as a nested Y.Map. */
function plain(value: unknown): unknown {
  return value instanceof Y.AbstractType ? (value.toJSON() as unknown) : value;
}

/** Render the board's records (record id → tldraw record) to SVG. */
export function renderRecords(records: Record<string, unknown>): WhiteboardRender {
  const all = Object.values(records).map(obj);
  const shapes = all.filter((r) => r['typeName'] === 'shape' && typeof r['id'] === 'string');
  const assets = new Map(all.filter((r) => r['typeName'] === 'asset').map((r) => [String(r['id']), r]));
  const byId = new Map(shapes.map((s) => [String(s['id']), s]));
  const origin = (s: Json, depth = 0): [number, number] => {
    const parent = byId.get(String(s['parentId'] ?? ''));
    const [px, py] = parent && depth < 32 ? origin(parent, depth + 1) : [0, 0];
    return [px + num(s['x']), py + num(s['y'])];
  };
  const ordered = [...shapes].sort((a, b) => String(a['index'] ?? '').localeCompare(String(b['index'] ?? '')) || String(a['id']).localeCompare(String(b['id'])));
  const bounds = new Bounds();
  const parts: string[] = [];
  for (const s of ordered) {
    const props = obj(s['props']);
    const { body, extent } = shapeBody(String(s['type'] ?? ''), props, assets);
    if (!body) continue;
    const [x, y] = origin(s);
    const rotation = num(s['rotation']);
    for (const [ex, ey] of extent) {
      bounds.add(x + ex * Math.cos(rotation) - ey * Math.sin(rotation), y + ex * Math.sin(rotation) + ey * Math.cos(rotation));
    }
    const opacity = typeof s['opacity'] === 'number' && s['opacity'] < 1 ? ` opacity="${fmt(s['opacity'])}"` : '';
    const rotate = rotation !== 0 ? ` rotate(${fmt((rotation * 180) / Math.PI)})` : '';
    parts.push(`<g data-shape-id="${escapeXml(String(s['id']))}" data-shape-type="${escapeXml(String(s['type']))}" transform="translate(${fmt(x)} ${fmt(y)})${rotate}"${opacity}>${body}</g>`);
  }
  const pad = 20;
  const box = bounds.box ?? { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  const [vx, vy, vw, vh] = [box.minX - pad, box.minY - pad, box.maxX - box.minX + 2 * pad, box.maxY - box.minY + 2 * pad];
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${fmt(vx)} ${fmt(vy)} ${fmt(vw)} ${fmt(vh)}" width="${fmt(vw)}" height="${fmt(vh)}">` +
    `<rect x="${fmt(vx)}" y="${fmt(vy)}" width="${fmt(vw)}" height="${fmt(vh)}" fill="#ffffff"/>${parts.join('')}</svg>`;
  return { svg, records, shapeCount: shapes.length };
}

/** Render the whiteboard of a room document. */
export function renderWhiteboard(doc: Y.Doc): WhiteboardRender {
  const map = doc.getMap(WHITEBOARD_MAP);
  const records: Record<string, unknown> = {};
  for (const [key, value] of map.entries()) records[key] = plain(value);
  return renderRecords(records);
}
