/**
 * `syncode seed --demo` on an empty schema: prints an admin and two users with their passwords, and leaves a
 * finished peer session (runs, submissions, feedback, report) that the printed accounts can see through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { routeModules } from '../../src/http/modules.js';
import type { App } from '../../src/http/types.js';
import { createLogger } from '../../src/infra/observability/logger.js';
import type { AppContext } from '../../src/composition/context.js';
import { closeContext, createContext } from '../../src/composition/create-context.js';
import { wire } from '../../src/composition/wiring.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { uniqueName } from '../support/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schema = uniqueName('demo');
const env = { NODE_ENV: 'test', DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, DB_SCHEMA: schema, REDIS_PREFIX: `test:${schema}`, DB_POOL_SIZE: '6' };

let output = '';
let exitCode: number | null = null;
let ctx: AppContext;
let app: App;

beforeAll(async () => {
  const base = { ...(process.env as Record<string, string>) };
  delete base.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'seed', '--demo'], { cwd: ROOT, env: { ...base, ...env, LOG_LEVEL: 'error' } });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent', SEED_ON_START: 'false', SCHEDULER_ENABLED: 'false' }), { logger: createLogger('silent') });
  await wire(ctx);
  app = await buildApp(ctx, routeModules);
  await app.ready();
}, 240_000);

afterAll(async () => {
  await app?.close();
  const keys = await ctx.redis.keys(`test:${schema}:*`);
  if (keys.length > 0) await ctx.redis.del(...keys);
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(ctx.db).catch(() => undefined);
  await closeContext(ctx);
});

const account = (role: string, who: string) => {
  const m = new RegExp(`^ {2}${role}\\s+(${who}@demo\\.syncode\\.local)\\s+(\\S+)$`, 'm').exec(output);
  if (!m) throw new Error(`no ${who} account in:\n${output}`);
  return { email: m[1]!, password: m[2]! };
};

async function login(email: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { identifier: email, password } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { accessToken: string }).accessToken;
}

describe('syncode seed --demo', () => {
  it('exits 0 and prints the three accounts with their passwords and the steps it played', () => {
    expect({ exitCode, output }).toMatchObject({ exitCode: 0 });
    expect(output).toMatch(/first submission: (WA|wrong|failed)/i);
    expect(output).toMatch(/second submission: (AC|accepted)/i);
    for (const [role, who] of [['admin', 'admin'], ['user', 'alice'], ['user', 'bob']]) expect(account(role!, who!).password.length).toBeGreaterThanOrEqual(12);
  });

  it('the printed passwords sign in; the admin is an admin', async () => {
    const admin = account('admin', 'admin');
    const token = await login(admin.email, admin.password);
    const me = await app.inject({ method: 'GET', url: '/users/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ email: admin.email, role: 'admin' });
  });

  it('bob sees one finished session with his submissions, feedback and a report', async () => {
    const bob = account('user', 'bob');
    const token = await login(bob.email, bob.password);
    const auth = { authorization: `Bearer ${token}` };
    const history = (await app.inject({ method: 'GET', url: '/sessions', headers: auth })).json() as { data: Array<{ sessionId?: string; id?: string }> };
    expect(history.data).toHaveLength(1);
    const sessionId = history.data[0]!.sessionId ?? history.data[0]!.id;
    const detail = (await app.inject({ method: 'GET', url: `/sessions/${sessionId}`, headers: auth })).json() as Record<string, unknown>;
    expect(JSON.stringify(detail)).toMatch(/finished/);
    expect(detail.hasReport ?? Boolean(detail.report)).toBe(true);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM submissions`.execute(ctx.db);
    expect(rows[0]!.n).toBe(2);
    const feedback = await app.inject({ method: 'GET', url: `/sessions/${sessionId}/feedback`, headers: auth });
    expect(feedback.statusCode).toBe(200);
    expect(JSON.stringify(feedback.json())).toContain('Clear plan before coding');
  });
});
