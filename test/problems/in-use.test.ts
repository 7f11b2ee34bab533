/**
 * DELETE /problems/:id answers 409 PROBLEM_IN_USE while a room that is not finished or an ongoing session uses the
 * problem. The rooms module owns `rooms` and `sessions`; this test writes the few facts it needs straight into
 * those tables (filling any other required column with a neutral value), so it does not depend on their exact
 * shape.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Harness } from '../support/harness.js';
import { createProblem, newAdmin, problemHarness, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
});
afterAll(() => h.close());

const NEUTRAL: Record<string, unknown> = {
  uuid: null,
  text: 'x',
  'character varying': 'x',
  character: 'x',
  integer: 2,
  bigint: 0,
  smallint: 0,
  boolean: false,
  'timestamp with time zone': new Date(),
  jsonb: '{}',
};

async function insertRow(table: string, values: Record<string, unknown>): Promise<void> {
  const { rows } = await sql<{ column_name: string; data_type: string }>`
    SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = ${h.ctx.schema} AND table_name = ${table} AND is_nullable = 'NO' AND column_default IS NULL`.execute(h.ctx.db);
  const row: Record<string, unknown> = { ...values };
  for (const c of rows) {
    if (c.column_name in row) continue;
    row[c.column_name] = c.data_type === 'uuid' ? randomUUID() : c.data_type === 'text' ? randomUUID().slice(0, 6) : NEUTRAL[c.data_type] ?? 'x';
  }
  await h.ctx.db.insertInto(table).values(row).execute();
}

const remove = (id: string) => h.request({ method: 'DELETE', url: `/problems/${id}`, token: admin.token });

describe('deleting a problem in use', () => {
  it.each(['waiting', 'coding', 'wrapup'])('a room in %s blocks the delete with 409 PROBLEM_IN_USE', async (status) => {
    const p = await createProblem(h, admin);
    await insertRow('rooms', { id: randomUUID(), problem_id: p.id, status });
    const res = await remove(p.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PROBLEM_IN_USE');
    expect((await h.request({ method: 'GET', url: `/problems/${p.id}`, token: admin.token })).status).toBe(200);
  });

  it('a problem used only by finished rooms can be deleted', async () => {
    const p = await createProblem(h, admin);
    await insertRow('rooms', { id: randomUUID(), problem_id: p.id, status: 'finished' });
    expect((await remove(p.id)).status).toBe(204);
  });

  it('an ongoing session blocks the delete; a finished one does not', async () => {
    const busy = await createProblem(h, admin);
    await insertRow('sessions', { id: randomUUID(), problem_id: busy.id, status: 'ongoing' });
    const res = await remove(busy.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PROBLEM_IN_USE');
    const done = await createProblem(h, admin);
    await insertRow('sessions', { id: randomUUID(), problem_id: done.id, status: 'finished' });
    expect((await remove(done.id)).status).toBe(204);
  });

  it('a missing problem is 404 before any in-use check', async () => {
    const res = await remove(randomUUID());
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PROBLEM_NOT_FOUND');
  });
});
