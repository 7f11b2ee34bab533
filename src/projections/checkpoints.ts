import { sql } from 'kysely';
import type { Db } from '../infra/db/database.js';
import type { Projection, Trx } from './projection.js';

export interface CheckpointRow {
  name: string;
  version: number;
  position: bigint;
  status: 'running' | 'rebuilding' | 'faulted';
  lastError: string | null;
}

export async function readCheckpoint(db: Db | Trx, name: string, forUpdate = false): Promise<CheckpointRow | undefined> {
  const lock = forUpdate ? sql`FOR UPDATE` : sql``;
  const { rows } = await sql<{ name: string; version: number; position: string; status: CheckpointRow['status']; last_error: string | null }>`
    SELECT name, version, position, status, last_error FROM projection_checkpoints WHERE name = ${name} ${lock}`.execute(db);
  const row = rows[0];
  return row && { name: row.name, version: row.version, position: BigInt(row.position), status: row.status, lastError: row.last_error };
}

export async function listCheckpoints(db: Db): Promise<CheckpointRow[]> {
  const { rows } = await sql<{ name: string; version: number; position: string; status: CheckpointRow['status']; last_error: string | null }>`
    SELECT name, version, position, status, last_error FROM projection_checkpoints ORDER BY name`.execute(db);
  return rows.map((r) => ({ name: r.name, version: r.version, position: BigInt(r.position), status: r.status, lastError: r.last_error }));
}

/** Truncate the projection's tables and its checkpoint/dead letters in one transaction: replay starts from zero. */
export async function resetProjection(trx: Trx, projection: Projection): Promise<void> {
  for (const table of projection.tables) await sql`TRUNCATE ${sql.table(table)}`.execute(trx);
  await sql`DELETE FROM projection_dead_letters WHERE projection = ${projection.name}`.execute(trx);
  await sql`
    INSERT INTO projection_checkpoints (name, version, position, status)
    VALUES (${projection.name}, ${projection.version}, 0, 'running')
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, position = 0, status = 'running', last_error = NULL, updated_at = now()`.execute(trx);
}

export async function markFaulted(db: Db, name: string, error: string): Promise<void> {
  await sql`UPDATE projection_checkpoints SET status = 'faulted', last_error = ${error}, updated_at = now() WHERE name = ${name}`.execute(db);
}
