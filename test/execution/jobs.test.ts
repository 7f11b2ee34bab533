/**
 * What the producers put on the queue and what the read models show between events (SPEC §11.8, §11.9): limits
 * per test from the test case or the problem, a partly judged submission is `running`, a job for work that does not
 * exist persists nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import { EXECUTION_QUEUE, type ExecutionJob } from '../../src/commands/execution/jobs.js';
import { recordJudgedTests } from '../../src/commands/execution/results.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { settle } from '../../src/http/command.js';
import { completeAbandoned, processExecutionJob } from '../../src/workers/execution/processor.js';
import { createProblem, createRoom, execHarness, newAdmin, run, submit, type ExecHarness, type TestRoom } from './support.js';

let h: ExecHarness;
let room: TestRoom;

beforeAll(async () => {
  h = await execHarness({ worker: false });
  const admin = await newAdmin(h);
  const problem = await createProblem(h, admin, {
    timeLimit: 1500,
    memoryLimit: 200,
    testCases: [
      { input: '1 2\n', expectedOutput: '3\n', timeoutMs: 700, memoryMb: 64 },
      { input: '2 2\n', expectedOutput: '4\n', isHidden: true },
      { input: '5 5\n', expectedOutput: '10\n', memoryMb: 4000 },
    ],
  });
  room = await createRoom(h, { problemId: problem.id });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('queued jobs', () => {
  it('a submission job carries every test with its own limits, else the problem’s, capped', async () => {
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' });
    const job = await h.ctx.queues.queue(EXECUTION_QUEUE).getJob(res.body.submissionId);
    expect(job?.name).toBe('judge-submission');
    expect(job?.opts.attempts).toBe(3);
    expect(job?.data.tests.map((t: any) => [t.index, t.input, t.timeoutMs, t.memoryMb])).toEqual([
      [0, '1 2\n', 700, 64],
      [1, '2 2\n', 1500, 200],
      [2, '5 5\n', 1500, 1024],
    ]);
  });

  it('a run job is its id; the requested limits are on the run, defaults from the configuration', async () => {
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)', timeoutMs: 1234 });
    const job = await h.ctx.queues.queue(EXECUTION_QUEUE).getJob(res.body.jobId);
    expect(job?.data).toEqual({ kind: 'run', runId: res.body.jobId, traceId: expect.any(String) });
    const stream = [];
    for await (const e of h.ctx.store.readStream(`run-${res.body.jobId}`)) stream.push(e);
    expect(stream[0]?.data).toMatchObject({ timeoutMs: 1234, memoryMb: 256, stdin: null });
  });
});

describe('read models between events', () => {
  it('a submission with some tests judged is running, with the counts so far', async () => {
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code: 'print(3)' });
    const id = res.body.submissionId;
    const written = await recordJudgedTests(h.ctx.store, systemMetadata(randomUUID()), id, [
      {
        testCaseIndex: 0,
        verdict: 'AC',
        stdout: '3\n',
        stderr: '',
        exitCode: 0,
        signal: null,
        durationMs: 20,
        cpuTimeMs: 15,
        memoryUsageMb: 3,
        timedOut: false,
        outputTruncated: false,
        expectedOutput: '3\n',
        errorMessage: null,
      },
    ]);
    await settle(h.ctx, written.position, ['SubmissionTestsJudged']);
    const details = (await h.request({ method: 'GET', url: `/submissions/${id}`, token: room.candidate.token })).body;
    expect(details).toMatchObject({ status: 'running', totalTestCases: 3, passedTestCases: 1, failedTestCases: 0, errorTestCases: 0, completedAt: null });
    expect(details.testCases).toEqual([expect.objectContaining({ testCaseIndex: 0, passed: true, actualOutput: '3' })]);
  });

  it('a job for a run or submission that does not exist fails for good and persists nothing', async () => {
    const deps = { store: h.ctx.store, logger: h.ctx.logger };
    const ghost = randomUUID();
    const job = (data: ExecutionJob) => ({ id: ghost, data, attemptsMade: 0, opts: { attempts: 3 } }) as unknown as Job<ExecutionJob>;
    await expect(processExecutionJob(deps, job({ kind: 'run', runId: ghost, traceId: 't' }))).rejects.toThrow(/does not exist/);
    await expect(processExecutionJob(deps, job({ kind: 'submission', submissionId: ghost, traceId: 't', tests: [] }))).rejects.toThrow(/does not exist/);
    const found = [];
    for (const stream of [`run-${ghost}`, `submission-${ghost}`]) {
      try {
        for await (const e of h.ctx.store.readStream(stream)) found.push(e);
      } catch {
        /* no such stream */
      }
    }
    expect(found).toEqual([]);
  });

  it('a job BullMQ gives up on (stalled too often) completes its work as failed, once', async () => {
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' });
    const deps = { store: h.ctx.store, logger: h.ctx.logger };
    const job = { id: res.body.jobId, data: { kind: 'run', runId: res.body.jobId, traceId: 't' }, attemptsMade: 0, opts: { attempts: 3 } } as unknown as Job<ExecutionJob>;
    const stalled = new Error('job stalled more than allowable limit');
    expect(await completeAbandoned(deps, job, stalled)).toBe(true);
    expect(await completeAbandoned(deps, job, stalled)).toBe(false);
    const head = await h.ctx.store.headPosition();
    await settle(h.ctx, head, ['RunCompleted']);
    const result = (await h.request({ method: 'GET', url: `/execution/${res.body.jobId}`, token: room.candidate.token })).body;
    expect(result).toMatchObject({ status: 'failed', verdict: 'IE', error: expect.stringContaining('abandoned') });
  });
});
