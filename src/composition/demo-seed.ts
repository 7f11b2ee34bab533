/**
 * Demo data for a first look (`syncode seed --demo`, or `npm start` with SEED_DEMO=true on an empty database): an
 * admin and two users, printed with their passwords, and one finished peer session between the two users with a
 * run, a failed and an accepted submission, peer feedback and (once the grader ran) a report.
 *
 * Everything goes through the public API of a running process, exactly as a client would do it, so the demo
 * session has the same events, read models and side effects (judging, reports) as a real one. Only the admin role
 * is granted directly, as `syncode admin grant` does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { grantAdmin } from '../commands/identity/admin.js';
import { systemMetadata } from '../commands/metadata.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from './context.js';

const PROBLEM_SLUG = 'best-time-to-buy-and-sell-stock';
const SOLUTION = new URL(`../../problem-bank/solutions/${PROBLEM_SLUG}.py`, import.meta.url);
const WAIT_MS = 90_000;

export const DEMO_ACCOUNTS = [
  { key: 'admin', username: 'demo_admin', email: 'admin@demo.syncode.local', role: 'admin' },
  { key: 'alice', username: 'demo_alice', email: 'alice@demo.syncode.local', role: 'user' },
  { key: 'bob', username: 'demo_bob', email: 'bob@demo.syncode.local', role: 'user' },
] as const;

interface Account {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
}

type Log = (line: string) => void;

class DemoClient {
  constructor(private readonly base: string) {}

  async call(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async expect(status: number, method: string, path: string, token?: string, body?: unknown): Promise<any> {
    const res = await this.call(method, path, token, body);
    if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** True when the database has no account yet (what SEED_DEMO on start checks). */
