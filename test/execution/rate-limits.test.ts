/** SEED rate limits (DESIGN §10): 10 runs and 3 submissions per minute per user, with headers and Retry-After. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProblem, createRoom, execHarness, expectError, newAdmin, run, submit, type ExecHarness, type TestRoom } from './support.js';

let h: ExecHarness;
let room: TestRoom;

beforeAll(async () => {
  // The worker is not needed to count requests; jobs simply wait in the queue.
  h = await execHarness({ env: { RATE_LIMIT_ENABLED: 'true' }, worker: false });
  const admin = await newAdmin(h);
  const problem = await createProblem(h, admin);
  room = await createRoom(h, { problemId: problem.id });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('rate limits', () => {
  it('the 11th run within a minute is 429 EXECUTION_RATE_LIMIT with Retry-After; other users are not affected', async () => {
    for (let i = 1; i <= 10; i++) {
      const res = await run(h, room.candidate, room.roomId, { language: 'python', code: `print(${i})` });
      expect(res.status).toBe(202);
      expect(res.headers['x-ratelimit-limit']).toBe('10');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(10 - i));
    }
    const limited = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(11)' });
    expectError(limited, 429, 'EXECUTION_RATE_LIMIT');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');

    expect((await run(h, room.host, room.roomId, { language: 'python', code: 'print(1)' })).status).toBe(202);
    // the run limit is separate from the submission limit
    expect((await submit(h, room.candidate, room.roomId, { language: 'python', code: 'print(3)' })).status).toBe(202);
  });

  it('the 4th submission within a minute is 429 SUBMISSION_RATE_LIMIT with Retry-After', async () => {
    const r = await createRoom(h, { problemId: (await createProblem(h, await newAdmin(h))).id });
    for (let i = 1; i <= 3; i++) {
      const res = await submit(h, r.candidate, r.roomId, { language: 'python', code: `print(${i})` });
      expect(res.status).toBe(202);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
    }
    const limited = await submit(h, r.candidate, r.roomId, { language: 'python', code: 'print(4)' });
    expectError(limited, 429, 'SUBMISSION_RATE_LIMIT');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // requests the room checks refuse do not use up the limit
    expectError(await submit(h, r.host, room.roomId, { language: 'python', code: 'print(1)' }), 403, 'ROOM_ACCESS_DENIED');
    expect((await submit(h, r.host, r.roomId, { language: 'python', code: 'print(1)' })).status).toBe(202);
  });
});
