/**
 * A Redis outage on the producers of queued work other than execution: the api reaches Redis through a TCP proxy the
 * test cuts (every connection dropped, new ones refused) and restores.
 *
 * AI requests (hint, code analysis, review, interviewer) need their queue: while Redis is down they answer 503
 * AI_SERVICE_UNAVAILABLE with Retry-After at once — not after the queue's deadline — and record nothing, so no
 * request is left pending and none counts against the hint limit (runs and submissions do the same, with
 * EXECUTION_SERVICE_UNAVAILABLE). Matchmaking needs only Postgres (the cycle runs
 * on each entry): it keeps answering and pairing during the outage.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { grantAdmin } from '../../src/commands/identity/admin.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { http, recovered, register, startCluster, until, type Cluster, type ClusterUser, type Reply } from './faults-support.js';

// Far above any fast answer: a producer that waits for the queue instead of refusing at once fails the test.
const QUEUE_DEADLINE_MS = 20_000;

let c: Cluster;
let admin: ClusterUser;

const call = (method: string, url: string, options: { token?: string; body?: unknown } = {}) => http(c.apiUrl, method, url, options);

async function timed(request: () => Promise<Reply>): Promise<Reply & { ms: number }> {
  const started = Date.now();
  const res = await request();
  return { ...res, ms: Date.now() - started };
}

function expectRefusedAtOnce(res: Reply & { ms: number }, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status: 503, code });
  expect(res.body).toMatchObject({ statusCode: 503, message: expect.any(String), timestamp: expect.any(String) });
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.headers.get('x-trace-id')).toBeTruthy();
  expect(res.ms).toBeLessThan(QUEUE_DEADLINE_MS / 2);
}

beforeAll(async () => {
  c = await startCluster({
    proxyRedis: true,
    env: { RATE_LIMIT_ENABLED: 'false', AI_QUEUE_TIMEOUT_MS: String(QUEUE_DEADLINE_MS), EXECUTION_QUEUE_TIMEOUT_MS: String(QUEUE_DEADLINE_MS) },
  });
  await Promise.all([c.start('projector'), c.start('api'), c.start('worker')]);
  admin = await register(c.apiUrl);
  await grantAdmin(c.ctx, systemMetadata(randomUUID()), { userId: admin.id });
}, 120_000);

afterAll(async () => {
  await c?.close();
});

/** An AI-mode room with a problem, in the coding phase: every AI endpoint is open to its host. */
async function aiRoomInCoding(): Promise<{ roomId: string; host: ClusterUser }> {
  const problem = await until('the admin role to reach the read model', async () => {
    const res = await call('POST', '/problems', {
      token: admin.token,
      body: { title: `Sum ${randomUUID().slice(0, 8)}`, description: 'Add.', difficulty: 'easy', isPublished: true, timeLimit: 2000, memoryLimit: 256, testCases: [{ input: '1 2\n', expectedOutput: '3\n' }] },
    });
    return res.status === 201 ? (res.body as { id: string }) : undefined;
  }, 20_000);
  const host = await register(c.apiUrl);
  const room = await call('POST', '/rooms', { token: host.token, body: { mode: 'ai', language: 'python', problemId: problem.id } });
  expect(room.status).toBe(201);
  const roomId = room.body.roomId as string;
  expect((await call('POST', `/rooms/${roomId}/ready`, { token: host.token })).status).toBe(200);
  for (const phase of ['warmup', 'coding']) {
    expect((await call('POST', `/rooms/${roomId}/control/transition`, { token: host.token, body: { targetStatus: phase } })).status).toBe(200);
  }
  return { roomId, host };
}

