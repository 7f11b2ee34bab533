/**
 * AI requests whose queue job vanished are not left pending: the sweeper queues them again from their events (the
 * worker then answers them), and fails them visibly once past the deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HINT_QUEUE, REVIEW_QUEUE } from '../../src/commands/ai/jobs.js';
import { registerAiSweepKinds } from '../../src/workers/ai/sweep.js';
import { sweepLostWork } from '../../src/workers/sweeper/sweep.js';
import { aiHarness, aiRoom, createProblem, hint, interview, pollReady, type AiHarness } from './support.js';

let h: AiHarness & { startWorker(): Promise<void> };
let problemId: string;

beforeAll(async () => {
  registerAiSweepKinds();
  h = await aiHarness({ worker: false });
  problemId = await createProblem(h);
}, 60_000);
afterAll(async () => h.close());

const CODE = 'def solve(nums, target):\n    return []\n';

describe('proactive turns in flight', () => {
  it('a second proactive turn while the first waits for its answer returns the same job', async () => {
    const room = await aiRoom(h, { problemId });
    const first = await interview(h, room.host, room.roomId, { trigger: 'proactive', userMessage: undefined, interactionSignals: { reason: 'user_idle' } });
    const second = await interview(h, room.host, room.roomId, { trigger: 'proactive', userMessage: undefined, interactionSignals: { reason: 'user_idle' } });
    expect(first.status).toBe(202);
    expect(second.body.jobId).toBe(first.body.jobId);
    const spoken = await interview(h, room.host, room.roomId, { userMessage: 'Can I ask something?' });
    expect(spoken.body.jobId).not.toBe(first.body.jobId);
  });
});

describe('the sweeper and AI requests', () => {
  it('lost requests past the deadline end failed; within it they are queued again and answered', async () => {
    const room = await aiRoom(h, { problemId });
    const lost = await hint(h, room.host, room.roomId, { code: CODE });
    const review = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/ai/review`, token: room.host.token, body: { code: CODE, language: 'python' } });
    const late = await hint(h, room.host, room.roomId, { code: CODE });
    for (const [queue, id] of [[HINT_QUEUE, lost.body.jobId], [REVIEW_QUEUE, review.body.jobId], [HINT_QUEUE, late.body.jobId]] as const) {
      await (await h.ctx.queues.queue(queue).getJob(id))!.remove();
    }
    // seen from past the deadline, every lost request is failed visibly
    const pastDeadline = await sweepLostWork(h.ctx, new Date(Date.now() + h.config.SWEEPER_DEADLINE_MS + 1000));
    expect(pastDeadline.failed).toEqual(expect.arrayContaining([`ai-hint:${lost.body.jobId}`, `ai-hint:${late.body.jobId}`, `ai-review:${review.body.jobId}`]));
    const failed = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${late.body.jobId}`);
    expect(failed).toEqual({ status: 'failed', jobId: late.body.jobId });

    // a new pair of lost requests within the deadline is re-queued and answered
    const again = await hint(h, room.host, room.roomId, { code: CODE, hintLevel: 'direct' });
    await (await h.ctx.queues.queue(HINT_QUEUE).getJob(again.body.jobId))!.remove();
    const swept = await sweepLostWork(h.ctx, new Date(Date.now() + h.config.SWEEPER_GRACE_MS + 1000));
    expect(swept.requeued).toContain(`ai-hint:${again.body.jobId}`);
    await h.startWorker();
    const ready = await pollReady(h, room.host, `/rooms/${room.roomId}/ai/hint/${again.body.jobId}`);
    expect(ready.status).toBe('ready');
    expect(ready.hint.length).toBeGreaterThan(20);
  });
});
