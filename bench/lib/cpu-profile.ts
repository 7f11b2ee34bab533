/**
 * Where a process spent its CPU: self time by function and by file (or package) from a V8 `.cpuprofile` written by
 * `node --cpu-prof`.
 *   node --import tsx bench/lib/cpu-profile.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';
import { printTable } from './report.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  percent: number;
}

/** `node_modules/<package>` for dependencies, the path inside the repository for our code, `(native)` otherwise. */
function fileOf(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + 'node_modules/'.length).split('/');
    return `node_modules/${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const src = path.search(/\/(src|bench|test)\//);
  return src >= 0 ? path.slice(src + 1) : path;
}

function ranked(totals: Map<string, number>, totalMs: number, top: number): SelfTime[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / totalMs) * 1000) / 10 }));
}

export function summarizeProfile(file: string, top = 25): { totalMs: number; byFunction: SelfTime[]; byFile: SelfTime[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    totalMs += ms;
    const where = fileOf(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byFile.set(where, (byFile.get(where) ?? 0) + ms);
  });
  return { totalMs, byFunction: ranked(byFunction, totalMs, top), byFile: ranked(byFile, totalMs, top) };
}

export function printProfile(file: string, top = 25): void {
  const s = summarizeProfile(file, top);
  const rows = (list: SelfTime[]) => list.map((r) => ({ 'self ms': r.ms, '%': r.percent, where: r.name }));
  printTable(`${file}: ${Math.round(s.totalMs)} ms sampled — self time by file/package`, rows(s.byFile));
  printTable('self time by function', rows(s.byFunction));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!) && process.argv[2]) {
  printProfile(process.argv[2], Number(process.argv[3] ?? 25));
}
