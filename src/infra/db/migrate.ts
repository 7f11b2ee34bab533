/**
 * Migrations live next to what owns the tables: `migrations/*.migration.ts` for the platform (event store,
 * checkpoints) and `src/**\/*.migration.ts` for each read model or adapter. They are discovered by file name and
 * applied in name order, so every name starts with a sortable stamp (`0001_`, `0100_`, …).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
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

class DiscoveredMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const file of migrationFiles()) {
      const name = path.basename(file).replace(/\.migration\.(ts|js)$/, '');
      if (out[name]) throw new Error(`Duplicate migration name ${name} (${file})`);
      const mod = (await import(pathToFileURL(file).href)) as { up: Migration['up']; down?: Migration['down'] };
      out[name] = { up: mod.up, ...(mod.down ? { down: mod.down } : {}) };
    }
    return out;
  }
}

export async function migrateToLatest(db: Db, schema: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new DiscoveredMigrations(),
    migrationTableSchema: schema,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
