/**
 * Every test file works in a Postgres schema of its own (and a Redis prefix of its own), so files run in parallel
 * against the same real services without seeing each other's data.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openDatabase, ensureSchema, type DatabaseHandle } from '../../src/infra/db/database.js';
import { migrateToLatest } from '../../src/infra/db/migrate.js';
import { TEST_DATABASE_URL } from './env.js';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export interface TestSchema extends DatabaseHandle {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated schema. `drop()` removes it and closes the pool. */
export async function createTestSchema(options: { migrate?: boolean } = {}): Promise<TestSchema> {
  const schema = uniqueName('t');
  const handle = openDatabase(TEST_DATABASE_URL, schema, 10);
  await ensureSchema(handle.db, schema);
  if (options.migrate !== false) await migrateToLatest(handle.db, schema);
  return {
    ...handle,
    url: TEST_DATABASE_URL,
    async drop() {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(handle.db).catch(() => undefined);
      await handle.close();
    },
  };
}
