/**
 * bin/syncode as an operator meets it: it runs the compiled build while that is up to date and the TypeScript
 * sources otherwise (never a stale build), always with the memory settings; and what scripts/build.sh compiles
 * runs by Node alone (no tsx) — the command line and the migrations of a fresh schema.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../src/infra/db/database.js';
import { TEST_DATABASE_URL } from '../support/env.js';
import { uniqueName } from '../support/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const base = { ...(process.env as Record<string, string>) };
  delete base.NODE_OPTIONS;
  const r = spawnSync(command, args, { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A checkout with the real launcher whose compiled and source entry points each say which one ran, and with what. */
function fakeCheckout(): { dir: string; touch(file: string, secondsAgo: number): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'syncode-launcher-'));
  const say = (which: string) => `console.log(JSON.stringify({ ran: '${which}', execArgv: process.execArgv, args: process.argv.slice(2), mmap: process.env.MALLOC_MMAP_THRESHOLD_ }));\n`;
  for (const d of ['bin', 'src', 'migrations', 'dist']) mkdirSync(path.join(dir, d));
  copyFileSync(path.join(ROOT, 'bin/syncode'), path.join(dir, 'bin/syncode'));
  writeFileSync(path.join(dir, 'src/cli.ts'), say('sources'));
  writeFileSync(path.join(dir, 'migrations/0001_x.migration.ts'), 'export {};\n');
  writeFileSync(path.join(dir, 'dist/cli.js'), say('compiled'));
  writeFileSync(path.join(dir, 'dist/.built'), '');
  const touch = (file: string, secondsAgo: number) => {
    const at = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(path.join(dir, file), at, at);
  };
  // directories count too: a source added or deleted makes the build stale
  for (const f of ['src/cli.ts', 'migrations/0001_x.migration.ts', 'dist/cli.js', 'src', 'migrations']) touch(f, 60);
  touch('dist/.built', 30);
  return { dir, touch };
}

describe('bin/syncode', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  const launch = (dir: string, env: Record<string, string> = {}) => {
    const r = run(path.join(dir, 'bin/syncode'), ['serve', '--role', 'api'], env);
    return { ...r, out: JSON.parse(r.stdout) as { ran: string; execArgv: string[]; args: string[]; mmap: string } };
  };

  it('runs the compiled build while it is newer than every source, with the memory settings and the arguments', () => {
    const c = fakeCheckout();
    made.push(c.dir);
    const r = launch(c.dir);
    expect(r.out.ran).toBe('compiled');
    expect(r.out.args).toEqual(['serve', '--role', 'api']);
    expect(r.out.execArgv).toEqual(expect.arrayContaining([expect.stringMatching(/^--max-semi-space-size=/), expect.stringMatching(/^--heap-growing-percent=/)]));
    expect(r.out.execArgv.join(' ')).not.toContain('tsx');
    expect(r.out.mmap).toBe('131072');
    expect(r.stderr).toBe('');
  });

  it('runs the sources through tsx, and says so, when a source, a migration or the set of migrations is newer than the build', () => {
    for (const edited of ['src/cli.ts', 'migrations/0001_x.migration.ts', 'migrations']) {
      const c = fakeCheckout();
      made.push(c.dir);
      c.touch(edited, 0);
      const r = launch(c.dir);
      expect({ edited, ran: r.out.ran }).toEqual({ edited, ran: 'sources' });
      expect(r.stderr).toContain('dist/ is older than the sources');
    }
  });

  it('runs the sources without a build, or when SYNCODE_RUN_SOURCES=1', () => {
    const c = fakeCheckout();
    made.push(c.dir);
    expect(launch(c.dir, { SYNCODE_RUN_SOURCES: '1' }).out.ran).toBe('sources');
    rmSync(path.join(c.dir, 'dist/.built'));
    expect(launch(c.dir).out.ran).toBe('sources');
    rmSync(path.join(c.dir, 'dist'), { recursive: true });
    expect(launch(c.dir).out.ran).toBe('sources');
  });
});

describe('the compiled build (scripts/build.sh)', () => {
  // inside the checkout (.scratch is ignored), so the compiled modules find node_modules as dist/ does
  const out = path.join(ROOT, '.scratch', `build-${process.pid}`, 'dist');
  afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  it('runs by Node alone: help, and every migration of a fresh schema, then none the second time', async () => {
    const built = run('bash', [path.join(ROOT, 'scripts/build.sh'), out]);
    expect(built.code).toBe(0);
    const help = run(process.execPath, [path.join(out, 'cli.js'), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: syncode <command>');

    const schema = uniqueName('launcher');
    const env = { DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema, NODE_ENV: 'test' };
    try {
      const first = run(process.execPath, [path.join(out, 'cli.js'), 'migrate'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('applied 0001_event_store');
      const again = run(process.execPath, [path.join(out, 'cli.js'), 'migrate'], env);
      expect(again.stdout).toContain('migrations up to date');
    } finally {
      const db = openDatabase(TEST_DATABASE_URL, 'public', 1);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db.db);
      await db.close();
    }
  }, 120_000);
});
