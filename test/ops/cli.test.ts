/**
 * The command line as an operator meets it: help anywhere (no configuration, no database), configuration errors
 * that name the allowed values and never print a secret, `migrate` listing what it applied.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../src/infra/db/database.js';
import { TEST_DATABASE_URL } from '../support/env.js';
import { uniqueName } from '../support/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const COMMANDS = ['serve', 'migrate', 'projections', 'seed', 'replay', 'admin', 'reports', 'openapi'];

function syncode(args: string[], env: Record<string, string> = {}, cwd = mkdtempSync(path.join(tmpdir(), 'syncode-cli-'))) {
  const base = { ...(process.env as Record<string, string>) };
  delete base.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli.ts'), ...args], { cwd, env: { ...base, ...env }, timeout: 45_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

// Nothing listens there: any attempt to reach a database or Redis would fail the command.
const NOWHERE = { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1', NODE_ENV: 'production' };

describe('syncode help', () => {
  it('--help lists every command and exits 0 in a directory with no database or configuration', async () => {
    const r = await syncode(['--help'], NOWHERE);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s`, 'm'));
  }, 60_000);

  it('<command> --help prints that command\'s usage and exits 0, for every command', async () => {
    const results = await Promise.all(COMMANDS.map(async (c) => ({ c, r: await syncode([c, '--help'], NOWHERE) })));
    for (const { c, r } of results) {
      expect({ c, code: r.code }).toEqual({ c, code: 0 });
      expect(r.stdout).toContain(`usage: syncode ${c}`);
    }
  }, 60_000);

  it('an unknown command exits 2 with the overview', async () => {
    const r = await syncode(['frobnicate'], NOWHERE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command: frobnicate');
  }, 60_000);
});

describe('configuration errors', () => {
  it('name the allowed values, never print a secret, and refuse placeholders in production', async () => {
    const secret = 'too-short-but-secret';
    const r = await syncode(['migrate'], { ...NOWHERE, NODE_ENV: 'development', LOG_LEVEL: 'loud', STORAGE_DRIVER: 'ftp', AUTH_JWT_SECRET: secret });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
    expect(r.stderr).toContain('STORAGE_DRIVER: must be one of local, s3');
    expect(r.stderr).toContain('AUTH_JWT_SECRET:');
    expect(r.stderr).not.toContain(secret);
    const placeholder = await syncode(['migrate'], { ...NOWHERE, AUTH_JWT_SECRET: 'change-me-to-a-long-random-string-of-48-chars' });
    expect(placeholder.code).toBe(1);
    expect(placeholder.stderr).toContain('AUTH_JWT_SECRET must be set in production');
    expect(placeholder.stderr).not.toContain('change-me-to-a-long');
  }, 90_000);
});

describe('syncode migrate', () => {
  it('lists the migrations it applied, then reports the schema up to date', async () => {
    const schema = uniqueName('cli');
    const env = { DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema, LOG_LEVEL: 'silent', NODE_ENV: 'test' };
    try {
      const first = await syncode(['migrate'], env, ROOT);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^ {2}applied 0001_event_store$/m);
      expect(first.stdout).toMatch(/\d+ migration\(s\) applied/);
      const second = await syncode(['migrate'], env, ROOT);
      expect(second.stdout).toContain('migrations up to date');
      expect(second.stdout).not.toContain('applied 0001');
    } finally {
      const database = openDatabase(TEST_DATABASE_URL, schema, 1);
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db).catch(() => undefined);
      await database.close();
    }
  }, 60_000);
});
