/**
 * A projection whose version was bumped is rebuilt when the projector starts — into shadow tables, swapped in when
 * complete. Readers polling the table all along see the previous version's complete rows until the swap, then the
 * new version's, never an empty or half-replayed table.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createLogger } from '../../src/infra/observability/logger.js';
import { readCheckpoint } from '../../src/projections/checkpoints.js';
import { createLeadership, type Leadership } from '../../src/projections/leadership.js';
import type { Projection } from '../../src/projections/projection.js';
import { startProjection, type RunnerDeps } from '../../src/projections/runner.js';
import { counterProjection, createCounterTable } from './counter-fixture.js';
import { createHarness, type Harness } from '../support/harness.js';
import { until } from '../support/until.js';

jest.setTimeout(120_000);

let h: Harness;
const leaderships: Leadership[] = [];
beforeAll(async () => {
  h = await createHarness({ modules: [], projections: [], wire: false, setup: createCounterTable });
});
afterAll(async () => {
  await Promise.all(leaderships.map((l) => l.close()));
  await h.close();
});

function deps(): RunnerDeps {
  const leadership = createLeadership(h.config.DATABASE_URL, h.ctx.schema);
  leaderships.push(leadership);
  return {
    leadership,
    db: h.ctx.db, pool: h.ctx.pool, store: h.ctx.store, schema: h.ctx.schema, progress: h.ctx.progress,
    logger: createLogger('silent'), batchSize: 50, onPoison: 'stop', standbyRetryMs: 100,
  };
}

const STREAMS = 20;
const PER_STREAM = 15;

async function increment(stream: string, by: number): Promise<void> {
  await h.ctx.store.appendToStream(`counter-${stream}`, [
    { id: randomUUID(), type: 'CounterIncremented', data: { by }, metadata: { occurredAt: '2026-01-01T00:00:00.000Z' } },
  ]);
}

async function table(): Promise<{ rows: number; total: number }> {
  const { rows } = await sql<{ rows: number; total: number }>`
    SELECT count(*)::int AS rows, coalesce(sum(value), 0)::int AS total FROM test_counters`.execute(h.ctx.db);
  return rows[0]!;
}

/** Version 2 counts each increment twice; its replay is slowed so readers get many looks while it runs. */
const doublingV2: Projection = {
  ...counterProjection,
  version: 2,
  async apply(trx, event) {
    await new Promise((r) => setTimeout(r, 4));
    const by = Number((event.data as { by: number }).by) * 2;
    await counterProjection.apply(trx, { ...event, data: { by } });
  },
};

describe('a bumped projection version at projector start', () => {
  it('is rebuilt beside the live table: readers see the old complete rows until the swap, never an empty table', async () => {
    for (let i = 0; i < PER_STREAM; i++) {
      for (let s = 0; s < STREAMS; s++) await increment(`s${s}`, 1);
    }
    const v1 = startProjection(deps(), counterProjection);
    await until('version 1 caught up', async () => (await table()).total === STREAMS * PER_STREAM, 30_000);
    await v1.stop();

    const seen: Array<{ rows: number; total: number }> = [];
    const v2 = startProjection(deps(), doublingV2);
    const old = STREAMS * PER_STREAM;
    const doubled = old * 2;
    // Reads keep going while the rebuild runs; one more increment arrives meanwhile and must not be lost.
    await until(
      'version 2 swapped in',
      async () => {
        const rows = await table();
        seen.push(rows);
        if (seen.length === 5) await increment('s0', 1);
        return rows.total === doubled + 2;
      },
      60_000,
      { everyMs: 10 },
    );
    await v2.stop();

    expect((await readCheckpoint(h.ctx.db, 'counters'))!.version).toBe(2);
    expect(seen.filter((s) => s.rows !== STREAMS)).toEqual([]);
    expect(seen.filter((s) => ![old, doubled, doubled + 2].includes(s.total))).toEqual([]);
    // The old rows served while the replay ran, and once the new version showed, never again the old.
    const firstNew = seen.findIndex((s) => s.total !== old);
    expect(firstNew).toBeGreaterThanOrEqual(5);
    expect(seen.slice(firstNew).every((s) => s.total !== old)).toBe(true);
  });
});
