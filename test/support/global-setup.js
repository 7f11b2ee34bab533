// Runs once before all test files (plain JS: jest loads it outside the TS transform). Creates the test database;
// each test file then works in a schema of its own.
import pg from 'pg';

export default async function globalSetup() {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/syncode_test');
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`).catch((e) => { if (e.code !== '42P04') throw e; });
  } finally {
    await client.end();
  }
}
