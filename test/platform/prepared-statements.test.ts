/**
 * Parametrised queries run as prepared statements, once per connection, from their second use on
 * (src/infra/db/prepared-statements.ts): what a connection has prepared is read from Postgres's own
 * `pg_prepared_statements`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import type pg from 'pg';
import { MAX_TEXT } from '../../src/infra/db/prepared-statements.js';
import { createTestSchema, type TestSchema } from '../support/schema.js';

let db: TestSchema;

beforeAll(async () => {
  db = await createTestSchema({ migrate: false });
  await sql`CREATE TABLE things (id int PRIMARY KEY, label text NOT NULL)`.execute(db.db);
  await sql`INSERT INTO things VALUES (1, 'one'), (2, 'two')`.execute(db.db);
});

afterAll(async () => {
  await db.drop();
});

async function preparedOn(client: pg.PoolClient, fragment: string): Promise<string[]> {
  const { rows } = await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
  return rows.map((r) => r.statement).filter((s) => s.includes(fragment));
}

async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

describe('prepared statements', () => {
  it('prepares a parametrised query once per connection and answers every call', async () => {
    await withClient(async (client) => {
      const text = 'SELECT label FROM things WHERE id = $1 -- prepared once';
      const labels: string[] = [];
      for (const id of [1, 2, 1]) labels.push((await client.query<{ label: string }>(text, [id])).rows[0]!.label);
      expect(labels).toEqual(['one', 'two', 'one']);
      expect(await preparedOn(client, 'prepared once')).toEqual([text]);
    });
  });

  it('prepares what Kysely sends, on the connection it ran on', async () => {
    const labels = await db.db.connection().execute(async (conn) => {
      const first = await conn.selectFrom('things').select('label').where('id', '=', 2).executeTakeFirstOrThrow();
      const second = await conn.selectFrom('things').select('label').where('id', '=', 1).executeTakeFirstOrThrow();
      const prepared = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE ${'%from "things"%'}`.execute(conn);
      return { labels: [first.label, second.label], prepared: prepared.rows.map((r) => r.statement) };
    });
    expect(labels.labels).toEqual(['two', 'one']);
    expect(labels.prepared).toHaveLength(1);
  });

  it('leaves queries without parameters on the simple protocol, where a script of several statements runs', async () => {
    await withClient(async (client) => {
      const results = (await client.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as pg.QueryResult[];
      expect(results.map((r) => r.rows[0])).toEqual([{ a: 1 }, { b: 2 }]);
    });
  });

  it('answers with the new columns after a table it reads with * gained one', async () => {
    await sql`CREATE TABLE widened (id int PRIMARY KEY)`.execute(db.db);
    await sql`INSERT INTO widened VALUES (1)`.execute(db.db);
    await withClient(async (client) => {
      const text = 'SELECT * FROM widened WHERE id = $1';
      for (let i = 0; i < 2; i++) expect((await client.query(text, [1])).rows).toEqual([{ id: 1 }]); // named at the second
      expect(await preparedOn(client, 'FROM widened WHERE')).toEqual([text]);
      await sql`ALTER TABLE widened ADD COLUMN note text NOT NULL DEFAULT 'added'`.execute(db.db);
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, note: 'added' }]);
    });
  });

  it('fails the transaction that meets a changed result type, and the next call on that connection succeeds', async () => {
    await sql`CREATE TABLE widened_tx (id int PRIMARY KEY)`.execute(db.db);
    await sql`INSERT INTO widened_tx VALUES (1)`.execute(db.db);
    await withClient(async (client) => {
      const text = 'SELECT * FROM widened_tx WHERE id = $1';
      for (let i = 0; i < 2; i++) await client.query(text, [1]);
      await sql`ALTER TABLE widened_tx ADD COLUMN note text`.execute(db.db);
      await client.query('BEGIN');
      await expect(client.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
      await client.query('ROLLBACK');
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, note: null }]);
    });
  });

  it('works through pool.query, which hands pg a callback', async () => {
    for (let i = 0; i < 2; i++) {
      const { rows } = await db.pool.query<{ label: string }>('SELECT label FROM things WHERE id = $1 -- through the pool', [2]);
      expect(rows).toEqual([{ label: 'two' }]);
    }
  });

  it('names neither a text seen once nor one over the length limit (a connection keeps what it prepares)', async () => {
    await withClient(async (client) => {
      await client.query('SELECT label FROM things WHERE id = $1 -- seen once', [1]);
      const long = `SELECT label FROM things WHERE id = $1 -- long ${'x'.repeat(MAX_TEXT)}`;
      for (let i = 0; i < 3; i++) expect((await client.query<{ label: string }>(long, [2])).rows).toEqual([{ label: 'two' }]);
      expect(await preparedOn(client, 'seen once')).toEqual([]);
      expect(await preparedOn(client, '-- long')).toEqual([]);
    });
  });
});
