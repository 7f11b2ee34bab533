/**
 * Output retention (24 h) as events, and the execution read models rebuilt from the log: the same rows, purges
 * included.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expireExecutionOutputs } from '../../src/commands/execution/retention.js';
import { RETENTION_QUEUE } from '../../src/commands/execution/jobs.js';
import { settle } from '../../src/http/command.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { SCHEDULED_JOBS, startScheduler } from '../../src/workers/scheduler/schedule.js';
import {
  analysisResult,
  createProblem,
  createRoom,
  execHarness,
  newAdmin,
  run,
  runResult,
  submissionResult,
  submit,
  type ExecHarness,
  type TestRoom,
} from './support.js';

let h: ExecHarness;
let room: TestRoom;
let runId: string;
let submissionId: string;

beforeAll(async () => {
  h = await execHarness();
  const admin = await newAdmin(h);
  room = await createRoom(h, { problemId: (await createProblem(h, admin)).id });
  const r = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print("out")' });
  runId = r.body.jobId;
  await runResult(h, room.candidate, runId);
  await analysisResult(h, room.candidate, r.body.staticAnalysisJobId);
  const s = await submit(h, room.candidate, room.roomId, { language: 'python', code: 'a, b = map(int, input().split())\nprint(a - b)\n' });
  submissionId = s.body.submissionId;
  await submissionResult(h, room.candidate, submissionId);
  await analysisResult(h, room.candidate, s.body.staticAnalysisJobId);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const hours = (n: number) => new Date(Date.now() + n * 3600_000);

async function waitForProjections() {
  const head = await h.ctx.store.headPosition();
  await settle(h.ctx, head ?? undefined, ['RunOutputExpired', 'SubmissionOutputExpired']);
}

describe('output retention', () => {
  it('keeps outputs for 24 hours, then drops stdout/stderr and keeps verdicts and timings', async () => {
    expect(await expireExecutionOutputs(h.ctx, hours(23))).toEqual({ runs: 0, submissions: 0 });
    expect(await expireExecutionOutputs(h.ctx, hours(25))).toEqual({ runs: 1, submissions: 1 });
    await waitForProjections();

    const result = (await h.request({ method: 'GET', url: `/execution/${runId}`, token: room.candidate.token })).body;
    expect(result).toMatchObject({ status: 'completed', verdict: 'OK', exitCode: 0, stdout: '', stderr: '', outputExpired: true });
    expect(result.durationMs).toBeGreaterThan(0);

    const details = (await h.request({ method: 'GET', url: `/submissions/${submissionId}`, token: room.candidate.token })).body;
    expect(details).toMatchObject({ status: 'completed', verdict: 'WA', outputExpired: true, failedTestCases: 2 });
    expect(details.testCases[0]).toMatchObject({ verdict: 'WA', expectedOutput: '3\n', actualOutput: null, stdout: null, stderr: null });
    expect(details.testCases[0].durationMs).toEqual(expect.any(Number));

    // once is enough
    expect(await expireExecutionOutputs(h.ctx, hours(48))).toEqual({ runs: 0, submissions: 0 });
  });

  it('a rebuild from the events gives the same rows (purges included)', async () => {
    for (const name of ['runs', 'submissions', 'static-analysis']) {
      const projection = h.ctx.projections.find((p) => p.name === name)!;
      const result = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, projection);
      expect({ name, equal: result.equal, differences: result.differences }).toEqual({ name, equal: true, differences: [] });
      expect(result.events).toBeGreaterThan(0);
    }
  });

  it('the retention sweep is a repeatable job, scheduled only when the scheduler is enabled', async () => {
    const queue = await h.ctx.queues.queue(RETENTION_QUEUE).open();
    expect(await queue.getJobSchedulers()).toEqual([]); // SCHEDULER_ENABLED=false in tests
    const stop = await startScheduler({ ...h.ctx, config: { ...h.ctx.config, SCHEDULER_ENABLED: true } }, SCHEDULED_JOBS.filter((job) => job.queue === RETENTION_QUEUE));
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([['execution-output-retention', 3600_000]]);
    } finally {
      await stop();
    }
  });
});
