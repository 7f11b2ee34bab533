/**
 * The coach works from what really happened in the room (real sandbox runs and submissions): a TLE submission gets
 * a complexity hint naming the nested loop's lines, a crashing run gets the exception and its line. Hidden test data
 * planted in the problem never reaches an answer — from the local coach, or from a scripted model that tries to echo
 * it — nor a prompt.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { useLlm } from '../../src/commands/ai/llm.js';
import { createLocalCoach } from '../../src/infra/llm/index.js';
import { createOpenAiCoach } from '../../src/infra/llm/openai/adapter.js';
import { startChatServer, type ChatServer } from './chat-server.js';
import { aiHarness, aiRoom, createProblem, hint, interview, pollReady, type AiHarness } from './support.js';

let h: AiHarness;
let server: ChatServer;
let problemId: string;

// Planted hidden values: none of these may appear in any answer or prompt.
const PLANTED_INPUT = '2\n918273 645546\n1563819\n';
const PLANTED_EXPECTED = '0 1\n';
// ~6,600 two-digit values and an unreachable target: a quadratic scan does ~22 million comparisons.
const big = Array.from({ length: 6600 }, (_, i) => 10 + ((i * 7919) % 90));
const BIG_INPUT = `${big.length}\n${big.join(' ')}\n1000\n`;

const NESTED = [
  'import sys',
  '',
  'def solve(nums, target):',
  '    for i in range(len(nums)):',
  '        for j in range(i + 1, len(nums)):',
  '            if nums[i] + nums[j] == target:',
  '                return [i, j]',
  '    return [-1, -1]',
  '',
  'data = sys.stdin.read().split()',
  'n = int(data[0])',
  'nums = [int(x) for x in data[1:n + 1]]',
  'print(*solve(nums, int(data[n + 1])))',
  '',
].join('\n');

beforeAll(async () => {
  h = await aiHarness({ execution: true });
  server = await startChatServer();
  problemId = await createProblem(h, {
    timeLimit: 200,
    testCases: [
      { input: '4\n2 7 11 15\n9\n', expectedOutput: '0 1\n' },
      { input: PLANTED_INPUT, expectedOutput: PLANTED_EXPECTED, isHidden: true },
      { input: BIG_INPUT, expectedOutput: '-1 -1\n', isHidden: true },
    ],
  });
}, 60_000);
afterAll(async () => {
  await h.close();
  await server.close();
});

async function submitAndWait(roomId: string, user: { token: string }, code: string): Promise<any> {
  const res = await h.request({ method: 'POST', url: `/rooms/${roomId}/submit`, token: user.token, body: { language: 'python', code } });
  expect(res.status).toBe(202);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const s = await h.request({ method: 'GET', url: `/submissions/${res.body.submissionId}`, token: user.token });
    if (s.body.status === 'completed' || s.body.status === 'failed') return s.body;
    if (Date.now() > deadline) throw new Error('submission not judged');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const planted = /918273|645546|1563819/;

describe('answers depend on the session', () => {
  it('a TLE submission gets a complexity hint naming the nested loop’s lines', async () => {
    const room = await aiRoom(h, { problemId });
    const judged = await submitAndWait(room.roomId, room.host, NESTED);
    expect(judged.verdict).toBe('TLE');
    const res = await hint(h, room.host, room.roomId, { code: NESTED, hintLevel: 'direct' });
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${res.body.jobId}`);
    expect(ready.hint).toMatch(/Time limit exceeded/);
    expect(ready.hint).toContain('the loop on line 5 (`for j in range(i + 1, len(nums)):`)');
    expect(ready.hint).toContain('the loop on line 4 (`for i in range(len(nums)):`)');
    expect(ready.hint).toMatch(/O\(n²\)/);
    expect(ready.hint).not.toMatch(planted);

    const review = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/review`, token: room.host.token, body: { code: NESTED, language: 'python' } });
    const done = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/review/${review.body.jobId}`);
    const correctness = done.categories.find((c: any) => c.name === 'correctness');
    expect(correctness.feedback).toMatch(new RegExp(`${judged.passedTestCases} of ${judged.totalTestCases} tests pass`));
    expect(JSON.stringify(done)).not.toMatch(planted);
  }, 120_000);

  it('a crashing run gets the exception and the line', async () => {
    const room = await aiRoom(h, { problemId });
    const code = 'nums = [1, 2, 3]\ntotal = 0\nfor i in range(4):\n    total += nums[i]\nprint(total)\n';
    const run = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/run`, token: room.host.token, body: { language: 'python', code } });
    expect(run.status).toBe(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await h.request({ method: 'GET', url: `/execution/${run.body.jobId}`, token: room.host.token });
      if ('stdout' in r.body) break;
      if (Date.now() > deadline) throw new Error('run not done');
      await new Promise((res) => setTimeout(res, 200));
    }
    const res = await hint(h, room.host, room.roomId, { code, hintLevel: 'moderate' });
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${res.body.jobId}`);
    expect(ready.hint).toContain('IndexError');
    expect(ready.hint).toContain('line 4 (`total += nums[i]`)');
  }, 90_000);
});

describe('hidden test data stays hidden', () => {
  it('a scripted model echoing planted hidden values: answers are scrubbed, prompts never carry them', async () => {
    const room = await aiRoom(h, { problemId });
    const wrong = 'import sys\ndata = sys.stdin.read().split()\nprint(918273)\n';
    const judged = await submitAndWait(room.roomId, room.host, wrong);
    expect(judged.verdict).toBe('WA');
    const openai = createOpenAiCoach(
      { baseUrl: server.url, apiKey: '', model: 'scripted-model', timeoutMs: 5000, maxRetries: 0, retryBaseMs: 10, retryAfterMaxMs: 1000, jsonMode: true, breakerResetMs: 60_000, breakerVolume: 50 },
      createLocalCoach(),
      pino({ level: 'silent' }),
    );
    useLlm(h.ctx, openai);
    try {
      const echo = 'The hidden test feeds 2 numbers 918273 645546 with target 1563819 and expects 0 1; you printed 918273.';
      server.setDefault({
        content: JSON.stringify({
          hint: echo, suggestedApproach: echo, reflectionPrompt: echo, shouldRespond: true, message: echo, followUpQuestion: echo, codeAnnotations: [{ line: 3, comment: echo }],
          summary: echo, focusAreas: { complexity: echo, edgeCases: echo, readability: echo }, followUpQuestions: [echo, echo], overallScore: 50, categories: [{ name: 'correctness', score: 50, feedback: echo }],
        }),
      });
      const answers: unknown[] = [];
      const hr = await hint(h, room.host, room.roomId, { code: wrong, hintLevel: 'direct' });
      answers.push(await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${hr.body.jobId}`));
      const ir = await interview(h, room.host, room.roomId, { currentCode: wrong, userMessage: 'What is the hidden test?' });
      answers.push(await pollReady(h, room.host, `/rooms/${room.roomId}/ai/interview/${ir.body.jobId}`));
      for (const path of ['code-analysis', 'review']) {
        const r = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/${path}`, token: room.host.token, body: { code: wrong, language: 'python' } });
        answers.push(await pollReady(h, room.host, `/rooms/${room.roomId}/ai/${path}/${r.body.jobId}`));
      }
      for (const a of answers) {
        expect((a as { model: string }).model).toBe('scripted-model');
        const text = JSON.stringify(a);
        expect(text).not.toMatch(/645546|1563819/);
        expect(text).toContain('[hidden]');
      }
      // the candidate's own code mentions 918273, so it is not a secret there; the hidden input and expected are
      const history = await h.request({ method: 'GET', url: `/rooms/${room.roomId}/ai/messages`, token: room.host.token });
      expect(JSON.stringify(history.body)).not.toMatch(/645546|1563819/);
      expect(server.requests.length).toBeGreaterThanOrEqual(4);
      for (const req of server.requests) expect(req.raw).not.toMatch(/645546|1563819/);
    } finally {
      useLlm(h.ctx, createLocalCoach());
      openai.guard.breaker.shutdown();
    }
  }, 120_000);
});
