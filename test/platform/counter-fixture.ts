/**
 * A deliberately tiny aggregate + projection + routes used to test the platform itself (command kit, runner,
 * read-your-writes, verify) without depending on any product module.
 */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Decider, DomainEvent } from '../../src/domain/shared/decider.js';
import { DomainError, type ErrorKey } from '../../src/domain/shared/errors.js';
import type { RouteModule } from '../../src/http/app.js';
import { execute, requestMetadata } from '../../src/http/command.js';
import type { Projection } from '../../src/projections/projection.js';
import { occurredAt, streamId } from '../../src/projections/projection.js';
import type { AppContext } from '../../src/composition/context.js';

export type CounterEvent = DomainEvent<'CounterIncremented', { by: number }> | DomainEvent<'CounterPoisoned', { note: string }>;
export type CounterCommand = { type: 'Increment'; by: number; max: number } | { type: 'Poison' };

export const counterDecider: Decider<CounterCommand, { value: number }, CounterEvent> = {
  initialState: () => ({ value: 0 }),
  evolve: (s, e) => (e.type === 'CounterIncremented' ? { value: s.value + e.data.by } : s),
  decide(c, s) {
    if (c.type === 'Poison') return [{ type: 'CounterPoisoned', data: { note: 'the projection throws on this' } }];
    if (s.value + c.by > c.max) throw new DomainError('COUNTER_LIMIT' as ErrorKey, 'Counter would exceed its maximum');
    return [{ type: 'CounterIncremented', data: { by: c.by } }];
  },
};

export const counterProjection: Projection = {
  name: 'counters',
  version: 1,
  eventTypes: ['CounterIncremented', 'CounterPoisoned'],
  tables: ['test_counters'],
  async apply(trx, event) {
    if (event.type === 'CounterPoisoned') throw new Error('poisoned event');
    const by = Number((event.data as { by: number }).by);
    await sql`
      INSERT INTO test_counters (id, value, last_revision, updated_at)
      VALUES (${streamId(event)}, ${by}, ${event.revision.toString()}, ${occurredAt(event)})
      ON CONFLICT (id) DO UPDATE SET value = test_counters.value + EXCLUDED.value, last_revision = EXCLUDED.last_revision, updated_at = EXCLUDED.updated_at
      WHERE test_counters.last_revision < EXCLUDED.last_revision`.execute(trx);
  },
};

/** The same projection, set-based: one multi-row upsert per batch. */
export const batchedCounterProjection: Projection = {
  ...counterProjection,
  async applyBatch(trx, events) {
    if (events.some((e) => e.type === 'CounterPoisoned')) throw new Error('poisoned event');
    const byId = new Map<string, { sum: number; last: bigint; at: Date }>();
    for (const e of events) {
      const id = streamId(e);
      const row = byId.get(id) ?? { sum: 0, last: e.revision, at: occurredAt(e) };
      row.sum += Number((e.data as { by: number }).by);
      row.last = e.revision;
      row.at = occurredAt(e);
      byId.set(id, row);
    }
    const rows = [...byId].map(([id, r]) => ({ id, value: r.sum, last_revision: r.last.toString(), updated_at: r.at }));
    await sql`
      INSERT INTO test_counters (id, value, last_revision, updated_at)
      SELECT id, value, last_revision, updated_at FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(id text, value int, last_revision bigint, updated_at timestamptz)
      ON CONFLICT (id) DO UPDATE SET value = test_counters.value + EXCLUDED.value, last_revision = EXCLUDED.last_revision, updated_at = EXCLUDED.updated_at
      WHERE test_counters.last_revision < EXCLUDED.last_revision`.execute(trx);
  },
};

export async function createCounterTable(ctx: AppContext): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS test_counters (id text PRIMARY KEY, value integer NOT NULL, last_revision bigint NOT NULL, updated_at timestamptz NOT NULL)`.execute(ctx.db);
}

export const counterRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/counters/:id/increment',
    {
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }) }),
        body: Type.Object({ by: Type.Integer({ minimum: 1, maximum: 100 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const result = await execute(ctx, requestMetadata(request), `counter-${request.params.id}`, counterDecider, {
        type: 'Increment',
        by: request.body.by,
        max: 1_000_000,
      });
      return { value: result.state.value };
    },
  );
  app.post('/counters/:id/poison', { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) => {
    await execute(ctx, requestMetadata(request), `counter-${request.params.id}`, counterDecider, { type: 'Poison' });
    return { ok: true };
  });
  app.get('/counters/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) => {
    const { rows } = await sql<{ value: number }>`SELECT value FROM test_counters WHERE id = ${request.params.id}`.execute(ctx.db);
    return { value: rows[0]?.value ?? 0 };
  });
  app.get('/boom', async () => {
    throw new Error('secret internal detail: password=hunter2');
  });
};

/** Accepts `Bearer user-<id>` as that user; anything else is 401. Platform tests only. */
export async function fixtureAuthenticator(token: string) {
  if (!token.startsWith('user-')) throw new DomainError('UNAUTHORIZED', 'Invalid token');
  const id = token.slice(5);
  return { userId: id, email: `${id}@example.test`, username: id, role: 'user' as const };
}
