/**
 * What a V8 heap snapshot holds, by kind: the self size and count of its nodes grouped by type and constructor
 * name (strings by length class, compiled code, closures, arrays), largest first. Self sizes only: the snapshot's
 * retained sizes need the dominator tree, which this summary does not compute.
 *   node --import tsx bench/lib/heap-summary.ts <file.heapsnapshot> [rows=40]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable } from './report.js';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  group: string;
  count: number;
  bytes: number;
}

export function summarizeHeap(file: string): { total: number; groups: HeapGroup[] } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const groups = new Map<string, HeapGroup>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const name = snap.strings[snap.nodes[i + nameAt]!] ?? '';
    const size = snap.nodes[i + sizeAt]!;
    total += size;
    const key = type === 'string' || type === 'concatenated string' || type === 'sliced string'
      ? `(string) ${size >= 65_536 ? '≥ 64 KB' : size >= 4096 ? '4-64 KB' : '< 4 KB'}`
      : type === 'object' || type === 'closure' || type === 'native'
        ? `${type} ${name.slice(0, 60)}`
        : `(${type}) ${type === 'code' || type === 'hidden' || type === 'array' ? name.slice(0, 40) : ''}`.trim();
    const g = groups.get(key) ?? { group: key, count: 0, bytes: 0 };
    g.count++;
    g.bytes += size;
    groups.set(key, g);
  }
  return { total, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: heap-summary.ts <file.heapsnapshot> [rows]');
  const { total, groups } = summarizeHeap(file);
  printTable(`${file}: ${(total / 1048576).toFixed(1)} MB in the snapshot`, groups.slice(0, Number(process.argv[3] ?? 40)).map((g) => ({
    group: g.group,
    count: g.count,
    MB: Number((g.bytes / 1048576).toFixed(2)),
    '%': Number(((g.bytes / total) * 100).toFixed(1)),
  })));
}
