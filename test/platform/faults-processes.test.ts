/**
 * Faults of processes: the roles run as separate processes and are killed with SIGKILL at bad moments. Each fault
 * prints its recovery time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { grantAdmin } from '../../src/commands/identity/admin.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import type { RecordedEvent } from '../../src/infra/eventstore/port.js';
import { http, recovered, register, startCluster, until, type Cluster, type ClusterUser, type RoleProcess } from './faults-support.js';

const TESTS = 6;
let c: Cluster;
let api: RoleProcess;
let projector: RoleProcess;
let admin: ClusterUser;

async function streamEvents(stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of c.ctx.store.readStream(stream)) events.push(e);
  return events;
}

const call = (method: string, url: string, options: { token?: string; body?: unknown } = {}) => http(c.apiUrl, method, url, options);

async function newRoom(host: ClusterUser, body: Record<string, unknown> = {}) {
  const res = await call('POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python', config: { maxParticipants: 6 }, ...body } });
  expect(res.status).toBe(201);
  return res.body as { roomId: string; roomCode: string };
}

beforeAll(async () => {
  c = await startCluster();
  [projector, api] = await Promise.all([c.start('projector'), c.start('api'), c.start('collab')]);
  admin = await register(c.apiUrl);
  await grantAdmin(c.ctx, systemMetadata(randomUUID()), { userId: admin.id });
}, 120_000);

afterAll(async () => {
  await c?.close();
});

describe('kill -9', () => {
  it('of a worker mid-submission: another worker finishes it, each test judged once', async () => {
    const worker = await c.start('worker');
    const testCases = Array.from({ length: TESTS }, (_, i) => ({ input: `${i} ${i}\n`, expectedOutput: `${2 * i}\n` }));
    const problem = await until('the admin role to reach the read model', async () => {
      const res = await call('POST', '/problems', {
        token: admin.token,
        body: { title: `Sum ${randomUUID().slice(0, 8)}`, description: 'Add.', difficulty: 'easy', isPublished: true, timeLimit: 3000, memoryLimit: 256, testCases },
      });
      return res.status === 201 ? (res.body as { id: string }) : undefined;
    }, 20_000);
    const candidate = await register(c.apiUrl);
    const room = await newRoom(admin, { problemId: problem.id });
    expect((await call('POST', `/rooms/${room.roomId}/join`, { token: candidate.token, body: { roomCode: room.roomCode } })).status).toBe(200);
    const code = 'import time\na, b = map(int, input().split())\ntime.sleep(0.8)\nprint(a + b)\n';
    const res = await call('POST', `/rooms/${room.roomId}/submit`, { token: candidate.token, body: { language: 'python', code } });
    expect(res.status).toBe(202);
    const stream = `submission-${res.body.submissionId}`;
    const judgedOf = (events: RecordedEvent[]) => events.filter((e) => e.type === 'SubmissionTestsJudged').flatMap((e) => (e.data as any).results as Array<{ testCaseIndex: number }>);

    await until('a first batch of judged tests', async () => (judgedOf(await streamEvents(stream)).length > 0 ? true : undefined), 60_000);
    await worker.kill9();
    const killedAt = Date.now();
    expect(judgedOf(await streamEvents(stream)).length).toBeLessThan(TESTS);

    await c.start('worker');
    const done = await until('the submission to complete', async () => {
      const r = await call('GET', `/submissions/${res.body.submissionId}`, { token: candidate.token });
      return r.status === 200 && (r.body.status === 'completed' || r.body.status === 'failed') ? r.body : undefined;
    }, 90_000, 200);
    recovered('worker kill -9 mid-submission (second worker completed it)', killedAt);
    expect(done).toMatchObject({ status: 'completed', accepted: true, totalTestCases: TESTS, passedTestCases: TESTS });
    const events = await streamEvents(stream);
    expect(events.filter((e) => e.type === 'SubmissionCompleted')).toHaveLength(1);
    expect(judgedOf(events).map((r) => r.testCaseIndex).sort((a, b) => a - b)).toEqual([...Array(TESTS).keys()]);
  }, 180_000);

  it('of the api right after 2xx answers: nothing acknowledged is lost', async () => {
    const acknowledged: string[] = [];
    const attempts = Array.from({ length: 30 }, () =>
      register(c.apiUrl).then(
        (u) => void acknowledged.push(u.id),
        () => undefined, // cut off by the kill: not acknowledged, so nothing is promised
      ),
    );
    await until('some registrations to be acknowledged', async () => (acknowledged.length >= 5 ? true : undefined), 60_000, 5);
    await api.kill9();
    const killedAt = Date.now();
    const ackedBeforeKill = [...acknowledged];
    await Promise.all(attempts);
    api = await c.start('api');
    recovered('api kill -9 (a new api serving)', killedAt);

    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(5);
    for (const id of ackedBeforeKill) {
      expect((await streamEvents(`user-${id}`)).map((e) => e.type)).toContain('UserRegistered');
      const profile = await until(`user ${id} in the read model`, async () => {
        const r = await call('GET', `/users/${id}`, { token: admin.token });
        return r.status === 200 ? r.body : undefined;
      }, 10_000);
      expect(profile.id).toBe(id);
    }
  }, 120_000);

  it('of the projector: the standby takes over within seconds', async () => {
    const standby = await c.start('projector');
    const host = await register(c.apiUrl);
    await projector.kill9();
    const killedAt = Date.now();
    const room = await newRoom(host); // answered from its own events while no projector runs
    await until('the standby to project the new room', async () => {
      const r = await call('GET', `/rooms/${room.roomId}`, { token: host.token });
      return r.status === 200 ? true : undefined;
    }, 20_000, 50);
    const ms = recovered('projector kill -9 (standby projected a new write)', killedAt);
    expect(ms).toBeLessThan(20_000);
    projector = standby;
  }, 60_000);
});
