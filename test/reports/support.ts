/**
 * Sessions played for real for the report tests: rooms over HTTP, code typed through a y-websocket client into the
 * collab plane, runs and submissions judged by the sandboxed execution worker, the report worker reacting to the
 * finish. AI-plane events (hints, interviewer messages) are appended to `ai-<sessionId>` as their contract says.
 */
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { startExecutionWorker } from '../../src/workers/execution/start.js';
import { startReportWorker } from '../../src/workers/reports/start.js';
import { peer, synced, type Peer } from '../collab/support.js';
import { createProblem } from '../problems/support.js';
import { join, newAdmin, newUser, post, roomHarness, transition, type RoomHarness, type TestUser } from '../rooms/support.js';

export const REVERSE_OK = 'line = input()\nprint(line[::-1])\n';
export const REVERSE_WRONG = 'line = input()\nprint(line)\n';
/** The hidden case: its input and expected output must never reach a report. */
export const HIDDEN_INPUT = 'zebraHiddenQuokka';
export const HIDDEN_EXPECTED = 'akkouQneddiHarbez';

export interface ReportHarness extends RoomHarness {
  admin: TestUser;
  problem: { id: string };
  stopReports(): Promise<void>;
  startReports(): Promise<void>;
}

export async function reportHarness(): Promise<ReportHarness> {
  const h = await roomHarness({ collab: true, env: { SWEEPER_GRACE_MS: '0' } });
  const stopExecution = await startExecutionWorker(h.ctx);
  let stopReports: (() => Promise<void>) | undefined = await startReportWorker(h.ctx);
  const admin = await newAdmin(h);
  const problem = await createProblem(h, admin, {
    description: 'Print the line reversed.',
    difficulty: 'easy',
    testCases: [
      { input: 'abc\n', expectedOutput: 'cba\n' },
      { input: 'level up\n', expectedOutput: 'pu level\n' },
      { input: `${HIDDEN_INPUT}\n`, expectedOutput: `${HIDDEN_EXPECTED}\n`, isHidden: true },
    ],
  });
  const close = h.close.bind(h);
  return Object.assign(h, {
    admin,
    problem,
    async stopReports() {
      await stopReports?.();
      stopReports = undefined;
    },
    async startReports() {
      await stopReports?.();
      stopReports = await startReportWorker(h.ctx);
    },
    async close() {
      await stopReports?.();
      await stopExecution();
      await close();
    },
  });
}

export const get = (h: RoomHarness, user: TestUser, url: string, headers?: Record<string, string>) =>
  h.request({ method: 'GET', url, token: user.token, ...(headers ? { headers } : {}) });

