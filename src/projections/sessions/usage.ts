/**
 * The rooms and sessions module's numbers for the users endpoints (src/projections/users/usage.ts): finished
 * sessions in the profile stats and the training series, hosted open rooms in the quotas.
 */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { bucketStartOf, profileStatsSources, quotaUsageSources, statsSeriesSources, type StatsBucket, type StatsBucketSize } from '../users/usage.js';

/** Finished sessions the user took part in and did not remove from their history. */
export async function finishedSessionCount(db: Db, userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM sessions s
    JOIN session_participants p ON p.session_id = s.id AND p.user_id = ${userId}
    WHERE s.status = 'finished'
      AND NOT EXISTS (SELECT 1 FROM session_deletions d WHERE d.session_id = s.id AND d.user_id = ${userId})`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Rooms the user hosts that are not finished (the `rooms_max_active` quota). */
export async function openHostedRooms(db: Db, userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM rooms WHERE host_id = ${userId} AND status <> 'finished'`.execute(db);
  return rows[0]?.n ?? 0;
}

export async function sessionSeries(db: Db, userId: string, range: { from: Date; to: Date; bucket: StatsBucketSize }): Promise<Map<string, Partial<StatsBucket>>> {
  const { rows } = await sql<{ finished_at: Date }>`
    SELECT s.finished_at FROM sessions s
    JOIN session_participants p ON p.session_id = s.id AND p.user_id = ${userId}
    WHERE s.status = 'finished' AND s.finished_at >= ${range.from} AND s.finished_at <= ${range.to}`.execute(db);
  const out = new Map<string, Partial<StatsBucket>>();
  for (const r of rows) {
    const key = bucketStartOf(r.finished_at, range.bucket).toISOString();
    out.set(key, { sessions: (out.get(key)?.sessions ?? 0) + 1 });
  }
  return out;
}

let registered = false;

/** Adds the readers once per process. */
export function registerSessionUsage(): void {
  if (registered) return;
  registered = true;
  profileStatsSources.push({ projections: ['sessions'], read: async (db, userId) => ({ totalSessions: await finishedSessionCount(db, userId) }) });
  quotaUsageSources.activeRooms.push((db, userId) => openHostedRooms(db, userId));
  statsSeriesSources.push(sessionSeries);
}
