/**
 * Speech-to-text through an OpenAI-compatible `/audio/transcriptions` started here: the text comes back, failures
 * answer 503 AI_SERVICE_UNAVAILABLE (504 AI_SERVICE_TIMEOUT when too slow) and are refunded from the rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startChatServer, type ChatServer } from './chat-server.js';
import { aiHarness, aiRoom, createProblem, expectError, type AiHarness } from './support.js';

let h: AiHarness;
let server: ChatServer;
let problemId: string;

beforeAll(async () => {
  server = await startChatServer({ content: '  hello   world  ' });
  h = await aiHarness({
    env: {
      LLM_PROVIDER: 'openai', OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-audio', OPENAI_TRANSCRIPTION_MODEL: 'whisper-test', LLM_TIMEOUT_MS: '300',
      LLM_MAX_RETRIES: '0', LLM_BREAKER_VOLUME: '100', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_GLOBAL_PER_MIN: '100000', RATE_LIMIT_AUTH_PER_MIN: '1000', RATE_LIMIT_AI_TRANSCRIPTIONS_PER_5MIN: '2',
    },
  });
  problemId = await createProblem(h);
}, 60_000);
afterAll(async () => {
  await h.close();
  await server.close();
});

const audio = `data:audio/webm;base64,${Buffer.from('fake webm bytes').toString('base64')}`;
const transcribe = (room: { roomId: string; host: { token: string } }, body: Record<string, unknown> = {}) =>
  h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/interview/transcribe`, token: room.host.token, body: { audioBase64: audio, mimeType: 'audio/webm;codecs=opus', language: 'en-US', ...body } });

describe('speech-to-text', () => {
  it('sends the audio as multipart with the model and the primary language, and answers the collapsed text', async () => {
    const room = await aiRoom(h, { problemId });
    server.requests.length = 0;
    const res = await transcribe(room);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: 'hello world' });
    const [req] = server.requests;
    expect(req!.path).toBe('/v1/audio/transcriptions');
    expect(req!.headers.authorization).toBe('Bearer sk-audio');
    expect(req!.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(req!.raw).toContain('whisper-test');
    expect(req!.raw).toContain('fake webm bytes');
    expect(req!.raw).toMatch(/name="language"\r\n\r\nen\r\n/);
  });

  it('a failing service is 503, a slow one 504; failed attempts do not use up the limit, the third success does', async () => {
    const room = await aiRoom(h, { problemId });
    server.script({ status: 500, raw: 'down' });
    expectError(await transcribe(room), 503, 'AI_SERVICE_UNAVAILABLE');
    server.script({ content: 'late', delayMs: 1500 });
    expectError(await transcribe(room), 504, 'AI_SERVICE_TIMEOUT');
    expect((await transcribe(room)).status).toBe(200);
    expect((await transcribe(room)).status).toBe(200);
    const limited = await transcribe(room);
    expectError(limited, 429, 'AI_TRANSCRIPTION_RATE_LIMIT');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the same room checks as the interviewer: 409 in a peer room', async () => {
    const peer = await aiRoom(h, { problemId, mode: 'peer' });
    expectError(await transcribe(peer), 409, 'ROOM_NOT_AI_MODE');
  });
});
