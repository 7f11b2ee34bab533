/**
 * Recovery mechanisms in one process: the sweeper (lost jobs re-enqueued, overdue work failed with a reason),
 * ghost jobs skipped by the worker, backpressure on runs, rebuilds that never block or empty a read model, command
 * answers that do not depend on a lagging read model, and standby sleeps that do not leak abort listeners.
 */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { EXECUTION_QUEUE } from '../../src/commands/execution/jobs.js';
import type { RecordedEvent } from '../../src/infra/eventstore/port.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { roomsProjection } from '../../src/projections/rooms/projection.js';
import { sleep } from '../../src/projections/runner.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { sweepLostWork } from '../../src/workers/sweeper/sweep.js';
import { createProblem, createRoom, execHarness, newAdmin, newUser, run, submit, type ExecHarness, type TestRoom } from '../execution/support.js';
import { until } from '../support/until.js';

let h: ExecHarness;
let room: TestRoom;
const code = 'a, b = map(int, input().split())\nprint(a + b)\n';

async function streamEvents(stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const e of h.ctx.store.readStream(stream)) events.push(e);
  return events;
}

beforeAll(async () => {
  h = await execHarness({
    worker: false,
    env: { SWEEPER_GRACE_MS: '0', SWEEPER_DEADLINE_MS: '600000', EXECUTION_QUEUE_BUDGET_MS: '2000', EXECUTION_CONCURRENCY: '1' },
  });
  const admin = await newAdmin(h);
  const problem = await createProblem(h, admin);
  room = await createRoom(h, { problemId: problem.id, host: admin });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('the sweeper', () => {
  it('leaves queued work alone, re-enqueues work whose job vanished (same job id), and fails overdue work with a reason', async () => {
    const queue = h.ctx.queues.queue(EXECUTION_QUEUE);
    const r = await run(h, room.candidate, room.roomId, { language: 'python', code, stdin: '1 2\n' });
    const s = await submit(h, room.candidate, room.roomId, { language: 'python', code });
    expect([r.status, s.status]).toEqual([202, 202]);
    const runId: string = r.body.jobId;
    const submissionId: string = s.body.submissionId;

    const untouched = await sweepLostWork(h.ctx);
    expect(untouched).toMatchObject({ requeued: [], failed: [] });
    expect(untouched.queued).toBeGreaterThanOrEqual(2);

    // Redis lost the jobs
    await (await queue.getJob(runId))!.remove();
    await (await queue.getJob(submissionId))!.remove();
    const swept = await sweepLostWork(h.ctx);
    expect(swept.requeued.sort()).toEqual([`run:${runId}`, `submission:${submissionId}`].sort());
    const rebuilt = await queue.getJob(submissionId);
    expect(rebuilt?.data).toMatchObject({ kind: 'submission', submissionId, tests: [{ index: 0, input: '1 2\n' }, { index: 1, input: '20 22\n' }] });
    expect((await queue.getJob(runId))?.data).toMatchObject({ kind: 'run', runId });
    expect((await sweepLostWork(h.ctx)).requeued).toEqual([]); // idempotent

    // nothing ran them before the deadline
    const later = new Date(Date.now() + h.config.SWEEPER_DEADLINE_MS + 1000);
    const overdue = await sweepLostWork(h.ctx, later);
    expect(overdue.failed.sort()).toEqual([`run:${runId}`, `submission:${submissionId}`].sort());
    const result = await until('the failed run in the read model', async () => {
      const res = await h.request({ method: 'GET', url: `/execution/${runId}`, token: room.candidate.token });
      return res.status === 200 && 'stdout' in res.body ? res.body : undefined;
    }, 30_000);
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/not finished within/) });
    const submission = await until('the failed submission in the read model', async () => {
      const res = await h.request({ method: 'GET', url: `/submissions/${submissionId}`, token: room.candidate.token });
      return res.status === 200 && res.body.status === 'failed' ? res.body : undefined;
    }, 30_000);
    expect(JSON.stringify(submission)).toMatch(/not finished within/);
    expect(await queue.getJob(runId)).toBeUndefined();
  }, 60_000);
});