export async function hasNoUsers(ctx: AppContext): Promise<boolean> {
  const { rows } = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM users) AS any`.execute(ctx.db);
  return !rows[0]?.any;
}

async function createAccounts(ctx: AppContext, api: DemoClient): Promise<Record<'admin' | 'alice' | 'bob', Account>> {
  const out = {} as Record<'admin' | 'alice' | 'bob', Account>;
  for (const a of DEMO_ACCOUNTS) {
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    const res = await api.expect(201, 'POST', '/auth/register', undefined, { username: a.username, email: a.email, password });
    out[a.key] = { id: res.user.id, username: a.username, email: a.email, password, token: res.accessToken };
  }
  await grantAdmin(ctx, systemMetadata(randomUUID()), { email: out.admin.email });
  return out;
}

async function findProblem(api: DemoClient, token: string, log: Log): Promise<{ id: string; slug?: string; title: string }> {
  const found = await until('the problem bank', async () => {
    const page = await api.expect(200, 'GET', `/problems?search=${encodeURIComponent('Best Time to Buy')}&limit=5`, token);
    const items = (page.data ?? page.items ?? []) as Array<{ id: string; slug?: string; title: string }>;
    return items.find((p) => p.slug === PROBLEM_SLUG || p.title.startsWith('Best Time')) ?? items[0];
  });
  if (!found) throw new Error('the problem bank is empty: run `syncode seed` first');
  log(`  problem: ${found.title}`);
  return found;
}

async function judged(api: DemoClient, token: string, roomId: string, kind: 'runs' | 'submissions', id: string): Promise<any> {
  return until(`${kind} ${id}`, async () => {
    const page = await api.expect(200, 'GET', `/rooms/${roomId}/${kind}?limit=20`, token);
    const item = ((page.data ?? page.items ?? []) as Array<Record<string, unknown>>).find((r) => r.runId === id || r.submissionId === id || r.id === id);
    return item && item.status !== 'pending' && item.status !== 'running' && item.status !== 'queued' ? item : undefined;
  });
}

async function playSession(api: DemoClient, people: Record<'alice' | 'bob', Account>, log: Log): Promise<string> {
  const { alice, bob } = people;
  const problem = await findProblem(api, alice.token, log);
  const room = await api.expect(201, 'POST', '/rooms', alice.token, { mode: 'peer', language: 'python', problemId: problem.id, name: 'Demo: mock interview' });
  await api.expect(200, 'POST', `/rooms/${room.roomId}/join`, bob.token, { roomCode: room.roomCode });
  await api.expect(200, 'POST', `/rooms/${room.roomId}/ready`, alice.token);
  await api.expect(200, 'POST', `/rooms/${room.roomId}/ready`, bob.token);
  for (const targetStatus of ['warmup', 'coding']) await api.expect(200, 'POST', `/rooms/${room.roomId}/control/transition`, alice.token, { targetStatus });
  log(`  room ${room.roomCode}: coding`);

  const solution = await readFile(SOLUTION, 'utf8');
  const run = await api.expect(202, 'POST', `/rooms/${room.roomId}/run`, bob.token, { language: 'python', code: 'print(sum(map(int, input().split())))\n', stdin: '7 1 5 3 6 4\n' });
  const ran = await judged(api, bob.token, room.roomId, 'runs', run.jobId);
  log(`  run: ${ran?.status ?? 'still running'}`);
  const first = await api.expect(202, 'POST', `/rooms/${room.roomId}/submit`, bob.token, { language: 'python', code: 'print(0)\n' });
  const firstResult = await judged(api, bob.token, room.roomId, 'submissions', first.submissionId);
  log(`  first submission: ${firstResult?.verdict ?? firstResult?.status ?? 'still judging'}`);
  const second = await api.expect(202, 'POST', `/rooms/${room.roomId}/submit`, bob.token, { language: 'python', code: solution });
  const secondResult = await judged(api, bob.token, room.roomId, 'submissions', second.submissionId);
  log(`  second submission: ${secondResult?.verdict ?? secondResult?.status ?? 'still judging'}`);

  for (const targetStatus of ['wrapup', 'finished']) await api.expect(200, 'POST', `/rooms/${room.roomId}/control/transition`, alice.token, { targetStatus });
  const detail = await api.expect(200, 'GET', `/rooms/${room.roomId}`, alice.token);
  return detail.sessionId as string;
}

async function giveFeedback(api: DemoClient, sessionId: string, people: Record<'alice' | 'bob', Account>, log: Log): Promise<void> {
  const { alice, bob } = people;
  const ratings = { problemSolving: 4, communication: 5, codeQuality: 4, wouldPairAgain: 5 };
  const comments = 'Clear plan before coding, explained the one-pass idea well; test the empty input earlier next time.';
  const given = await api.call('POST', `/sessions/${sessionId}/feedback`, alice.token, { candidateId: bob.id, ratings, comments });
  const skipped = await api.call('POST', `/sessions/${sessionId}/feedback/skip-all`, bob.token, {});
  log(`  peer feedback: ${given.status === 201 ? 'given' : `not available (${given.status})`}${skipped.status < 300 ? ', the other side skipped' : ''}`);
}

export async function seedDemo(ctx: AppContext, baseUrl: string, log: Log = (line) => ctx.logger.info(line)): Promise<void> {
  const api = new DemoClient(baseUrl.replace(/\/+$/, ''));
  if (!(await hasNoUsers(ctx))) {
    const existing = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE email = ${DEMO_ACCOUNTS[0].email}`.execute(ctx.db);
    if ((existing.rows[0]?.n ?? 0) > 0) {
      log('demo accounts exist already; nothing to do');
      return;
    }
  }
  log('creating demo accounts…');
  const people = await createAccounts(ctx, api);
  log('playing a peer session…');
  const sessionId = await playSession(api, people, log);
  await giveFeedback(api, sessionId, people, log);
  const report = await until('the report', async () => {
    const s = await api.expect(200, 'GET', `/sessions/${sessionId}`, people.bob.token);
    return s.hasReport === true || s.report ? true : undefined;
  }, 30_000);
  log(`  report: ${report ? 'generated' : 'not generated yet (the grader runs in the worker role)'}`);
  log(`demo session ${sessionId}`);
  log('demo accounts (sign in with POST /auth/login {identifier, password}):');
  for (const a of DEMO_ACCOUNTS) log(`  ${a.role.padEnd(5)}  ${people[a.key].email.padEnd(26)}  ${people[a.key].password}`);
}

/** Role starter (api): with SEED_DEMO=true and no account yet, seed the demo in the background once listening. */
export async function seedDemoOnStart(ctx: AppContext, server: Server | undefined): Promise<() => Promise<void>> {
  if (!ctx.config.SEED_DEMO || !server || !(await hasNoUsers(ctx))) return async () => undefined;
  const { port } = server.address() as AddressInfo;
  const running = seedDemo(ctx, `http://127.0.0.1:${port}`, (line) => console.log(line)).catch((err: unknown) => ctx.logger.error({ err }, 'demo seeding failed'));
  return async () => {
    await running;
  };
}
