/**
 * Postgres access: one pg pool per process, every connection pinned to the configured schema (search_path), and a
 * Kysely instance over it. Tables are typed loosely on purpose: each read model declares the row types it owns.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PreparingClient } from './prepared-statements.js';

export type Db = Kysely<any>;

export interface DatabaseHandle {
  pool: pg.Pool;
  db: Db;
  url: string;
  schema: string;
  close(): Promise<void>;
}

// bigint columns come back as strings by default; positions and revisions are bigints, so keep them exact.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export function connectionOptions(url: string, schema: string): pg.PoolConfig {
  return { connectionString: url, options: `-c search_path=${schema},public` };
}

export interface DatabaseOptions {
  /** Told about every connection that was cut (server restart, pg_terminate_backend, network). */
  onConnectionLost?: (err: Error) => void;
}

export function openDatabase(url: string, schema: string, poolSize = 20, options: DatabaseOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    ...connectionOptions(url, schema),
    max: poolSize,
    idleTimeoutMillis: 30_000,
    // A dead server must not make callers wait forever for a connection (they answer 503 instead).
    connectionTimeoutMillis: 10_000,
    // parametrised queries are parsed and planned once per connection (prepared-statements.ts)
    Client: PreparingClient,
  });
  const lost = (err: Error) => options.onConnectionLost?.(err);
  pool.on('error', lost); // an idle client lost its connection; the pool replaces it
  // pg-pool listens for errors only on idle clients. A client that is checked out (a transaction, a projection
  // batch, an append) and loses its connection emits 'error' with nobody listening, which would end the process.
  // Its running query fails on its own (the caller rolls back and retries), and the pool drops the dead client
  // when it is released, so this listener only has to keep the error from being unhandled.
  pool.on('connect', (client) => {
    client.on('error', lost);
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    pool,
    db,
    url,
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
