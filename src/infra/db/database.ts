/**
 * Postgres access: one pg pool per process, every connection pinned to the configured schema (search_path), and a
 * Kysely instance over it. Tables are typed loosely on purpose: each read model declares the row types it owns.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';

export type Db = Kysely<any>;

export interface DatabaseHandle {
  pool: pg.Pool;
  db: Db;
  schema: string;
  close(): Promise<void>;
}

// bigint columns come back as strings by default; positions and revisions are bigints, so keep them exact.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export function connectionOptions(url: string, schema: string): pg.PoolConfig {
  return { connectionString: url, options: `-c search_path=${schema},public` };
}

export function openDatabase(url: string, schema: string, poolSize = 20): DatabaseHandle {
  const pool = new pg.Pool({ ...connectionOptions(url, schema), max: poolSize, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries surface their own errors.
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    pool,
    db,
    schema,
    async close() {
      await db.destroy();
    },
  };
}

/** Create the database named in the URL if it does not exist (fresh machine). */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

export async function ensureSchema(db: Db, schema: string): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
}
