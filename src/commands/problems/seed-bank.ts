/**
 * The problem bank (`problem-bank/problems/*.json`) seeded through `seedProblems`: the `syncode seed` command, and
 * the `api` role's start-up seeding of a database that has no problem yet (when SEED_ON_START is true).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { loadProblemBank } from '../../infra/problem-bank/load.js';
import type { Ports } from '../ports.js';
import { systemMetadata } from '../metadata.js';
import { seedProblems, type SeedReport } from './seed.js';

export async function seedBank(ctx: Pick<Ports, 'store'>): Promise<SeedReport> {
  const bank = await loadProblemBank();
  return seedProblems(ctx.store, bank, systemMetadata(`seed-${randomUUID()}`));
}

/** `syncode seed`: prints what it did; exit code 1 when an entry was refused. */
export async function seedCommand(ctx: Pick<Ports, 'store'>): Promise<number> {
  const started = Date.now();
  const report = await seedBank(ctx);
  console.log(
    `problem bank: ${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ` +
      `${report.skipped.length} skipped, ${report.failed.length} failed (${Date.now() - started} ms)`,
  );
  for (const s of report.skipped) console.log(`  skipped ${s.slug}: ${s.reason}`);
  for (const f of report.failed) console.error(`  failed ${f.slug}: ${f.code} ${f.message}`);
  return report.failed.length === 0 ? 0 : 1;
}

/** Role starter: seed in the background when the database has no problem at all; stopping waits for it. */
export async function seedOnStart(ctx: Pick<Ports, 'config' | 'db' | 'logger' | 'store'>): Promise<() => Promise<void>> {
  if (!ctx.config.SEED_ON_START) return async () => undefined;
  const { rows } = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM problems) AS any`.execute(ctx.db);
  if (rows[0]?.any) return async () => undefined;
  const running = seedBank(ctx).then(
    (r) => ctx.logger.info({ created: r.created.length, updated: r.updated.length, failed: r.failed }, 'problem bank seeded'),
    (err: unknown) => ctx.logger.error({ err }, 'problem bank seeding failed'),
  );
  return async () => {
    await running;
  };
}
