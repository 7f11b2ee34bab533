/**
 * The AI endpoints besides hints over HTTP with the local coach, real Postgres, Redis and BullMQ (the AI worker runs
 * in process): the interviewer, code analysis, review, transcription, conversation history, quotas, the queue breaker
 * and the admin-only hint ladder, with their error codes (SPEC §4.8).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_MODEL } from '../../src/infra/llm/index.js';
import { aiHarness, aiRoom, createProblem, expectError, hint, interview, joinAs, LADDER, newUser, pollReady, type AiHarness } from './support.js';

let h: AiHarness;
let problemId: string;

beforeAll(async () => {
  h = await aiHarness();
  problemId = await createProblem(h);
}, 60_000);
afterAll(async () => h.close());

const CODE = 'def solve(nums, target):\n    for i in range(len(nums)):\n        for j in range(i + 1, len(nums)):\n            if nums[i] + nums[j] == target:\n                return [i, j]\n    return []\n';

describe('the interviewer', () => {
  it('answers a message in an AI room; the conversation is kept in both histories', async () => {
    const room = await aiRoom(h, { problemId, phase: 'warmup' });
    const res = await interview(h, room.host, room.roomId, { userMessage: 'Hi, ready when you are.' });
    expect(res.status).toBe(202);
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/interview/${res.body.jobId}`);
    expect(ready).toMatchObject({ status: 'ready', jobId: res.body.jobId, shouldRespond: true, model: LOCAL_MODEL });
    expect(ready.message).toMatch(/restate/i);
    expect(ready.codeContext).toMatchObject({ startLine: 1, endLine: 1, codeSnippet: 'def solve():' });

    const history = await h.request({ method: 'GET', url: `/rooms/${room.roomId}/ai/messages`, token: room.host.token });
    expect(history.status).toBe(200);
    expect(history.body.data.map((m: any) => [m.role, m.content])).toEqual([
      ['user', 'Hi, ready when you are.'],
      ['assistant', ready.message],
    ]);
    expect(history.body.data[0]).toEqual({ id: expect.any(String), role: 'user', content: 'Hi, ready when you are.', audioUrl: null, createdAt: expect.any(String) });

    const detail = await h.request({ method: 'GET', url: `/rooms/${room.roomId}`, token: room.host.token });
    const sessionId = detail.body.sessionId as string;
    const session = await h.request({ method: 'GET', url: `/sessions/${sessionId}/ai-messages`, token: room.host.token });
    expect(session.status).toBe(200);
    expect(session.body.data).toHaveLength(2);
    const page = await h.request({ method: 'GET', url: `/sessions/${sessionId}/ai-messages?limit=1`, token: room.host.token });
    expect(page.body.pagination.hasMore).toBe(true);
    const next = await h.request({ method: 'GET', url: `/sessions/${sessionId}/ai-messages?limit=1&cursor=${page.body.pagination.nextCursor}`, token: room.host.token });
    expect(next.body.data[0].role).toBe('assistant');
    expectError(await h.request({ method: 'GET', url: `/sessions/${sessionId}/ai-messages?cursor=bogus`, token: room.host.token }), 400, 'VALIDATION_FAILED');
  });

  it('follows the phase: wrapup asks for a testing strategy', async () => {
    const room = await aiRoom(h, { problemId, phase: 'wrapup' });
    const res = await interview(h, room.host, room.roomId, { userMessage: 'I think I am done.' });
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/interview/${res.body.jobId}`);
    expect(`${ready.message} ${ready.followUpQuestion}`).toMatch(/test/i);
  });

  it('a proactive turn with nothing to say stays silent; a second one in flight returns the same job', async () => {
    const room = await aiRoom(h, { problemId, phase: 'coding' });
    const res = await interview(h, room.host, room.roomId, { trigger: 'proactive', userMessage: undefined, interactionSignals: { reason: 'session_joined' } });
    expect(res.status).toBe(202);
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/interview/${res.body.jobId}`);
    expect(ready).toEqual({ status: 'ready', jobId: res.body.jobId, shouldRespond: false, model: LOCAL_MODEL });
  });

  it('409 ROOM_NOT_AI_MODE in a peer room, 400 ROOM_INVALID_STATE while waiting, 400 without a message, 403 observer', async () => {
    const peer = await aiRoom(h, { problemId, mode: 'peer' });
    expectError(await interview(h, peer.host, peer.roomId), 409, 'ROOM_NOT_AI_MODE');
    const waiting = await aiRoom(h, { problemId, phase: 'waiting' });
    expectError(await interview(h, waiting.host, waiting.roomId), 400, 'ROOM_INVALID_STATE');
    const room = await aiRoom(h, { problemId });
    expectError(await interview(h, room.host, room.roomId, { userMessage: '   ' }), 400, 'VALIDATION_FAILED');
    const observer = await joinAs(h, room, 'observer');
    expectError(await interview(h, observer, room.roomId), 403, 'ROOM_PERMISSION_DENIED');
    const get = await h.request({ method: 'GET', url: `/rooms/${room.roomId}/ai/interview/00000000-0000-4000-8000-000000000000`, token: room.host.token });
    expectError(get, 404, 'VALIDATION_FAILED');
  });

  it('404 SESSION_AI_MESSAGES_NOT_FOUND for a peer session', async () => {
    const peer = await aiRoom(h, { problemId, mode: 'peer', phase: 'warmup' });
    const detail = await h.request({ method: 'GET', url: `/rooms/${peer.roomId}`, token: peer.host.token });
    const res = await h.request({ method: 'GET', url: `/sessions/${detail.body.sessionId}/ai-messages`, token: peer.host.token });
    expectError(res, 404, 'SESSION_AI_MESSAGES_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/sessions/${detail.body.sessionId}/ai-messages`, token: (await newUser(h)).token }), 403, 'SESSION_NOT_PARTICIPANT');
  });
});

describe('code analysis and review', () => {
  it('analysis names the nested loop; the review scores 0–100 per category', async () => {
    const room = await aiRoom(h, { problemId });
    const a = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/code-analysis`, token: room.host.token, body: { code: CODE, language: 'python' } });
    expect(a.status).toBe(202);
    const analysis = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/code-analysis/${a.body.jobId}`);
    expect(analysis).toMatchObject({ status: 'ready', jobId: a.body.jobId, model: LOCAL_MODEL });
    expect(analysis.focusAreas.complexity).toMatch(/line 3.*line 2.*O\(n²\)/);
    expect(analysis.followUpQuestions.length).toBeGreaterThanOrEqual(2);

    const r = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/review`, token: room.host.token, body: { code: CODE, language: 'python' } });
    expect(r.status).toBe(202);
    const review = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/review/${r.body.jobId}`);
    expect(review.status).toBe('ready');
    expect(review.categories.map((c: any) => c.name)).toEqual(['correctness', 'efficiency', 'readability', 'structure', 'robustness']);
    for (const c of review.categories) expect(c.score).toBeGreaterThanOrEqual(0);
    for (const c of review.categories) expect(c.score).toBeLessThanOrEqual(100);
    expect(review.categories.find((c: any) => c.name === 'efficiency').score).toBeLessThan(100);
    expect(review.overallScore).toBeGreaterThan(0);
    expect(review.summary).toMatch(/Overall \d+\/100/);

    const linear = 'def solve(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n';
    const r2 = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/review`, token: room.host.token, body: { code: linear, language: 'python' } });
    const review2 = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/review/${r2.body.jobId}`);
    expect(review2.categories.find((c: any) => c.name === 'efficiency').score).toBeGreaterThan(review.categories.find((c: any) => c.name === 'efficiency').score);
  });

  it('errors: language mismatch 400, observer 403, unknown job 404, empty code 400', async () => {
    const room = await aiRoom(h, { problemId });
    for (const path of ['code-analysis', 'review']) {
      expectError(await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/${path}`, token: room.host.token, body: { code: CODE, language: 'go' } }), 400, 'VALIDATION_FAILED');
      expectError(await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/${path}`, token: room.host.token, body: { code: '', language: 'python' } }), 400, 'VALIDATION_FAILED');
      const observer = await joinAs(h, room, 'observer');
      expectError(await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/${path}`, token: observer.token, body: { code: CODE, language: 'python' } }), 403, 'ROOM_PERMISSION_DENIED');
      expectError(await h.request({ method: 'GET', url: `/rooms/${room.roomId}/ai/${path}/00000000-0000-4000-8000-000000000000`, token: room.host.token }), 404, 'VALIDATION_FAILED');
    }
  });
});

describe('transcription, quotas, breaker, problem ladders', () => {
  it('speech-to-text is 503 AI_SERVICE_UNAVAILABLE when no transcription service is configured; bad audio 400', async () => {
    const room = await aiRoom(h, { problemId });
    const audio = Buffer.from('RIFF....WAVEfmt ').toString('base64');
    const res = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/interview/transcribe`, token: room.host.token, body: { audioBase64: audio, mimeType: 'audio/wav' } });
    expectError(res, 503, 'AI_SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeDefined();
    expectError(await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/interview/transcribe`, token: room.host.token, body: { audioBase64: audio, mimeType: 'video/mp4' } }), 400, 'VALIDATION_FAILED');
    expectError(await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/interview/transcribe`, token: room.host.token, body: { audioBase64: '%%%', mimeType: 'audio/webm' } }), 400, 'VALIDATION_FAILED');
  });

  it('GET /users/me/quotas counts the AI requests made today', async () => {
    const room = await aiRoom(h, { problemId });
    const before = await h.request({ method: 'GET', url: '/users/me/quotas', token: room.host.token });
    expect(before.body.ai.used).toBe(0);
    const res = await hint(h, room.host, room.roomId, { code: CODE });
    await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${res.body.jobId}`);
    await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/review`, token: room.host.token, body: { code: CODE, language: 'python' } });
    const after = await h.request({ method: 'GET', url: '/users/me/quotas', token: room.host.token });
    expect(after.body.ai.used).toBe(2);
  });

  it('503 AI_SERVICE_UNAVAILABLE with Retry-After while the AI queue breaker is open; the request ends failed', async () => {
    const room = await aiRoom(h, { problemId });
    const guard = h.ctx.ai.queueGuard;
    guard.breaker.open();
    try {
      const res = await hint(h, room.host, room.roomId, { code: CODE });
      expectError(res, 503, 'AI_SERVICE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      const review = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/review`, token: room.host.token, body: { code: CODE, language: 'python' } });
      expectError(review, 503, 'AI_SERVICE_UNAVAILABLE');
    } finally {
      guard.breaker.close();
    }
  });

  it('the hint ladder is an admin field: admins read and edit it, others never see it', async () => {
    const admin = await h.request({ method: 'GET', url: `/problems/${problemId}`, token: h.admin.token });
    expect(admin.body.hints).toEqual(LADDER);
    const user = await newUser(h);
    const plain = await h.request({ method: 'GET', url: `/problems/${problemId}`, token: user.token });
    expect(plain.status).toBe(200);
    expect(plain.body.hints).toBeUndefined();
    const edited = { ...LADDER, direct: 'Store each value’s index in a dictionary and check for the complement first.' };
    const patch = await h.request({ method: 'PATCH', url: `/problems/${problemId}`, token: h.admin.token, body: { hints: edited } });
    expect(patch.status).toBe(200);
    const again = await h.request({ method: 'GET', url: `/problems/${problemId}`, token: h.admin.token });
    expect(again.body.hints).toEqual(edited);
    await h.request({ method: 'PATCH', url: `/problems/${problemId}`, token: h.admin.token, body: { hints: LADDER } });
  });
});
