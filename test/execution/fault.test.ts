/**
 * Fault: the worker process is killed (SIGKILL) in the middle of a submission. BullMQ's stalled-job check hands the
 * job to a second worker process, which resumes with the tests not judged yet; the submission completes exactly
 * once, and every test is judged exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../src/infra/eventstore/port.js';
import { createProblem, createRoom, execHarness, newAdmin, submissionResult, submit, type ExecHarness, type TestRoom } from './support.js';
import { until } from '../support/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TESTS = 6;

let h: ExecHarness;
let room: TestRoom;
const children: ChildProcess[] = [];

/** Starts test/execution/worker-process.ts against this harness's schema and Redis prefix; resolves once it is ready. */
function startWorkerProcess(): Promise<ChildProcess> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: h.config.DATABASE_URL,
    REDIS_URL: h.config.REDIS_URL,
    DB_SCHEMA: h.config.DB_SCHEMA,
    REDIS_PREFIX: h.config.REDIS_PREFIX,
    DB_POOL_SIZE: '4',
  };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the child
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/execution/worker-process.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`worker process exited early (${code ?? signal}): ${err}`)));
  });
}

async function streamEvents(stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of h.ctx.store.readStream(stream)) events.push(e);
  return events;
}

beforeAll(async () => {
  h = await execHarness({ worker: false });
  const admin = await newAdmin(h);
  const testCases = Array.from({ length: TESTS }, (_, i) => ({ input: `${i} ${i}\n`, expectedOutput: `${2 * i}\n` }));
  const problem = await createProblem(h, admin, { testCases, timeLimit: 3000 });
  room = await createRoom(h, { problemId: problem.id });
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
});

describe('kill -9 of the worker mid-submission', () => {
  it('the job is retried by another worker and the submission completes exactly once', async () => {
    const first = await startWorkerProcess();
    // each test sleeps, so the submission takes several seconds and judged tests are recorded in batches
    const code = 'import time\na, b = map(int, input().split())\ntime.sleep(0.8)\nprint(a + b)\n';
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code });
    expect(res.status).toBe(202);
    const stream = `submission-${res.body.submissionId}`;

    // kill it once some tests are judged and the rest are not
    const judgedBeforeKill = await until(
      'a first batch of judged tests',
      async () => {
        const events = await streamEvents(stream);
        const judged = events.filter((e) => e.type === 'SubmissionTestsJudged').flatMap((e) => (e.data as any).results);
        return judged.length > 0 ? judged.length : undefined;
      },
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(judgedBeforeKill).toBeLessThan(TESTS);
    const beforeRetry = await streamEvents(stream);
    expect(beforeRetry.some((e) => e.type === 'SubmissionCompleted')).toBe(false);

    await startWorkerProcess();
    const details = await submissionResult(h, room.candidate, res.body.submissionId, 120_000);
    expect(details).toMatchObject({ status: 'completed', accepted: true, totalTestCases: TESTS, passedTestCases: TESTS });

    const events = await streamEvents(stream);
    expect(events.filter((e) => e.type === 'SubmissionCompleted')).toHaveLength(1);
    const judged = events.filter((e) => e.type === 'SubmissionTestsJudged').flatMap((e) => (e.data as any).results.map((r: any) => r.testCaseIndex));
    expect([...judged].sort((a, b) => a - b)).toEqual([...Array(TESTS).keys()]);
    // the second worker recorded its own start (attempt numbers do not repeat)
    expect(events.filter((e) => e.type === 'SubmissionStarted').length).toBeGreaterThanOrEqual(1);

    // a duplicated job (e.g. a retried enqueue) changes nothing
    const { EXECUTION_QUEUE } = await import('../../src/commands/execution/jobs.js');
    const queue = h.ctx.queues.queue(EXECUTION_QUEUE);
    await queue.add('judge-submission', { kind: 'submission', submissionId: res.body.submissionId, traceId: 'dup', tests: [] }, { jobId: `${res.body.submissionId}-dup` });
    await until('the duplicate to be processed', async () => (((await queue.getJobCounts('completed')).completed ?? 0) >= 2 ? true : undefined), 30_000);
    expect((await streamEvents(stream)).length).toBe(events.length);
  }, 240_000);
});
