/**
 * Hint endpoints over HTTP with the local coach, real Postgres, Redis and BullMQ (the AI worker runs in process):
 * levels, follow-ups, polling and every error code of SPEC §4.8 for hints.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_MODEL } from '../../src/infra/llm/index.js';
import { aiHarness, aiRoom, createProblem, expectError, hint, joinAs, LADDER, newUser, pollReady, type AiHarness } from './support.js';

let h: AiHarness;
let problemId: string;

beforeAll(async () => {
  h = await aiHarness();
  problemId = await createProblem(h);
}, 60_000);
afterAll(async () => h.close());

const CODE = 'def solve(nums, target):\n    for i in range(len(nums)):\n        for j in range(i + 1, len(nums)):\n            if nums[i] + nums[j] == target:\n                return [i, j]\n    return []\n';

describe('hints', () => {
  it('answers 202 and then the hint, the level escalating with each request; three levels differ', async () => {
    const room = await aiRoom(h, { problemId });
    const texts: string[] = [];
    for (const level of ['subtle', 'moderate', 'direct']) {
      const res = await hint(h, room.host, room.roomId, { code: CODE, hintLevel: level });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ jobId: expect.any(String), hintId: res.body.jobId, phase: 'initial' });
      const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${res.body.jobId}`);
      expect(ready).toMatchObject({ status: 'ready', jobId: res.body.jobId, hintId: res.body.jobId, phase: 'initial', level, model: LOCAL_MODEL });
      texts.push(ready.hint);
    }
    expect(new Set(texts).size).toBe(3);
    expect(texts[0]).toContain(LADDER.subtle);
    expect(texts[1]).toContain(LADDER.moderate);
    expect(texts[2]).toContain(LADDER.direct);
    // the direct hint names the nested loop of this code by its lines
    expect(texts[2]).toMatch(/line 3 .*line 2/);
  });

  it('a follow-up with a reflection builds on the hint it follows; without a reply it escalates', async () => {
    const room = await aiRoom(h, { problemId });
    const first = await hint(h, room.host, room.roomId, { code: CODE, hintLevel: 'subtle' });
    const initial = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${first.body.jobId}`);
    expect(initial.reflectionPrompt).toEqual(expect.any(String));
    expect(initial.suggestedApproach).toEqual(expect.any(String));

    const follow = await hint(h, room.host, room.roomId, { code: CODE, hintLevel: 'subtle', followUpToHintId: first.body.jobId, noReply: true });
    expect(follow.status).toBe(202);
    expect(follow.body.phase).toBe('follow_up');
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${follow.body.jobId}`);
    expect(ready).toMatchObject({ phase: 'follow_up', level: 'moderate' });
    expect(ready.hint).toContain(initial.hint);
    expect(ready.hint).toContain('---');
    expect(ready.hint).toContain('Learner reflection:');
    expect(ready.hint).toContain('Coach follow-up:');
    expect(ready.hint).toContain(LADDER.moderate);
    expect(ready.reflectionPrompt).toBeUndefined();
  });

  it('400 on the follow-up rule, 404 VALIDATION_FAILED for a hint that is not the caller’s in this room', async () => {
    const room = await aiRoom(h, { problemId });
    const reflectionWithoutFollowUp = await hint(h, room.host, room.roomId, { code: CODE, reflectionResponse: 'I think a map' });
    expectError(reflectionWithoutFollowUp, 400, 'VALIDATION_FAILED');
    expect(reflectionWithoutFollowUp.body.details.fields[0].field).toBe('followUpToHintId');
    const followUpWithoutReflection = await hint(h, room.host, room.roomId, { code: CODE, followUpToHintId: '00000000-0000-4000-8000-000000000000' });
    expectError(followUpWithoutReflection, 400, 'VALIDATION_FAILED');
    const unknown = await hint(h, room.host, room.roomId, { code: CODE, followUpToHintId: '00000000-0000-4000-8000-000000000000', noReply: true });
    expectError(unknown, 404, 'VALIDATION_FAILED');

    const other = await aiRoom(h, { problemId });
    const theirs = await hint(h, other.host, other.roomId, { code: CODE });
    expectError(await hint(h, room.host, room.roomId, { code: CODE, followUpToHintId: theirs.body.jobId, noReply: true }), 404, 'VALIDATION_FAILED');
  });

  it('room checks: 404 room, 403 not a participant, 403 observer, 404 no problem, 400 language mismatch, 400 bad level', async () => {
    const room = await aiRoom(h, { problemId });
    expectError(await hint(h, room.host, '00000000-0000-4000-8000-000000000000', { code: CODE }), 404, 'ROOM_NOT_FOUND');
    expectError(await hint(h, await newUser(h), room.roomId, { code: CODE }), 403, 'ROOM_ACCESS_DENIED');
    const observer = await joinAs(h, room, 'observer');
    expectError(await hint(h, observer, room.roomId, { code: CODE }), 403, 'ROOM_PERMISSION_DENIED');
    const bare = await aiRoom(h);
    expectError(await hint(h, bare.host, bare.roomId, { code: CODE }), 404, 'PROBLEM_NOT_FOUND');
    expectError(await hint(h, room.host, room.roomId, { code: CODE, language: 'java' }), 400, 'VALIDATION_FAILED');
    expectError(await hint(h, room.host, room.roomId, { code: CODE, hintLevel: 'gentle' }), 400, 'VALIDATION_FAILED');
    expectError(await hint(h, room.host, room.roomId, { code: '' }), 400, 'VALIDATION_FAILED');
  });

  it('polling: 404 VALIDATION_FAILED for an unknown job, another user’s job or another room’s job', async () => {
    const room = await aiRoom(h, { problemId });
    const res = await hint(h, room.host, room.roomId, { code: CODE });
    await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${res.body.jobId}`);
    const get = (user: { token: string }, roomId: string, jobId: string) => h.request({ method: 'GET', url: `/rooms/${roomId}/ai/hint/${jobId}`, token: user.token });
    expectError(await get(room.host, room.roomId, '00000000-0000-4000-8000-000000000000'), 404, 'VALIDATION_FAILED');
    expectError(await get(room.host, room.roomId, 'not-a-job'), 404, 'VALIDATION_FAILED');
    const observer = await joinAs(h, room, 'observer');
    expectError(await get(observer, room.roomId, res.body.jobId), 404, 'VALIDATION_FAILED');
    const other = await aiRoom(h, { problemId, host: room.host });
    expectError(await get(room.host, other.roomId, res.body.jobId), 404, 'VALIDATION_FAILED');
    expectError(await get(await newUser(h), room.roomId, res.body.jobId), 403, 'ROOM_ACCESS_DENIED');
  });
});

