/**
 * Migrations live next to what owns the tables: `migrations/*.migration.ts` for the platform (event store,
 * checkpoints) and `src/**\/*.migration.ts` for each read model or adapter. They are discovered by file name and
 * applied in name order, so every name starts with a sortable stamp (`0001_`, `0100_`, …). Applied names are kept in
 * the schema's `schema_migrations` table.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Db } from './database.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function migrationFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['migrations', 'src']) {
    const abs = path.join(ROOT, dir);
    for (const rel of readdirSync(abs, { recursive: true }) as string[]) {
      if (/\.migration\.(ts|js)$/.test(rel) && !rel.endsWith('.d.ts')) files.push(path.join(abs, rel));
    }
  }
  return files;
}

type MigrationModule = { up: (db: Kysely<any>) => Promise<void> };

async function discoverMigrations(): Promise<Array<{ name: string; up: MigrationModule['up'] }>> {
  const found = new Map<string, MigrationModule['up']>();
  for (const file of migrationFiles()) {
    const name = path.basename(file).replace(/\.migration\.(ts|js)$/, '');
    if (found.has(name)) throw new Error(`Duplicate migration name ${name} (${file})`);
    const mod = (await import(pathToFileURL(file).href)) as MigrationModule;
    found.set(name, mod.up);
  }
  return [...found].sort(([a], [b]) => a.localeCompare(b)).map(([name, up]) => ({ name, up }));
}

/**
 * Applies pending migrations in one transaction under a lock of this schema only. (Kysely's own migrator
 * introspects every schema of the database, which fails while other schemas are being dropped — as test files
 * and benchmarks do — and its lock is global to the database.)
 */
export async function migrateToLatest(db: Db, schema: string): Promise<string[]> {
  const migrations = await discoverMigrations();
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
      await migration.up(trx);
      await sql`INSERT INTO ${table} (name) VALUES (${migration.name})`.execute(trx);
      ran.push(migration.name);
    }
    return ran;
  });
}
