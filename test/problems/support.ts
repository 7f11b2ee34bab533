/** Shared helpers of the problem tests: a harness with users, problem bodies, and submission events. */
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { registerAdmin, registerUser } from '../support/users.js';

export interface TestUser {
  id: string;
  token: string;
}

/** A harness with every module wired (real sign-up and access tokens) and rate limits off. */
export async function problemHarness(options: HarnessOptions = {}): Promise<Harness> {
  return createHarness({ ...options, env: { RATE_LIMIT_ENABLED: 'false', ...options.env } });
}

export async function newUser(h: Harness): Promise<TestUser> {
  const u = await registerUser(h);
  return { id: u.id, token: u.accessToken };
}

export async function newAdmin(h: Harness): Promise<TestUser> {
  const u = await registerAdmin(h);
  return { id: u.id, token: u.accessToken };
}

let counter = 0;

/** A valid create body; `title` unique per call unless given. */
export function problemBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    title: `Problem ${counter} ${randomUUID().slice(0, 8)}`,
    description: 'Read two integers and print their sum.',
    difficulty: 'easy',
    testCases: [
      { input: '1 2\n', expectedOutput: '3\n' },
      { input: '5 5\n', expectedOutput: '10\n', isHidden: true, description: 'hidden one', timeoutMs: 1000, memoryMb: 64 },
    ],
    ...over,
  };
}

export async function createProblem(h: Harness, admin: TestUser, over: Record<string, unknown> = {}): Promise<any> {
  const res = await h.request({ method: 'POST', url: '/problems', token: admin.token, body: problemBody({ isPublished: true, ...over }) });
  expect(res.status).toBe(201);
  return res.body;
}

/** Appends the execution module's submission events directly (the contract of `submission-<id>`). */
export async function submit(
  h: Harness,
  userId: string,
  problemId: string,
  outcome: 'accepted' | 'rejected' | 'pending',
): Promise<string> {
  const submissionId = randomUUID();
  const stream = `submission-${submissionId}`;
  const metadata = { actorId: userId, occurredAt: new Date().toISOString() };
  let last = await h.ctx.store.appendToStream(stream, [
    {
      id: randomUUID(),
      type: 'SubmissionRequested',
      data: { submissionId, roomId: randomUUID(), sessionId: null, problemId, userId, language: 'python', testCaseCount: 2 },
      metadata,
    },
  ]);
  if (outcome !== 'pending') {
    const accepted = outcome === 'accepted';
    last = await h.ctx.store.appendToStream(stream, [
      {
        id: randomUUID(),
        type: 'SubmissionCompleted',
        data: { submissionId, problemId, userId, roomId: randomUUID(), passed: accepted ? 2 : 1, failed: accepted ? 0 : 1, errors: 0, total: 2, accepted, totalDurationMs: 40 },
        metadata,
      },
    ]);
  }
  await settled(h, last.position.commit, ['problem-stats']);
  return submissionId;
}

/** Waits until the named projections have passed a position of the log. */
export async function settled(h: Harness, position: bigint, names: readonly string[]): Promise<void> {
  const ok = await h.ctx.progress.waitFor(position, names, 10_000);
  if (!ok) throw new Error(`projections ${names.join(', ')} did not reach ${position}`);
}