async function poll<T>(what: string, fn: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function submitAndWait(h: RoomHarness, user: TestUser, roomId: string, code: string): Promise<any> {
  const res = await post(h, user, `/rooms/${roomId}/submit`, { language: 'python', code });
  expect(res.status).toBe(202);
  const done = await poll(`submission ${res.body.submissionId}`, () => get(h, user, `/submissions/${res.body.submissionId}`), (r) => ['completed', 'failed'].includes(r.body.status), 60_000);
  if (res.body.staticAnalysisJobId) {
    const url = `/execution/static-analysis/${res.body.staticAnalysisJobId}`;
    await poll(`analysis ${res.body.staticAnalysisJobId}`, () => get(h, user, url), (r) => r.status !== 200 || r.body.status !== 'pending', 60_000);
  }
  return done;
}

export async function runAndWait(h: RoomHarness, user: TestUser, roomId: string, code: string): Promise<any> {
  const res = await post(h, user, `/rooms/${roomId}/run`, { language: 'python', code, stdin: 'abc\n' });
  expect(res.status).toBe(202);
  return poll(`run ${res.body.jobId}`, () => get(h, user, `/execution/${res.body.jobId}`), (r) => ['completed', 'failed'].includes(r.body.status), 60_000);
}

export async function reportOf(h: RoomHarness, user: TestUser, sessionId: string): Promise<any> {
  const res = await poll(`report of ${sessionId}`, () => get(h, user, `/sessions/${sessionId}/report`), (r) => r.status !== 404 || r.body.code !== 'SESSION_REPORT_NOT_READY');
  expect(res.status).toBe(200);
  return res;
}

export async function appendAi(h: RoomHarness, sessionId: string, type: string, data: Record<string, unknown>): Promise<void> {
  const occurredAt = new Date().toISOString();
  await h.ctx.store.appendToStream(`ai-${sessionId}`, [{ id: randomUUID(), type, data: { sessionId, ...data }, metadata: { actorId: data['userId'] ?? null, occurredAt } }]);
}

export interface PlayedSession {
  sessionId: string;
  roomId: string;
  host: TestUser;
  candidate: TestUser;
}

export interface Play {
  code: string;
  run?: boolean;
  hint?: 'subtle' | 'moderate' | 'direct';
  explain?: string;
  /** someone who takes the candidate's seat once coding has started (the candidate leaves) */
  lateCandidate?: TestUser;
  /** after submitting, candidate and interviewer swap roles and the new candidate submits this code */
  swapTo?: string;
  candidate?: TestUser;
  finish?: boolean;
}

/** A peer session: host interviews, the candidate types the code, optionally runs, asks for a hint, submits, finishes. */
export async function playSession(h: ReportHarness, play: Play, peers: Peer[]): Promise<PlayedSession> {
  const host = await newUser(h);
  const candidate = play.candidate ?? (await newUser(h));
  const created = await h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', language: 'python', problemId: h.problem.id, config: { maxParticipants: 4 } } });
  expect(created.status).toBe(201);
  const room = created.body;
  const joined = await join(h, candidate, room);
  await post(h, host, `/rooms/${room.roomId}/ready`);
  await post(h, candidate, `/rooms/${room.roomId}/ready`);
  expect((await transition(h, host, room.roomId, 'warmup')).status).toBe(200);
  expect((await transition(h, host, room.roomId, 'coding')).status).toBe(200);
  const { sessionId } = (await get(h, host, `/rooms/${room.roomId}`)).body;
  let submitter = candidate;
  if (play.lateCandidate) {
    // the candidate leaves mid-session and someone else takes the seat
    expect((await post(h, candidate, `/rooms/${room.roomId}/leave`)).status).toBeLessThan(300);
    await join(h, play.lateCandidate, room, { requestedRole: 'candidate' });
    submitter = play.lateCandidate;
  }

  const token = play.lateCandidate ? (await get(h, submitter, `/rooms/${room.roomId}`)).body.collabToken : joined.collabToken;
  const p = peer(`ws://127.0.0.1:${h.collab!.port}/ws`, room.roomId, token, 'python');
  peers.push(p);
  await synced(p);
  const text = p.doc.getText('code:python');
  p.doc.transact(() => {
    text.delete(0, text.length);
    text.insert(0, play.code);
  });
  const scope = { roomId: room.roomId, userId: submitter.id };
  if (play.explain) await appendAi(h, sessionId, 'InterviewerMessageSent', { ...scope, messageId: randomUUID(), jobId: randomUUID(), trigger: 'user_message', content: play.explain, reason: null, sentAt: new Date().toISOString() });
  if (play.hint) {
    await appendAi(h, sessionId, 'HintRequested', { ...scope, requestId: randomUUID(), problemId: h.problem.id, level: play.hint, followUpOf: null, requestedAt: new Date().toISOString() });
  }
  if (play.run) await runAndWait(h, submitter, room.roomId, play.code);
  await submitAndWait(h, submitter, room.roomId, play.code);
  if (play.swapTo) {
    // the halfway swap of peer practice: the interviewer becomes the candidate and submits their own attempt
    const asked = await post(h, candidate, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: host.id });
    expect(asked.status).toBeLessThan(300);
    const accepted = await post(h, host, `/rooms/${room.roomId}/control/role-swap/${asked.body.swapId}`, { accept: true });
    expect(accepted.status).toBeLessThan(300);
    await submitAndWait(h, host, room.roomId, play.swapTo);
  }
  await new Promise((r) => setTimeout(r, 300)); // the typed code reaches the server document
  if (play.finish !== false) expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);
  return { sessionId, roomId: room.roomId, host, candidate };
}
