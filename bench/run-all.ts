/**
 * `npm run bench`: runs every benchmark script in `bench/` one after another (each in its own process, as
 * `node --import tsx bench/<name>.ts` would), then prints a summary of what each wrote to `bench/results/` and
 * saves it as `bench/results/summary.json`.
 *
 *   npm run bench                       every benchmark
 *   npm run bench -- rooms-http soak    only these
 *   npm run bench -- --list             list them
 *
 * A benchmark is a `bench/*.ts` file that no other bench file imports (those are shared helpers) and whose name
 * does not start with `_` or `.` (scratch files).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, writeResults, type Row } from './lib/report.js';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(BENCH, 'results');
const SELF = path.basename(fileURLToPath(import.meta.url), '.ts');

function benchmarks(): string[] {
  const files = readdirSync(BENCH).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.startsWith('.'));
  const names = files.map((f) => f.slice(0, -3));
  const imported = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(path.join(BENCH, f), 'utf8').matchAll(/from '\.\/([\w-]+)\.js'/g)) imported.add(m[1]!);
  }
  return names.filter((n) => n !== SELF && !imported.has(n)).sort();
}

function run(name: string): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH, `${name}.ts`)], { stdio: 'inherit', env: process.env });
    child.on('close', (code) => resolve({ code, ms: Date.now() - started }));
  });
}

/** Result files written since `sinceMs`. */
function resultsSince(sinceMs: number): string[] {
  return readdirSync(RESULTS)
    .filter((f) => f.endsWith('.json') && f !== 'summary.json' && statSync(path.join(RESULTS, f)).mtimeMs >= sinceMs)
    .map((f) => f.slice(0, -5));
}

/** The headline figures of a result file: numeric leaves named like ratios, rates or percentiles (first few). */
function headline(name: string): string {
  const FIGURE = /ratio|speedup|overhead|perSec|per_sec|ops|rps|p50|p95|p99/i;
  const found: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (found.length >= 4) return;
    if (typeof node === 'number' && FIGURE.test(at)) found.push(`${at}=${Number.isInteger(node) ? node : node.toFixed(2)}`);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, at ? `${at}.${k}` : k);
  };
  try {
    walk(JSON.parse(readFileSync(path.join(RESULTS, `${name}.json`), 'utf8')), '');
  } catch {
    return '(unreadable)';
  }
  return found.join('  ') || '(see file)';
}

async function main(args: string[]): Promise<number> {
  const all = benchmarks();
  if (args.includes('--list')) {
    console.log(all.join('\n'));
    return 0;
  }
  const unknown = args.filter((a) => !all.includes(a));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}\nknown: ${all.join(', ')}`);
    return 2;
  }
  const chosen = args.length > 0 ? args : all;
  const rows: Row[] = [];
  for (const [i, name] of chosen.entries()) {
    console.log(`\n=== [${i + 1}/${chosen.length}] ${name} ===`);
    const started = Date.now();
    const { code, ms } = await run(name);
    const written = resultsSince(started);
    rows.push({ benchmark: name, status: code === 0 ? 'ok' : `failed (${code})`, seconds: (ms / 1000).toFixed(1), results: written.join(', ') || '-' });
    for (const r of written) rows.push({ benchmark: `  ${r}.json`, status: '', seconds: '', results: headline(r) });
  }
  printTable('=== summary ===', rows);
  writeResults('summary', { rows });
  return rows.some((r) => String(r.status).startsWith('failed')) ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
