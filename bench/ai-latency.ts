/**
 * AI latency with the local coach: a hint request through HTTP, the AI stream, the BullMQ queue and the worker until
 * its result reads `ready` (p50/p99, goal p99 ≤ 100 ms), against the same request's 202 alone, measured in the same
 * run. Then the `openai` adapter's own cost per call against a chat-completions server answering after a fixed
 * delay, compared with a bare fetch of that server (goal ≤ 5 ms per call beyond the server's delay).
 *   node --import tsx bench/ai-latency.ts [requests=200] [serverDelayMs=20] [adapterCalls=200]
 */
import { sql } from 'kysely';
import pino from 'pino';
import { createLocalCoach } from '../src/infra/llm/index.js';
import { createOpenAiCoach } from '../src/infra/llm/openai/adapter.js';
import type { HintRequest } from '../src/infra/llm/port.js';
import { startChatServer } from '../test/ai/chat-server.js';
import { createHarness, type Harness } from '../test/support/harness.js';
import { registerAdmin, registerUser } from '../test/support/users.js';
import { startAiWorker } from '../src/workers/ai/start.js';
import { printTable, summarize, writeResults } from './lib/report.js';

const requests = Number(process.argv[2] ?? 200);
const serverDelayMs = Number(process.argv[3] ?? 20);
const adapterCalls = Number(process.argv[4] ?? 200);

const CODE = 'def solve(nums, target):\n    for i in range(len(nums)):\n        for j in range(i + 1, len(nums)):\n            if nums[i] + nums[j] == target:\n                return [i, j]\n    return []\n';

async function ok(h: Harness, method: 'POST' | 'GET', url: string, token: string, body?: unknown): Promise<any> {
  const res = await h.request({ method, url, token, ...(body !== undefined ? { body } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An AI room in coding with the problem, its host the candidate. */
async function codingRoom(h: Harness, problemId: string): Promise<{ roomId: string; host: { token: string } }> {
  const user = await registerUser(h);
  const room = await ok(h, 'POST', '/rooms', user.accessToken, { mode: 'ai', language: 'python', problemId });
  await ok(h, 'POST', `/rooms/${room.roomId}/ready`, user.accessToken);
  for (const targetStatus of ['warmup', 'coding']) await ok(h, 'POST', `/rooms/${room.roomId}/control/transition`, user.accessToken, { targetStatus });
  return { roomId: room.roomId, host: { token: user.accessToken } };
}

async function endToEnd() {
  const h = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false', COLLAB_PLANE_URL: 'http://127.0.0.1:9' } });
  const stopWorker = await startAiWorker(h.ctx);
  const admin = await registerAdmin(h);
  const problem = await ok(h, 'POST', '/problems', admin.accessToken, {
    title: 'Bench pair sum', description: 'Print the indices of two numbers adding up to the target.', difficulty: 'easy', isPublished: true,
    testCases: [{ input: '2\n1 2\n3\n', expectedOutput: '0 1\n' }, { input: '2\n2 2\n4\n', expectedOutput: '0 1\n', isHidden: true }],
    hints: { subtle: 'What do you need to remember about earlier numbers?', moderate: 'A hash map from value to index.', direct: 'Look up target - x before storing x.' },
  });
  const problemId = problem.id as string;
  const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const rooms = [];
  for (let i = 0; i < 10; i++) rooms.push(await codingRoom(h, problemId));
  const accepted: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < requests + 20; i++) {
    const room = rooms[i % rooms.length]!;
    const headers = { authorization: `Bearer ${room.host.token}`, 'content-type': 'application/json' };
    const started = performance.now();
    const res = await fetch(`${url}/rooms/${room.roomId}/ai/hint`, { method: 'POST', headers, body: JSON.stringify({ code: CODE, language: 'python', hintLevel: 'subtle' }) });
    const { jobId } = (await res.json()) as { jobId: string };
    if (res.status !== 202) throw new Error(`status ${res.status}`);
    const acceptedAt = performance.now();
    for (;;) {
      const r = await fetch(`${url}/rooms/${room.roomId}/ai/hint/${jobId}`, { headers });
      const body = (await r.json()) as { status: string };
      if (body.status === 'ready') break;
      if (body.status === 'failed') throw new Error('hint failed');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (i >= 20) {
      accepted.push(acceptedAt - started);
      ready.push(performance.now() - started);
    }
  }
  // Where the time goes: from the request event to the answer event (enqueue, queue pick-up, context, coach, append).
  const { rows } = await sql<{ ms: number }>`
    SELECT extract(epoch FROM completed_at - requested_at) * 1000 AS ms FROM ai_hints ORDER BY requested_at OFFSET 20`.execute(h.ctx.db);
  await stopWorker();
  await h.close();
  return { accepted: summarize(accepted), ready: summarize(ready), requestedToAnswered: summarize(rows.map((r) => Number(r.ms))) };
}

async function adapterOverhead() {
  const hint = JSON.stringify({ hint: 'Keep a map from value to index and look up the complement on line 4.', suggestedApproach: null, reflectionPrompt: null });
  const server = await startChatServer({ content: hint, delayMs: serverDelayMs });
  const adapter = createOpenAiCoach(
    { baseUrl: server.url, apiKey: 'bench', model: 'bench-model', timeoutMs: 5000, maxRetries: 0, retryBaseMs: 10, retryAfterMaxMs: 1000, jsonMode: true, breakerResetMs: 60_000, breakerVolume: 1000 },
    createLocalCoach(),
    pino({ level: 'silent' }),
  );
  const req: HintRequest = {
    language: 'python', code: CODE, phase: 'coding', previousHints: [], conversation: [], analysis: null, execution: null,
    problem: { title: 'Two Sum', description: 'Find two indices.', constraints: null, difficulty: 'easy', tags: [], examples: [], ladder: null },
    level: 'moderate', stage: 'initial', iteration: 1, previousHint: null, reflection: null,
  };
  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'hi' }] });
  const bare: number[] = [];
  const viaAdapter: number[] = [];
  for (let i = 0; i < adapterCalls + 10; i++) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.json();
    const t1 = performance.now();
    const answer = await adapter.hint(req);
    const t2 = performance.now();
    if (answer.model !== 'bench-model') throw new Error('the adapter fell back');
    if (i >= 10) {
      bare.push(t1 - t0);
      viaAdapter.push(t2 - t1);
    }
  }
  adapter.guard.breaker.shutdown();
  await server.close();
  return { bare: summarize(bare), adapter: summarize(viaAdapter) };
}