describe('backpressure', () => {
  it('answers 503 with Retry-After once the queue holds more than the workers drain in the budget, and records nothing for it', async () => {
    const runsOfRoom = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM runs WHERE room_id = ${room.roomId}`.execute(h.ctx.db)).rows[0]!.n);
    const before = await runsOfRoom();
    let refused: Awaited<ReturnType<typeof run>> | undefined;
    const accepted: string[] = [];
    for (let i = 0; i < 12 && !refused; i++) {
      const res = await run(h, room.candidate, room.roomId, { language: 'python', code, stdin: '1 1\n' });
      if (res.status === 202) accepted.push(res.body.jobId);
      else refused = res;
      await new Promise((r) => setTimeout(r, 1100)); // the queue depth is read at most once a second
    }
    expect(refused).toBeDefined();
    expect({ status: refused!.status, code: refused!.body.code }).toEqual({ status: 503, code: 'EXECUTION_SERVICE_UNAVAILABLE' });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThan(12);
    expect(await runsOfRoom()).toBe(before + accepted.length);
  }, 60_000);
});

describe('ghost jobs', () => {
  it('a job delivered again after its work finished changes nothing', async () => {
    await h.startWorker({ analysis: false });
    const r = await run(h, room.candidate, room.roomId, { language: 'python', code, stdin: '2 2\n' });
    expect(r.status).toBe(202);
    const runId: string = r.body.jobId;
    await until('the run to complete', async () => {
      const events = await streamEvents(`run-${runId}`);
      return events.some((e) => e.type === 'RunCompleted') ? true : undefined;
    }, 60_000);
    const before = await streamEvents(`run-${runId}`);
    // an enqueue that timed out during an outage and was delivered later
    const ghost = await h.ctx.queues.queue(EXECUTION_QUEUE).add('run-code', { kind: 'run', runId, traceId: 'ghost' }, { jobId: `${runId}-ghost` });
    const returned = await until('the ghost job to be processed', async () => {
      const job = await h.ctx.queues.queue(EXECUTION_QUEUE).getJob(ghost.id!);
      return (await job?.getState()) === 'completed' ? job!.returnvalue : undefined;
    }, 60_000);
    expect(returned).toMatchObject({ duplicate: true });
    expect((await streamEvents(`run-${runId}`)).length).toBe(before.length);
  }, 90_000);
});

describe('rebuild under traffic', () => {
  it('readers never see an empty or blocked table while rooms are rebuilt into shadow tables and swapped', async () => {
    const host = await newUser(h);
    const rooms = await Promise.all(Array.from({ length: 20 }, () => h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', language: 'python' } })));
    expect(rooms.every((r) => r.status === 201)).toBe(true);
    const list = () => h.request({ method: 'GET', url: '/rooms?limit=100', token: host.token });
    const seen = ((await list()).body.data as unknown[]).length;
    expect(seen).toBeGreaterThanOrEqual(20);

    let reading = true;
    const reads: Array<{ status: number; count: number; ms: number }> = [];
    const reader = (async () => {
      while (reading) {
        const started = Date.now();
        const res = await list();
        const items = (res.body.data ?? []) as unknown[];
        reads.push({ status: res.status, count: items.length, ms: Date.now() - started });
      }
    })();
    const writes = Promise.all(Array.from({ length: 5 }, () => h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', language: 'python' } })));
    const rebuilt = await rebuildProjection(h.ctx.db, h.ctx.store, roomsProjection);
    const written = await writes;
    reading = false;
    await reader;

    expect(rebuilt.events).toBeGreaterThan(20);
    expect(written.every((w) => w.status === 201)).toBe(true);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((r) => r.status !== 200)).toEqual([]);
    expect(Math.min(...reads.map((r) => r.count))).toBeGreaterThanOrEqual(seen);
    process.stdout.write(`[fault] rooms rebuilt under traffic: ${reads.length} reads, slowest ${Math.max(...reads.map((r) => r.ms))} ms\n`);
    await until('the projector to pass the rebuilt position', async () => (h.ctx.progress.positionOf('rooms') >= rebuilt.position ? true : undefined), 30_000);
    const v = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, roomsProjection);
    expect(v.equal).toBe(true);
  }, 90_000);
});

describe('read-your-writes timing out', () => {
  it('POST /rooms and a join answer from their own events, never 404, when the read model lags', async () => {
    const host = await newUser(h);
    await h.projections.runners.find((r) => r.name === 'rooms')!.stop();
    const res = await h.request({ method: 'POST', url: '/rooms', token: host.token, body: { mode: 'peer', language: 'python', name: 'Lagging' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ roomId: expect.any(String), roomCode: expect.any(String), name: 'Lagging', status: 'waiting', mode: 'peer', hostId: host.id, language: 'python' });
    const events = await streamEvents(`room-${res.body.roomId}`);
    expect(events[0]?.type).toBe('RoomCreated');
    // joining the room the read model does not know yet: answered from the join's own result too
    const guest = await newUser(h);
    const joined = await h.request({ method: 'POST', url: `/rooms/${res.body.roomId}/join`, token: guest.token, body: { roomCode: res.body.roomCode } });
    expect(joined.status).toBe(200);
    expect(joined.body.room).toMatchObject({ roomId: res.body.roomId, name: 'Lagging' });
    expect(joined.body.room.participants.map((p: { userId: string }) => p.userId).sort()).toEqual([host.id, guest.id].sort());
  }, 30_000);

  it('POST /auth/register answers the new profile from its own events, never 404, when the users read model lags', async () => {
    await h.projections.runners.find((r) => r.name === 'users')!.stop();
    const body = { email: 'lagging-signup@example.test', username: 'lagging_signup', password: 'correct horse battery' };
    const res = await h.request({ method: 'POST', url: '/auth/register', body });
    expect(res.status).toBe(201);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.user).toMatchObject({ email: body.email, username: body.username, role: 'user', displayName: null });
    expect((await streamEvents(`user-${res.body.user.id}`))[0]?.type).toBe('UserRegistered');
  }, 30_000);
});

describe('standby sleeps', () => {
  it('remove their abort listener when they end', async () => {
    const abort = new AbortController();
    for (let i = 0; i < 50; i++) await sleep(1, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    const pending = sleep(60_000, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    abort.abort();
    await pending;
  });
});
