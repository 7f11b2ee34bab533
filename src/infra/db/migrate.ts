/**
 * Every migration is a file `migrations/NNNN_name.migration.ts` (docs/conventions.md gives the number ranges). They
 * are applied in name order, so every name starts with a sortable stamp (`0001_`, `0100_`, …). A schema keeps the
 * applied names — the file name without its folder or `.migration.ts` — in its `schema_migrations` table, so a file
 * may move without being applied again.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Db } from './database.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Run from the sources: <root>/migrations/*.migration.ts. Run compiled (scripts/build.sh): dist/migrations/*.js,
// built next to the compiled code, as Node cannot load the .ts files without tsx.
const MIGRATIONS_DIR = import.meta.url.endsWith('.js') ? path.resolve(HERE, '../../migrations') : path.resolve(HERE, '../../../migrations');

function migrationFiles(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /\.migration\.(ts|js)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.join(MIGRATIONS_DIR, file));
}

type MigrationModule = { up: (db: Kysely<any>) => Promise<void> };

/** Every migration by name, in order; a module is loaded only when its migration is pending. */
function discoverMigrations(): Array<{ name: string; file: string }> {
  const found = new Map<string, string>();
  for (const file of migrationFiles()) {
    const name = path.basename(file).replace(/\.migration\.(ts|js)$/, '');
    if (found.has(name)) throw new Error(`Duplicate migration name ${name} (${file})`);
    found.set(name, file);
  }
  return [...found].sort(([a], [b]) => a.localeCompare(b)).map(([name, file]) => ({ name, file }));
}

/**
 * Applies pending migrations in one transaction under a lock of this schema only. (Kysely's own migrator
 * introspects every schema of the database, which fails while other schemas are being dropped — as test files
 * and benchmarks do — and its lock is global to the database.)
 */
export async function migrateToLatest(db: Db, schema: string): Promise<string[]> {
  const migrations = discoverMigrations();
  const table = sql.id(schema, 'schema_migrations');
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`${schema}:migrations`}))`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    // Schemas migrated before this table existed kept their applied names in kysely_migration.
    const legacy = await sql<{ found: boolean }>`SELECT to_regclass(${`"${schema}".kysely_migration`}) IS NOT NULL AS found`.execute(trx);
    if (legacy.rows[0]?.found) {
      await sql`INSERT INTO ${table} (name) SELECT name FROM ${sql.id(schema, 'kysely_migration')} ON CONFLICT DO NOTHING`.execute(trx);
    }
    const { rows } = await sql<{ name: string }>`SELECT name FROM ${table}`.execute(trx);
    const applied = new Set(rows.map((r) => r.name));
    const ran: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      const { up } = (await import(pathToFileURL(migration.file).href)) as MigrationModule;
      await up(trx);
      await sql`INSERT INTO ${table} (name) VALUES (${migration.name})`.execute(trx);
      ran.push(migration.name);
    }
    return ran;
  });
}
