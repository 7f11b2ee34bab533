/**
 * A throwaway migrated schema in the `syncode_bench` database (created when missing), dropped afterwards even
 * when the benchmark fails.
 */
import { randomBytes } from 'node:crypto';
import { ensureDatabaseExists, ensureSchema, openDatabase, type DatabaseHandle } from '../../src/infra/db/database.js';
import { migrateToLatest } from '../../src/infra/db/migrate.js';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/syncode_bench';

export async function withBenchSchema<T>(poolSize: number, run: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  await ensureDatabaseExists(BENCH_DATABASE_URL);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const db = openDatabase(BENCH_DATABASE_URL, schema, poolSize);
  try {
    await ensureSchema(db.db, schema);
    await migrateToLatest(db.db, schema);
    return await run(db);
  } finally {
    await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.close();
  }
}
