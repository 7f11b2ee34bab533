/**
 * Helpers of the execution tests: a harness whose execution worker really runs (in process, against the harness's
 * schema and Redis prefix), users, problems and rooms made over HTTP, and polling until a job is done.
 */
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { registerAdmin, registerUser } from '../support/users.js';
import { startExecutionWorker, type ExecutionWorkerOptions } from '../../src/workers/execution/start.js';

export interface TestUser {
  id: string;
  token: string;
}

export interface ExecHarness extends Harness {
  stopWorker(): Promise<void>;
  startWorker(options?: ExecutionWorkerOptions): Promise<void>;
}

/** A harness with every module wired, rate limits off unless asked for, and the execution worker running. */
export async function execHarness(options: HarnessOptions & { worker?: false | ExecutionWorkerOptions } = {}): Promise<ExecHarness> {
  const h = await createHarness({ ...options, env: { RATE_LIMIT_ENABLED: 'false', COLLAB_PLANE_URL: 'http://127.0.0.1:9', ...options.env } });
  let stop: (() => Promise<void>) | undefined;
  if (options.worker !== false) stop = await startExecutionWorker(h.ctx, options.worker ?? {});
  const close = h.close.bind(h);
  return Object.assign(h, {
    async stopWorker() {
      await stop?.();
      stop = undefined;
    },
    async startWorker(o: ExecutionWorkerOptions = {}) {
      await stop?.();
      stop = await startExecutionWorker(h.ctx, o);
    },
    async close() {
      await stop?.();
      await close();
    },
  });
}

export async function newUser(h: Harness): Promise<TestUser> {
  const u = await registerUser(h);
  return { id: u.id, token: u.accessToken };
}

export async function newAdmin(h: Harness): Promise<TestUser> {
  const u = await registerAdmin(h);
  return { id: u.id, token: u.accessToken };
}

export interface TestCaseBody {
  input: string;
  expectedOutput: string;
  isHidden?: boolean;
  timeoutMs?: number;
  memoryMb?: number;
}

/** A published problem: read two integers, print their sum (by default one visible and one hidden test). */
export async function createProblem(h: Harness, admin: TestUser, over: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await h.request({
    method: 'POST',
    url: '/problems',
    token: admin.token,
    body: {
      title: `Sum ${randomUUID().slice(0, 8)}`,
      description: 'Read two integers and print their sum.',
      difficulty: 'easy',
      isPublished: true,
      timeLimit: 2000,
      memoryLimit: 256,
      testCases: [
        { input: '1 2\n', expectedOutput: '3\n' },
        { input: '20 22\n', expectedOutput: '42\n', isHidden: true },
      ],
      ...over,
    },
  });
  expect(res.status).toBe(201);
  return { id: res.body.id };
}

export interface TestRoom {
  roomId: string;
  roomCode: string;
  host: TestUser;
  candidate: TestUser;
}

/** A peer room (host = interviewer, plus a candidate), with a problem when given. */
export async function createRoom(h: Harness, options: { problemId?: string; host?: TestUser } = {}): Promise<TestRoom> {
  const host = options.host ?? (await newUser(h));
  const candidate = await newUser(h);
  const res = await h.request({
    method: 'POST',
    url: '/rooms',
    token: host.token,
    body: { mode: 'peer', language: 'python', config: { maxParticipants: 6 }, ...(options.problemId ? { problemId: options.problemId } : {}) },
  });
  expect(res.status).toBe(201);
  const room = { roomId: res.body.roomId as string, roomCode: res.body.roomCode as string };
  await joinRoom(h, candidate, room);
  return { ...room, host, candidate };
}

export async function joinRoom(h: Harness, user: TestUser, room: { roomId: string; roomCode: string }, body: Record<string, unknown> = {}): Promise<void> {
  const res = await h.request({ method: 'POST', url: `/rooms/${room.roomId}/join`, token: user.token, body: { roomCode: room.roomCode, ...body } });
  expect(res.status).toBe(200);
}

export function run(h: Harness, user: TestUser, roomId: string, body: Record<string, unknown>) {
  return h.request({ method: 'POST', url: `/rooms/${roomId}/run`, token: user.token, body });
}

export function submit(h: Harness, user: TestUser, roomId: string, body: Record<string, unknown>) {
  return h.request({ method: 'POST', url: `/rooms/${roomId}/submit`, token: user.token, body });
}

export const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
};

async function poll<T>(what: string, fetch: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fetch();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} not done after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls GET /execution/:jobId until the run has a result. */
export async function runResult(h: Harness, user: TestUser, jobId: string, timeoutMs = 60_000): Promise<any> {
  const res = await poll(
    `run ${jobId}`,
    () => h.request({ method: 'GET', url: `/execution/${jobId}`, token: user.token }),
    (r) => r.status !== 200 || 'stdout' in r.body,
    timeoutMs,
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** Polls GET /submissions/:id until the submission is completed or failed. */
export async function submissionResult(h: Harness, user: TestUser, submissionId: string, timeoutMs = 90_000): Promise<any> {
  const res = await poll(
    `submission ${submissionId}`,
    () => h.request({ method: 'GET', url: `/submissions/${submissionId}`, token: user.token }),
    (r) => r.status !== 200 || r.body.status === 'completed' || r.body.status === 'failed',
    timeoutMs,
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** Polls GET /execution/static-analysis/:jobId until it is no longer pending. */
export async function analysisResult(h: Harness, user: TestUser, jobId: string, timeoutMs = 60_000): Promise<any> {
  const res = await poll(
    `analysis ${jobId}`,
    () => h.request({ method: 'GET', url: `/execution/static-analysis/${jobId}`, token: user.token }),
    (r) => r.status !== 200 || r.body.status !== 'pending',
    timeoutMs,
  );
  expect(res.status).toBe(200);
  return res.body;
}
