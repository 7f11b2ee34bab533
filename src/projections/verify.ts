/**
 * `projections verify`: replay a projection into a scratch schema up to the live checkpoint and compare every
 * owned table row for row with the live one. A difference means the live rows drifted from what the events say
 * (a bug in apply, a non-deterministic apply, or someone writing a read-model table directly).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../infra/db/database.js';
import type { EventStore } from '../infra/eventstore/port.js';
import { readCheckpoint } from './checkpoints.js';
import type { Projection } from './projection.js';
import { replayInto } from './rebuild.js';

export interface TableDifference {
  table: string;
  onlyLive: number;
  onlyRebuilt: number;
  sample: unknown[];
}

export interface VerifyResult {
  projection: string;
  position: bigint;
  events: number;
  equal: boolean;
  differences: TableDifference[];
}

export async function verifyProjection(db: Db, liveSchema: string, store: EventStore, projection: Projection): Promise<VerifyResult> {
  const scratch = `verify_${randomBytes(5).toString('hex')}`;
  try {
    return await db.transaction().execute(async (trx) => {
      // Hold the checkpoint so the live rows cannot move while they are compared.
      const checkpoint = await readCheckpoint(trx, projection.name, true);
      const position = checkpoint?.position ?? 0n;
      await sql`CREATE SCHEMA ${sql.id(scratch)}`.execute(trx);
      for (const table of projection.tables) {
        await sql`CREATE TABLE ${sql.id(scratch, table)} (LIKE ${sql.id(liveSchema, table)} INCLUDING ALL)`.execute(trx);
      }
      await sql.raw(`SET LOCAL search_path TO "${scratch}", "${liveSchema}", public`).execute(trx);
      const events = await replayInto(trx, store, projection, position);
      const differences: TableDifference[] = [];
      for (const table of projection.tables) {
        const live = sql.id(liveSchema, table);
        const rebuilt = sql.id(scratch, table);
        const onlyLive = await sql<Record<string, unknown>>`SELECT * FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${rebuilt}) d`.execute(trx);
        const onlyRebuilt = await sql<Record<string, unknown>>`SELECT * FROM (SELECT * FROM ${rebuilt} EXCEPT ALL SELECT * FROM ${live}) d`.execute(trx);
        if (onlyLive.rows.length + onlyRebuilt.rows.length > 0) {
          differences.push({
            table,
            onlyLive: onlyLive.rows.length,
            onlyRebuilt: onlyRebuilt.rows.length,
            sample: [...onlyLive.rows.slice(0, 3), ...onlyRebuilt.rows.slice(0, 3)],
          });
        }
      }
      await sql`DROP SCHEMA ${sql.id(scratch)} CASCADE`.execute(trx);
      return { projection: projection.name, position, events, equal: differences.length === 0, differences };
    });
  } finally {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(scratch)} CASCADE`.execute(db).catch(() => undefined);
  }
}