const e2e = await endToEnd();
const llm = await adapterOverhead();
const overheadP50 = llm.adapter.p50 - llm.bare.p50;
const overheadP99 = llm.adapter.p99 - llm.bare.p99;

printTable(`Hint with the local coach, ${requests} requests, 1 client (ms)`, [
  { path: 'POST → 202 (baseline)', ...e2e.accepted },
  { path: 'POST → result ready', ...e2e.ready },
  { path: '(request event → answer event)', ...e2e.requestedToAnswered },
]);
console.log(`request → ready p99 ${e2e.ready.p99.toFixed(1)} ms (goal ≤ 100 ms); ${(e2e.ready.p99 / e2e.accepted.p99).toFixed(2)}× the 202 p99`);
printTable(`OpenAI-compatible adapter, server delay ${serverDelayMs} ms, ${adapterCalls} calls (ms)`, [
  { path: 'bare fetch (baseline)', ...llm.bare },
  { path: 'adapter.hint (prompt, call, validate, sanitise)', ...llm.adapter },
]);
console.log(`adapter overhead beyond the bare call: p50 ${overheadP50.toFixed(2)} ms, p99 ${overheadP99.toFixed(2)} ms (goal ≤ 5 ms per call)`);
writeResults('ai-latency', {
  requests,
  serverDelayMs,
  adapterCalls,
  endToEnd: e2e,
  readyToAcceptedP99: e2e.ready.p99 / e2e.accepted.p99,
  goalReadyP99Ms: 100,
  adapter: llm,
  adapterOverheadMs: { p50: overheadP50, p99: overheadP99 },
  goalAdapterOverheadMs: 5,
});
process.exit(0);