const code = 'a, b = map(int, input().split())\nprint(a + b)\n';
const aiRequests = (roomId: string, token: string): Record<string, () => Promise<Reply>> => ({
  hint: () => call('POST', `/rooms/${roomId}/ai/hint`, { token, body: { code, language: 'python', hintLevel: 'subtle' } }),
  analysis: () => call('POST', `/rooms/${roomId}/ai/code-analysis`, { token, body: { code, language: 'python' } }),
  review: () => call('POST', `/rooms/${roomId}/ai/review`, { token, body: { code, language: 'python' } }),
  interview: () =>
    call('POST', `/rooms/${roomId}/ai/interview`, {
      token,
      body: { trigger: 'user_message', userMessage: 'How should I start?', conversationHistory: [], currentCode: code, codeContext: { language: 'python', file: 'main.py', codeSnippet: 'a, b = map(int, input().split())', startLine: 1, endLine: 1 } },
    }),
});

async function aiRowsOf(roomId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT (SELECT count(*) FROM ai_hints WHERE room_id = ${roomId})
         + (SELECT count(*) FROM ai_code_analyses WHERE room_id = ${roomId})
         + (SELECT count(*) FROM ai_reviews WHERE room_id = ${roomId})
         + (SELECT count(*) FROM ai_interview_jobs WHERE room_id = ${roomId}) AS n`.execute(c.ctx.db);
  return Number(rows[0]!.n);
}

describe('Redis outage: AI requests and matchmaking', () => {
  it('AI requests answer 503 AI_SERVICE_UNAVAILABLE at once and record nothing; after the restore they are served', async () => {
    const { roomId, host } = await aiRoomInCoding();
    const requests = aiRequests(roomId, host.token);
    const [seeker, other] = await Promise.all([register(c.apiUrl), register(c.apiUrl)]);

    c.redisProxy!.cut();
    const cutAt = Date.now();
    // Four hint attempts: more than the hint limit allows, so a recorded attempt would show up as 429 later.
    for (let i = 0; i < 4; i++) {
      const hint = await timed(requests.hint!);
      process.stdout.write(`[fault] POST hint during the Redis outage answered ${hint.status} in ${hint.ms} ms\n`);
      expectRefusedAtOnce(hint, 'AI_SERVICE_UNAVAILABLE');
    }
    for (const name of ['analysis', 'review', 'interview']) {
      const res = await timed(requests[name]!);
      process.stdout.write(`[fault] POST ${name} during the Redis outage answered ${res.status} in ${res.ms} ms\n`);
      expectRefusedAtOnce(res, 'AI_SERVICE_UNAVAILABLE');
    }
    // Runs take the same fast path (admission refuses before the run is recorded).
    const run = await timed(() => call('POST', `/rooms/${roomId}/run`, { token: host.token, body: { language: 'python', code, stdin: '1 2\n' } }));
    expectRefusedAtOnce(run, 'EXECUTION_SERVICE_UNAVAILABLE');
    // Matchmaking needs only Postgres: an entry is taken and paired during the outage.
    expect((await call('POST', '/matchmaking/queue', { token: seeker.token, body: { languages: ['go'] } })).status).toBe(200);
    const paired = await call('POST', '/matchmaking/queue', { token: other.token, body: { languages: ['go'] } });
    expect(paired.status).toBe(200);
    expect(paired.body).toMatchObject({ status: 'matched', opponent: { userId: seeker.id } });
    expect(await aiRowsOf(roomId)).toBe(0);
    expect((await sql<{ n: string }>`SELECT count(*) AS n FROM runs WHERE room_id = ${roomId}`.execute(c.ctx.db)).rows[0]!.n).toBe('0');

    c.redisProxy!.restore();
    const restoredAt = Date.now();
    const hint = await until('a hint to be accepted again', async () => {
      const res = await requests.hint!();
      return res.status === 202 ? (res.body as { jobId: string }) : undefined;
    }, 30_000, 250);
    recovered(`Redis outage of ${restoredAt - cutAt} ms (AI requests accepted again)`, restoredAt);
    const answered = await until('the hint to be answered', async () => {
      const res = await call('GET', `/rooms/${roomId}/ai/hint/${hint.jobId}`, { token: host.token });
      return res.status === 200 && res.body.status !== 'pending' ? res.body : undefined;
    }, 60_000, 250);
    expect(answered.status).toBe('ready');
    for (const name of ['analysis', 'review', 'interview']) expect({ name, status: (await requests[name]!()).status }).toEqual({ name, status: 202 });
  }, 180_000);
});
