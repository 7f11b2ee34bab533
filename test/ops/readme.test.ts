/**
 * The README tells the truth about the code: every variable its configuration table documents is read by
 * `src/config.ts`, so is every variable `.env.example` sets for the backend, the architecture table names every
 * top-level folder, and `npm run bench` runs every benchmark script.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '../../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}`);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
};
const read = new Set(Object.keys(ConfigSchema.properties));
/** Variables of .env.example meant for the containers of docker compose, not for the backend. */
const COMPOSE_ONLY = new Set(['POSTGRES_PASSWORD', 'MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD']);

describe('README and .env.example', () => {
  it('every variable of the configuration table is read by the code', () => {
    const documented = [...section('Configuration').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((v) => !read.has(v))).toEqual([]);
  });

  it('every variable .env.example sets or shows is read (compose-only ones aside) and documented', () => {
    const vars = [...readFileSync(path.join(ROOT, '.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(vars.length).toBeGreaterThan(10);
    const backend = vars.filter((v) => !COMPOSE_ONLY.has(v));
    expect(backend.filter((v) => !read.has(v))).toEqual([]);
    expect(backend.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });

  it('the architecture table names every top-level folder', () => {
    const table = section('Architecture');
    const folders = readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
      .map((d) => d.name);
    const srcFolders = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`);
    const missing = [...folders.filter((f) => f !== 'src'), ...srcFolders].filter((f) => !table.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });

  it('npm run bench runs every benchmark script', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.bench).toBe('node --import tsx bench/run-all.ts');
    const listed = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/run-all.ts'), '--list'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(listed.status).toBe(0);
    const names = listed.stdout.trim().split('\n');
    for (const documented of [...section('Benchmarks').matchAll(/`([\w-]+)\.ts`/g)].map((m) => m[1]!)) {
      expect({ documented, run: names.includes(documented) }).toEqual({ documented, run: true });
    }
    expect(names).not.toContain('run-all');
  });
});
