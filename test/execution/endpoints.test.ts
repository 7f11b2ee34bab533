/**
 * Execution endpoints over HTTP with the worker running: run and submit with every room and problem check, polling
 * access, room history, languages, the queue breaker, body limits and fail-closed behaviour.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { handleCommand } from '../../src/commands/handle-command.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { problemDecider, problemStream } from '../../src/domain/problem/problem.js';
import { settle } from '../../src/http/command.js';
import { resetSandboxProbe } from '../../src/infra/sandbox/index.js';
import { TOOLS } from '../../src/infra/sandbox/paths.js';
import type { QueueFactory } from '../../src/infra/queue/bullmq.js';
import {
  createProblem,
  createRoom,
  execHarness,
  expectError,
  joinRoom,
  newAdmin,
  newUser,
  run,
  runResult,
  submissionResult,
  submit,
  type ExecHarness,
  type TestRoom,
  type TestUser,
} from './support.js';

let h: ExecHarness;
let admin: TestUser;
let problem: { id: string };
let room: TestRoom;

beforeAll(async () => {
  h = await execHarness({ env: { EXECUTION_QUEUE_TIMEOUT_MS: '300' } });
  admin = await newAdmin(h);
  problem = await createProblem(h, admin);
  room = await createRoom(h, { problemId: problem.id });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const sum = 'a, b = map(int, input().split())\nprint(a + b)\n';

describe('POST /rooms/:id/run', () => {
  it('queues a run and answers 202 with the job and analysis ids; the worker runs it in the sandbox', async () => {
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code: sum, stdin: '40 2\n' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ jobId: expect.any(String), staticAnalysisJobId: expect.any(String) });
    const result = await runResult(h, room.candidate, res.body.jobId);
    expect(result).toMatchObject({
      jobId: res.body.jobId,
      status: 'completed',
      verdict: 'OK',
      stdout: '42\n',
      stderr: '',
      exitCode: 0,
      timedOut: false,
      outputTruncated: false,
      outputExpired: false,
      language: 'python',
    });
    expect(result.durationMs).toBeGreaterThan(0);
    const status = await h.request({ method: 'GET', url: `/execution/${res.body.jobId}/status`, token: room.candidate.token });
    expect(status).toMatchObject({ status: 200, body: { status: 'completed' } });
  });

  it('reports a failing program as failed with its exit code, stderr and verdict', async () => {
    const res = await run(h, room.host, room.roomId, { language: 'python', code: 'import sys\nprint("x", file=sys.stderr)\nsys.exit(3)\n' });
    const result = await runResult(h, room.host, res.body.jobId);
    expect(result).toMatchObject({ status: 'failed', verdict: 'RE', exitCode: 3, stderr: 'x\n', error: 'Runtime error: exit code 3' });
  });

  it('applies the requested limits within the caps', async () => {
    const res = await run(h, room.host, room.roomId, { language: 'python', code: 'while True:\n    pass\n', timeoutMs: 300 });
    const result = await runResult(h, room.host, res.body.jobId);
    expect(result).toMatchObject({ status: 'failed', verdict: 'TLE', timedOut: true });
    expectError(await run(h, room.host, room.roomId, { language: 'python', code: sum, timeoutMs: 10_000_000 }), 400, 'VALIDATION_FAILED');
    expectError(await run(h, room.host, room.roomId, { language: 'python', code: sum, memoryMb: 0 }), 400, 'VALIDATION_FAILED');
  });

  it('validates the body strictly: unsupported language, empty code, unknown fields', async () => {
    expectError(await run(h, room.host, room.roomId, { language: 'cobol', code: sum }), 400, 'VALIDATION_FAILED');
    expectError(await run(h, room.host, room.roomId, { language: 'python', code: '' }), 400, 'VALIDATION_FAILED');
    expectError(await run(h, room.host, room.roomId, { language: 'python', code: sum, extra: 1 }), 400, 'VALIDATION_FAILED');
    expectError(await run(h, room.host, 'not-a-uuid', { language: 'python', code: sum }), 400, 'VALIDATION_FAILED');
    // text Postgres cannot store is refused up front
    expectError(await run(h, room.host, room.roomId, { language: 'python', code: 'print(1)\u0000' }), 400, 'VALIDATION_FAILED');
    expectError(await run(h, room.host, room.roomId, { language: 'python', code: 'print(1)', stdin: 'a\ud800' }), 400, 'VALIDATION_FAILED');
    expectError(await submit(h, room.host, room.roomId, { language: 'python', code: 'x = "\u0000"' }), 400, 'VALIDATION_FAILED');
  });

  it('stores any program output: astral characters as they are, NUL bytes as U+FFFD', async () => {
    const res = await run(h, room.host, room.roomId, { language: 'python', code: 'import sys\nsys.stdout.write("a\\0b 😀\\n")\n' });
    expect(res.status).toBe(202);
    expect((await runResult(h, room.host, res.body.jobId)).stdout).toBe('a\ufffdb 😀\n');
  });

  it('checks the room: 404 unknown room, 403 non-participant, 403 observer, 409 locked editor for everyone', async () => {
    const stranger = await newUser(h);
    const observer = await newUser(h);
    const r = await createRoom(h, { problemId: problem.id });
    await joinRoom(h, observer, r, { requestedRole: 'observer' });

    expectError(await run(h, room.host, randomUUID(), { language: 'python', code: sum }), 404, 'ROOM_NOT_FOUND');
    expectError(await run(h, stranger, r.roomId, { language: 'python', code: sum }), 403, 'ROOM_ACCESS_DENIED');
    expectError(await run(h, observer, r.roomId, { language: 'python', code: sum }), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await submit(h, observer, r.roomId, { language: 'python', code: sum }), 403, 'ROOM_PERMISSION_DENIED');

    const lock = await h.request({ method: 'POST', url: `/rooms/${r.roomId}/control/lock-editor`, token: r.host.token });
    expect(lock.status).toBe(200);
    // checked before the capability, and for the host too
    expectError(await run(h, r.host, r.roomId, { language: 'python', code: sum }), 409, 'ROOM_EDITOR_LOCKED');
    expectError(await run(h, r.candidate, r.roomId, { language: 'python', code: sum }), 409, 'ROOM_EDITOR_LOCKED');
    expectError(await run(h, observer, r.roomId, { language: 'python', code: sum }), 409, 'ROOM_EDITOR_LOCKED');
    expectError(await submit(h, r.candidate, r.roomId, { language: 'python', code: sum }), 409, 'ROOM_EDITOR_LOCKED');
    expectError(await run(h, stranger, r.roomId, { language: 'python', code: sum }), 403, 'ROOM_ACCESS_DENIED');
    await h.request({ method: 'POST', url: `/rooms/${r.roomId}/control/unlock-editor`, token: r.host.token });

    // a participant who left is no longer active
    expect((await h.request({ method: 'POST', url: `/rooms/${r.roomId}/leave`, token: r.candidate.token })).status).toBe(204);
    expectError(await run(h, r.candidate, r.roomId, { language: 'python', code: sum }), 403, 'ROOM_ACCESS_DENIED');
  });
});

describe('POST /rooms/:id/submit', () => {
  it('judges every test case and completes with the counts; the body is strict (REF)', async () => {
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code: sum });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ submissionId: expect.any(String), staticAnalysisJobId: expect.any(String) });
    const details = await submissionResult(h, room.candidate, res.body.submissionId);
    expect(details).toMatchObject({
      submissionId: res.body.submissionId,
      roomId: room.roomId,
      problemId: problem.id,
      status: 'completed',
      verdict: 'AC',
      accepted: true,
      totalTestCases: 2,
      passedTestCases: 2,
      failedTestCases: 0,
      errorTestCases: 0,
    });
    expect(details.testCases.map((t: any) => [t.testCaseIndex, t.passed, t.verdict])).toEqual([
      [0, true, 'AC'],
      [1, true, 'AC'],
    ]);
    expectError(await submit(h, room.candidate, room.roomId, { language: 'python', code: sum, timeoutMs: 100 }), 400, 'VALIDATION_FAILED');
    expectError(await submit(h, room.candidate, room.roomId, { language: 'brainfuck', code: sum }), 400, 'VALIDATION_FAILED');
  });

  it('404 PROBLEM_NOT_FOUND when the room has no problem, or it is a draft or deleted', async () => {
    const noProblem = await createRoom(h);
    expectError(await submit(h, noProblem.candidate, noProblem.roomId, { language: 'python', code: sum }), 404, 'PROBLEM_NOT_FOUND');

    const draft = await createProblem(h, admin);
    const draftRoom = await createRoom(h, { problemId: draft.id });
    const unpublish = await h.request({ method: 'PATCH', url: `/problems/${draft.id}/publish-status`, token: admin.token, body: { isPublished: false } });
    expect(unpublish.status).toBe(200);
    expectError(await submit(h, draftRoom.candidate, draftRoom.roomId, { language: 'python', code: sum }), 404, 'PROBLEM_NOT_FOUND');

    const deleted = await createProblem(h, admin);
    const deletedRoom = await createRoom(h, { problemId: deleted.id });
    // Deleting a problem a live room uses is refused over HTTP; this is the state such a race would leave behind.
    const gone = await handleCommand(h.ctx.store, problemStream(deleted.id), problemDecider, { type: 'DeleteProblem', problemId: deleted.id, inUse: false }, systemMetadata(randomUUID()));
    await settle(h.ctx, gone.position, ['ProblemDeleted']);
    expectError(await submit(h, deletedRoom.candidate, deletedRoom.roomId, { language: 'python', code: sum }), 404, 'PROBLEM_NOT_FOUND');
  });

  it('422 PROBLEM_NO_TEST_CASES for a problem without test cases', async () => {
    // The problem API always requires a test case; an imported problem may still have none.
    const problemId = randomUUID();
    const created = await h.ctx.store.appendToStream(problemStream(problemId), [
      {
        id: randomUUID(),
        type: 'ProblemCreated',
        data: {
          problemId,
          slug: null,
          isPublished: true,
          title: `Empty ${problemId.slice(0, 8)}`,
          description: 'No tests.',
          difficulty: 'easy',
          company: null,
          constraints: null,
          examples: [],
          starterCode: null,
          timeLimitMs: null,
          memoryLimitMb: null,
          tags: [],
          testCases: [],
        },
        metadata: { actorId: admin.id, occurredAt: new Date().toISOString() },
      },
    ]);
    await settle(h.ctx, created.position, ['ProblemCreated']);
    const r = await createRoom(h, { problemId });
    expectError(await submit(h, r.candidate, r.roomId, { language: 'python', code: sum }), 422, 'PROBLEM_NO_TEST_CASES');
  });

  it('accepts code up to the 5 MB submit body limit; runs keep the 1 MB default', async () => {
    const big = `${'#'.repeat(2 * 1024 * 1024)}\n${sum}`;
    const accepted = await submit(h, room.candidate, room.roomId, { language: 'python', code: big });
    expect(accepted.status).toBe(202);
    expectError(await run(h, room.candidate, room.roomId, { language: 'python', code: big }), 413, 'PAYLOAD_TOO_LARGE');
    const tooBig = `${'#'.repeat(6 * 1024 * 1024)}\n${sum}`;
    expectError(await submit(h, room.candidate, room.roomId, { language: 'python', code: tooBig }), 413, 'PAYLOAD_TOO_LARGE');
    const details = await submissionResult(h, room.candidate, accepted.body.submissionId);
    expect(details).toMatchObject({ status: 'completed', accepted: true });
  });
});

describe('GET /execution/:jobId and /status', () => {
  let jobId: string;
  beforeAll(async () => {
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print("mine")' });
    jobId = res.body.jobId;
    await runResult(h, room.candidate, jobId);
  });

  it('the owner, another active participant and an admin may poll a run', async () => {
    for (const user of [room.candidate, room.host, admin]) {
      const res = await h.request({ method: 'GET', url: `/execution/${jobId}`, token: user.token });
      expect({ status: res.status, stdout: res.body.stdout }).toEqual({ status: 200, stdout: 'mine\n' });
      const status = await h.request({ method: 'GET', url: `/execution/${jobId}/status`, token: user.token });
      expect(status.body).toEqual({ status: 'completed' });
    }
  });

  it('404 EXECUTION_JOB_NOT_FOUND for a non-participant, an unknown job and a submission id', async () => {
    const stranger = await newUser(h);
    expectError(await h.request({ method: 'GET', url: `/execution/${jobId}`, token: stranger.token }), 404, 'EXECUTION_JOB_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/execution/${jobId}/status`, token: stranger.token }), 404, 'EXECUTION_JOB_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/execution/${randomUUID()}`, token: admin.token }), 404, 'EXECUTION_JOB_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/execution/${randomUUID()}/status`, token: room.candidate.token }), 404, 'EXECUTION_JOB_NOT_FOUND');
    const sub = await submit(h, room.candidate, room.roomId, { language: 'python', code: sum });
    expectError(await h.request({ method: 'GET', url: `/execution/${sub.body.submissionId}`, token: room.candidate.token }), 404, 'EXECUTION_JOB_NOT_FOUND');
    await submissionResult(h, room.candidate, sub.body.submissionId);
  });

  it('a participant who left can no longer poll another user’s run', async () => {
    const r = await createRoom(h, { problemId: problem.id });
    const res = await run(h, r.host, r.roomId, { language: 'python', code: 'print(1)' });
    await runResult(h, r.host, res.body.jobId);
    expect((await h.request({ method: 'GET', url: `/execution/${res.body.jobId}`, token: r.candidate.token })).status).toBe(200);
    await h.request({ method: 'POST', url: `/rooms/${r.roomId}/leave`, token: r.candidate.token });
    expectError(await h.request({ method: 'GET', url: `/execution/${res.body.jobId}`, token: r.candidate.token }), 404, 'EXECUTION_JOB_NOT_FOUND');
  });

  it('answers {jobId, status: queued} before the worker takes the job', async () => {
    await h.stopWorker();
    try {
      const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' });
      const poll = await h.request({ method: 'GET', url: `/execution/${res.body.jobId}`, token: room.candidate.token });
      expect(poll.body).toEqual({ jobId: res.body.jobId, status: 'queued' });
      const status = await h.request({ method: 'GET', url: `/execution/${res.body.jobId}/status`, token: room.candidate.token });
      expect(status.body).toEqual({ status: 'queued' });
    } finally {
      // a fresh worker picks the queued job up
      await h.startWorker();
    }
  });
});

describe('GET /submissions/:id', () => {
  it('is for its owner only: 404 SUBMISSION_NOT_FOUND for anyone else, admins included, and unknown ids', async () => {
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code: sum });
    await submissionResult(h, room.candidate, res.body.submissionId);
    for (const other of [room.host, admin]) {
      expectError(await h.request({ method: 'GET', url: `/submissions/${res.body.submissionId}`, token: other.token }), 404, 'SUBMISSION_NOT_FOUND');
    }
    expectError(await h.request({ method: 'GET', url: `/submissions/${randomUUID()}`, token: room.candidate.token }), 404, 'SUBMISSION_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/submissions/nope`, token: room.candidate.token }), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /rooms/:id/runs and /rooms/:id/submissions', () => {
  it('list the room’s history newest first, paginated, for participants only', async () => {
    const r = await createRoom(h, { problemId: problem.id });
    const ids: string[] = [];
    for (const [i, user] of [r.host, r.candidate, r.host].entries()) {
      const res = await run(h, user, r.roomId, { language: 'python', code: `print(${i})` });
      ids.push(res.body.jobId);
    }
    const first = await h.request({ method: 'GET', url: `/rooms/${r.roomId}/runs?limit=2`, token: r.candidate.token });
    expect(first.status).toBe(200);
    expect(first.body.data.map((x: any) => x.runId)).toEqual([ids[2], ids[1]]);
    expect(first.body.pagination.hasMore).toBe(true);
    const second = await h.request({ method: 'GET', url: `/rooms/${r.roomId}/runs?limit=2&cursor=${first.body.pagination.nextCursor}`, token: r.candidate.token });
    expect(second.body.data.map((x: any) => x.runId)).toEqual([ids[0]]);
    expect(second.body.pagination).toEqual({ nextCursor: null, hasMore: false });
    expect(second.body.data[0]).toMatchObject({ userId: r.host.id, language: 'python', code: 'print(0)' });

    const sub = await submit(h, r.candidate, r.roomId, { language: 'python', code: sum });
    const subs = await h.request({ method: 'GET', url: `/rooms/${r.roomId}/submissions`, token: r.host.token });
    expect(subs.body.data).toEqual([expect.objectContaining({ submissionId: sub.body.submissionId, userId: r.candidate.id, problemId: problem.id, totalTestCases: 2 })]);

    const stranger = await newUser(h);
    expectError(await h.request({ method: 'GET', url: `/rooms/${r.roomId}/runs`, token: stranger.token }), 403, 'ROOM_ACCESS_DENIED');
    expectError(await h.request({ method: 'GET', url: `/rooms/${r.roomId}/submissions`, token: stranger.token }), 403, 'ROOM_ACCESS_DENIED');
    expectError(await h.request({ method: 'GET', url: `/rooms/${randomUUID()}/runs`, token: stranger.token }), 404, 'ROOM_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/rooms/${r.roomId}/runs?cursor=garbage!`, token: r.host.token }), 400, 'VALIDATION_FAILED');
    expectError(await h.request({ method: 'GET', url: `/rooms/${r.roomId}/runs?cursor=WzEsMl0`, token: r.host.token }), 400, 'VALIDATION_FAILED');
    await submissionResult(h, r.candidate, sub.body.submissionId);
    for (const id of ids) await runResult(h, r.host, id);
  });
});

describe('GET /execution/languages', () => {
  it('publishes every language with its toolchain version and the limits', async () => {
    const res = await h.request({ method: 'GET', url: '/execution/languages', token: room.host.token });
    expect(res.status).toBe(200);
    expect(res.body.data.map((l: any) => l.language)).toEqual(['python', 'javascript', 'typescript', 'java', 'cpp', 'c', 'go', 'rust']);
    for (const l of res.body.data) expect(l.version).toEqual(expect.any(String));
    expect(res.body).toMatchObject({ sandboxAvailable: true, limits: { maxTimeoutMs: 30_000, maxMemoryMb: 1024 } });
    expect((await h.request({ method: 'GET', url: '/execution/languages' })).status).toBe(401);
  });
});

describe('the queue breaker and failures', () => {
  let saved: QueueFactory;
  beforeAll(() => {
    saved = h.ctx.queues;
  });
  afterEach(() => {
    h.ctx.queues = saved;
    h.ctx.execution.queueGuard.breaker.close();
  });

  it('504 EXECUTION_SERVICE_TIMEOUT when enqueueing hangs; the run is completed as failed, never left pending', async () => {
    h.ctx.queues = { ...saved, queue: () => ({ add: () => new Promise(() => undefined) }) as never };
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' });
    expectError(res, 504, 'EXECUTION_SERVICE_TIMEOUT');
    h.ctx.queues = saved;
    const runs = await h.request({ method: 'GET', url: `/rooms/${room.roomId}/runs?limit=1`, token: room.candidate.token });
    expect(runs.body.data[0]).toMatchObject({ status: 'failed', verdict: 'IE' });
    const result = await h.request({ method: 'GET', url: `/execution/${runs.body.data[0].runId}`, token: room.candidate.token });
    expect(result.body).toMatchObject({ status: 'failed', verdict: 'IE', error: expect.stringContaining('Could not queue the run') });
  });

  it('503 EXECUTION_SERVICE_UNAVAILABLE while the breaker is open; a submission is completed as failed', async () => {
    h.ctx.execution.queueGuard.breaker.open();
    expectError(await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' }), 503, 'EXECUTION_SERVICE_UNAVAILABLE');
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code: sum });
    expectError(res, 503, 'EXECUTION_SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeDefined();
    const subs = await h.request({ method: 'GET', url: `/rooms/${room.roomId}/submissions?limit=1`, token: room.candidate.token });
    expect(subs.body.data[0]).toMatchObject({ status: 'failed', verdict: 'IE', errorTestCases: 2 });
  });

  it('an analysis job that cannot be queued is dropped: the run still runs, staticAnalysisJobId is null', async () => {
    let calls = 0;
    h.ctx.queues = {
      ...saved,
      queue: (name: string) => {
        const q = saved.queue(name);
        if (name !== 'execution.static-analysis') return q;
        calls++;
        return { add: () => Promise.reject(new Error('analysis queue down')) } as never;
      },
    };
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(7)' });
    expect(res.status).toBe(202);
    expect(res.body.staticAnalysisJobId).toBeNull();
    expect(calls).toBe(1);
    h.ctx.queues = saved;
    expect((await runResult(h, room.candidate, res.body.jobId)).stdout).toBe('7\n');
  });

  it('fails closed when the sandbox is unavailable: completed as failed (IE) with the reason, nothing runs', async () => {
    const bwrap = TOOLS.bwrap;
    TOOLS.bwrap = '/nonexistent/bwrap';
    resetSandboxProbe();
    try {
      const r1 = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' });
      const result = await runResult(h, room.candidate, r1.body.jobId);
      expect(result).toMatchObject({ status: 'failed', verdict: 'IE', stdout: '', error: expect.stringContaining('sandbox unavailable') });
      const s1 = await submit(h, room.candidate, room.roomId, { language: 'python', code: sum });
      const details = await submissionResult(h, room.candidate, s1.body.submissionId);
      expect(details).toMatchObject({ status: 'failed', verdict: 'IE', accepted: false, errorTestCases: 2, error: expect.stringContaining('sandbox unavailable') });
      expect(details.testCases.every((t: any) => t.verdict === 'IE' && t.passed === null)).toBe(true);
    } finally {
      TOOLS.bwrap = bwrap;
      resetSandboxProbe();
    }
  });
});
