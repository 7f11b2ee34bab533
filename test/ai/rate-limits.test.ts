/**
 * AI rate limits over HTTP (Redis counters and the AI stream, env-configurable): 3 initial hints per 5 minutes per
 * user and room (follow-ups free), AI messages per minute, code analyses per 5 minutes — each 429 with Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aiHarness, aiRoom, createProblem, expectError, hint, interview, pollReady, type AiHarness } from './support.js';

let h: AiHarness;
let problemId: string;

beforeAll(async () => {
  h = await aiHarness({
    env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_GLOBAL_PER_MIN: '100000', RATE_LIMIT_JOIN_PER_MIN: '1000', RATE_LIMIT_AUTH_PER_MIN: '1000', RATE_LIMIT_AI_MESSAGES_PER_MIN: '2', RATE_LIMIT_AI_ANALYSIS_PER_5MIN: '1' },
  });
  problemId = await createProblem(h);
}, 60_000);
afterAll(async () => h.close());

const CODE = 'def solve(nums, target):\n    return []\n';

describe('AI rate limits', () => {
  it('the fourth initial hint in five minutes is 429 AI_HINT_RATE_LIMIT with Retry-After; follow-ups stay free; other rooms are separate', async () => {
    const room = await aiRoom(h, { problemId });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await hint(h, room.host, room.roomId, { code: CODE });
      expect(res.status).toBe(202);
      ids.push(res.body.jobId);
    }
    const limited = await hint(h, room.host, room.roomId, { code: CODE });
    expectError(limited, 429, 'AI_HINT_RATE_LIMIT');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(200);
    expect(retryAfter).toBeLessThanOrEqual(300);
    await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${ids[0]}`);
    const followUp = await hint(h, room.host, room.roomId, { code: CODE, followUpToHintId: ids[0], reflectionResponse: 'I would keep a map of seen values' });
    expect(followUp.status).toBe(202);
    const other = await aiRoom(h, { problemId, host: room.host });
    expect((await hint(h, room.host, other.roomId, { code: CODE })).status).toBe(202);
  });

  it('AI messages past the per-minute limit: 429 AI_MESSAGE_RATE_LIMIT with Retry-After', async () => {
    const room = await aiRoom(h, { problemId });
    expect((await interview(h, room.host, room.roomId)).status).toBe(202);
    expect((await interview(h, room.host, room.roomId)).status).toBe(202);
    const limited = await interview(h, room.host, room.roomId);
    expectError(limited, 429, 'AI_MESSAGE_RATE_LIMIT');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('2');
  });

  it('code analyses past their limit: 429 AI_CODE_ANALYSIS_RATE_LIMIT', async () => {
    const room = await aiRoom(h, { problemId });
    const ask = () => h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/code-analysis`, token: room.host.token, body: { code: CODE, language: 'python' } });
    expect((await ask()).status).toBe(202);
    const limited = await ask();
    expectError(limited, 429, 'AI_CODE_ANALYSIS_RATE_LIMIT');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
