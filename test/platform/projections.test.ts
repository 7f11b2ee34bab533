import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createLogger } from '../../src/infra/observability/logger.js';
import { readCheckpoint } from '../../src/projections/checkpoints.js';
import { createLeadership, type Leadership } from '../../src/projections/leadership.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { startProjection, type RunnerDeps } from '../../src/projections/runner.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { batchedCounterProjection, counterProjection, createCounterTable } from './counter-fixture.js';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  // No projections started by the harness: each test drives its own runners.
  h = await createHarness({ modules: [], projections: [], wire: false, setup: createCounterTable });
});
afterAll(() => h.close());

const increment = (stream: string, by = 1) =>
  h.ctx.store.appendToStream(`counter-${stream}`, [{ id: randomUUID(), type: 'CounterIncremented', data: { by }, metadata: { occurredAt: '2026-01-01T00:00:00.000Z' } }]);

// Each runner gets its own lock connection, as if it ran in its own process.
const leaderships: Leadership[] = [];
afterAll(async () => {
  await Promise.all(leaderships.map((l) => l.close()));
});

function deps(overrides: Partial<RunnerDeps> = {}): RunnerDeps {
  const leadership = createLeadership(h.config.DATABASE_URL, h.ctx.schema);
  leaderships.push(leadership);
  return {
    leadership,
    db: h.ctx.db, pool: h.ctx.pool, store: h.ctx.store, schema: h.ctx.schema, progress: h.ctx.progress,
    logger: createLogger('silent'), batchSize: 50, onPoison: 'stop', standbyRetryMs: 100, ...overrides,
  };
}

const value = async (id: string) =>
  (await sql<{ value: number }>`SELECT value FROM test_counters WHERE id = ${id}`.execute(h.ctx.db)).rows[0]?.value;

async function until(check: () => Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

describe('projection runner', () => {
  it('catches up, follows live events and moves the checkpoint with the rows', async () => {
    for (let i = 0; i < 120; i++) await increment('p1');
    const runner = startProjection(deps(), counterProjection);
    await until(async () => (await value('p1')) === 120);
    await increment('p1', 5);
    await until(async () => (await value('p1')) === 125);
    const head = (await h.ctx.store.headPosition())!.commit;
    await until(async () => (await readCheckpoint(h.ctx.db, 'counters'))!.position === head);
    await runner.stop();
  });

  it('a window with nothing for it moves the stored position, is heard by the process, and never moves it back', async () => {
    const unrelated = () =>
      h.ctx.store.appendToStream(`other-${randomUUID()}`, [{ id: randomUUID(), type: 'SomethingElse', data: {}, metadata: { occurredAt: '2026-01-01T00:00:00.000Z' } }]);
    const runner = startProjection(deps(), counterProjection);
    await unrelated();
    const head = (await h.ctx.store.headPosition())!.commit;
    await until(async () => (await readCheckpoint(h.ctx.db, 'counters'))!.position === head && h.ctx.progress.positionOf('counters') === head);
    // a position stored ahead (as a rebuild's swap may leave it) stays where it is
    const ahead = head + 1000n;
    await sql`UPDATE projection_checkpoints SET position = ${ahead.toString()} WHERE name = 'counters'`.execute(h.ctx.db);
    await unrelated();
    await new Promise((r) => setTimeout(r, 1200)); // past the quiet-window interval and a poll
    expect((await readCheckpoint(h.ctx.db, 'counters'))!.position).toBe(ahead);
    await runner.stop();
    await sql`UPDATE projection_checkpoints SET position = ${head.toString()} WHERE name = 'counters'`.execute(h.ctx.db);
  });

  it('keeps exactly one active runner; a standby takes over when the leader stops', async () => {
    const a = startProjection(deps(), counterProjection);
    const b = startProjection(deps(), counterProjection);
    await until(async () => a.isLeader() || b.isLeader());
    expect(a.isLeader() && b.isLeader()).toBe(false);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    await leader.stop();
    await until(async () => standby.isLeader());
    await increment('p2', 3);
    await until(async () => (await value('p2')) === 3);
    await standby.stop();
  });

  it('stop policy: a poison event faults the projection and the checkpoint stays before it', async () => {
    const poison = await h.ctx.store.appendToStream('counter-bad', [{ id: randomUUID(), type: 'CounterPoisoned', data: { note: 'x' } }]);
    await increment('after-poison');
    const runner = startProjection(deps({ onPoison: 'stop' }), counterProjection);
    await until(async () => (await readCheckpoint(h.ctx.db, 'counters'))?.status === 'faulted');
    const cp = await readCheckpoint(h.ctx.db, 'counters');
    expect(cp!.position).toBeLessThan(poison.position.commit);
    expect(cp!.lastError).toContain('poisoned event');
    expect(await value('after-poison')).toBeUndefined();
    await runner.stop();
  });

  it('skip policy: the poison event is dead-lettered and later events still apply', async () => {
    const runner = startProjection(deps({ onPoison: 'skip' }), counterProjection);
    await until(async () => (await value('after-poison')) === 1);
    const dead = await sql<{ event_type: string; error: string }>`SELECT event_type, error FROM projection_dead_letters WHERE projection = 'counters'`.execute(h.ctx.db);
    expect(dead.rows).toEqual([{ event_type: 'CounterPoisoned', error: 'poisoned event' }]);
    await runner.stop();
  });

  it('verify reports equality, then the tampered row after a read-model row is changed by hand', async () => {
    const ok = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, { ...counterProjection, apply: skipPoison });
    expect(ok.equal).toBe(true);
    expect(ok.events).toBeGreaterThan(100);
    await sql`UPDATE test_counters SET value = value + 1 WHERE id = 'p1'`.execute(h.ctx.db);
    const bad = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, { ...counterProjection, apply: skipPoison });
    expect(bad.equal).toBe(false);
    expect(bad.differences[0]).toMatchObject({ table: 'test_counters', onlyLive: 1, onlyRebuilt: 1 });
  });

  it('rebuild from zero restores the rows the events describe', async () => {
    const result = await rebuildProjection(h.ctx.db, h.ctx.store, { ...counterProjection, apply: skipPoison });
    expect(result.events).toBeGreaterThan(100);
    expect(await value('p1')).toBe(125);
    const again = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, { ...counterProjection, apply: skipPoison });
    expect(again.equal).toBe(true);
  });
});

describe('set-based projections', () => {
  it('applyBatch leaves exactly the rows that apply-per-event leaves', async () => {
    const batched = { ...batchedCounterProjection, applyBatch: async (trx: any, events: readonly any[]) => batchedCounterProjection.applyBatch!(trx, events.filter((e) => e.type !== 'CounterPoisoned')) };
    await rebuildProjection(h.ctx.db, h.ctx.store, batched);
    expect(await value('p1')).toBe(125);
    const check = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, { ...counterProjection, apply: skipPoison });
    expect(check.equal).toBe(true);
  });
});

// Replays for verify/rebuild must not trip over the deliberately poisoned event.
const skipPoison: typeof counterProjection.apply = async (trx, event) => {
  if (event.type !== 'CounterPoisoned') await counterProjection.apply(trx, event);
};
