/**
 * Helpers of the AI tests: a harness whose AI worker (and, when asked, execution worker) really runs against the
 * harness's schema and Redis prefix; problems, AI and peer rooms made over HTTP; polling of AI results.
 */
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { startAiWorker } from '../../src/workers/ai/start.js';
import { startExecutionWorker } from '../../src/workers/execution/start.js';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { registerAdmin, registerUser } from '../support/users.js';

export interface TestUser {
  id: string;
  token: string;
}

export interface AiHarness extends Harness {
  admin: TestUser;
}

export async function aiHarness(options: HarnessOptions & { execution?: boolean; worker?: boolean } = {}): Promise<AiHarness & { startWorker(): Promise<void> }> {
  const h = await createHarness({ ...options, env: { RATE_LIMIT_ENABLED: 'false', COLLAB_PLANE_URL: 'http://127.0.0.1:9', ...options.env } });
  const stops = options.worker === false ? [] : [await startAiWorker(h.ctx)];
  if (options.execution) stops.push(await startExecutionWorker(h.ctx, { analysis: true }));
  const admin = await registerAdmin(h);
  const close = h.close.bind(h);
  return Object.assign(h, {
    admin: { id: admin.id, token: admin.accessToken },
    async startWorker() {
      stops.push(await startAiWorker(h.ctx));
    },
    async close() {
      for (const stop of stops) await stop();
      await close();
    },
  });
}

export async function newUser(h: Harness): Promise<TestUser> {
  const u = await registerUser(h);
  return { id: u.id, token: u.accessToken };
}

export const LADDER = {
  subtle: 'Think about what you need to remember about the numbers you have already seen.',
  moderate: 'A hash map from value to index lets you find the complement in constant time.',
  direct: 'For each index i, look up target - nums[i] in the map before inserting nums[i]; print both indices when found.',
};

/** A published problem: read two integers, print their sum (one visible test, one hidden test). */
export async function createProblem(h: AiHarness, over: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request({
    method: 'POST',
    url: '/problems',
    token: h.admin.token,
    body: {
      title: `Pair sum ${randomUUID().slice(0, 8)}`,
      description: 'Read n integers and a target; print the indices of the two numbers that add up to the target.',
      difficulty: 'easy',
      constraints: '- 2 <= n <= 10^5',
      isPublished: true,
      timeLimit: 2000,
      memoryLimit: 256,
      examples: [{ input: '4\n2 7 11 15\n9\n', output: '0 1\n' }],
      testCases: [
        { input: '4\n2 7 11 15\n9\n', expectedOutput: '0 1\n' },
        { input: '3\n3 2 4\n6\n', expectedOutput: '1 2\n' },
        { input: '2\n3 3\n6\n', expectedOutput: '0 1\n', isHidden: true },
      ],
      hints: LADDER,
      ...over,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

export interface TestRoom {
  roomId: string;
  roomCode: string;
  host: TestUser;
}

async function post(h: Harness, user: TestUser, url: string, body?: unknown) {
  return h.request({ method: 'POST', url, token: user.token, ...(body !== undefined ? { body } : {}) });
}

/** A room (AI mode by default: the host is the candidate) with a problem, moved on to `phase`. */
export async function aiRoom(
  h: Harness,
  options: { problemId?: string; phase?: 'waiting' | 'warmup' | 'coding' | 'wrapup'; mode?: 'ai' | 'peer'; host?: TestUser } = {},
): Promise<TestRoom & { guest?: TestUser }> {
  const host = options.host ?? (await newUser(h));
  const mode = options.mode ?? 'ai';
  const res = await post(h, host, '/rooms', { mode, language: 'python', config: { maxParticipants: 4 }, ...(options.problemId ? { problemId: options.problemId } : {}) });
  expect(res.status).toBe(201);
  const room = { roomId: res.body.roomId as string, roomCode: res.body.roomCode as string, host };
  let guest: TestUser | undefined;
  if (mode === 'peer') {
    guest = await newUser(h);
    expect((await post(h, guest, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode })).status).toBe(200);
  }
  const phase = options.phase ?? 'coding';
  if (phase !== 'waiting') {
    expect((await post(h, host, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    if (guest) expect((await post(h, guest, `/rooms/${room.roomId}/ready`)).status).toBe(200);
    for (const p of ['warmup', 'coding', 'wrapup'] as const) {
      const t = await post(h, host, `/rooms/${room.roomId}/control/transition`, { targetStatus: p });
      expect(t.status).toBe(200);
      if (p === phase) break;
    }
  }
  return { ...room, ...(guest ? { guest } : {}) };
}

export async function joinAs(h: Harness, room: TestRoom, role: 'observer' | 'candidate' | 'interviewer'): Promise<TestUser> {
  const user = await newUser(h);
  const res = await post(h, user, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode, requestedRole: role });
  expect(res.status).toBe(200);
  return user;
}

export const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
};

/** Polls a GET until its status is no longer pending. */
export async function pollReady(h: Harness, user: TestUser, url: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.request({ method: 'GET', url, token: user.token });
    if (res.status !== 200 || res.body.status !== 'pending') {
      expect(res.status).toBe(200);
      return res.body;
    }
    if (Date.now() > deadline) throw new Error(`${url} still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function hint(h: Harness, user: TestUser, roomId: string, body: Record<string, unknown>) {
  return h.request({ method: 'POST', url: `/rooms/${roomId}/ai/hint`, token: user.token, body: { language: 'python', hintLevel: 'subtle', ...body } });
}

export function interview(h: Harness, user: TestUser, roomId: string, body: Record<string, unknown> = {}) {
  const code = (body['currentCode'] as string | undefined) ?? 'def solve():\n    pass\n';
  return h.request({
    method: 'POST',
    url: `/rooms/${roomId}/ai/interview`,
    token: user.token,
    body: {
      trigger: 'user_message',
      userMessage: 'How should I start?',
      conversationHistory: [],
      currentCode: code,
      codeContext: { language: 'python', file: 'main.py', codeSnippet: code.split('\n')[0] || 'x', startLine: 1, endLine: 1 },
      ...body,
    },
  });
}
