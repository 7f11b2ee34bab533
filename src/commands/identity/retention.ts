/**
 * Retention: deleted accounts are anonymised 30 days after deletion, audit entries are kept one
 * year. Both are events, so every projection follows (and a rebuild gives the same rows).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AUDIT_RETENTION_DAYS, AUDIT_RETENTION_STREAM, userStream } from '../../domain/user/events.js';
import { ANONYMISE_AFTER_DAYS, userDecider } from '../../domain/user/user.js';
import { storageOf } from '../../infra/storage/index.js';
import { deletedUsersDue } from '../../projections/users/queries.js';
import type { Ports, StorageDeps } from '../ports.js';
import { handleCommand } from '../handle-command.js';
import { systemMetadata } from '../metadata.js';
import { appendFact, written, type Written } from './common.js';

const DAY_MS = 86_400_000;

/** Anonymises every account deleted at least 30 days before `now` (in batches); returns how many. */
export async function anonymiseDeletedUsers(ctx: StorageDeps & Pick<Ports, 'db' | 'logger' | 'store'>, now = new Date(), batch = 200): Promise<{ anonymised: number; written: Written }> {
  const cutoff = new Date(now.getTime() - ANONYMISE_AFTER_DAYS * DAY_MS);
  const traceId = randomUUID();
  const parts: Written[] = [];
  let anonymised = 0;
  const seen = new Set<string>();
  for (;;) {
    const ids = (await deletedUsersDue(ctx.db, cutoff, batch)).filter((id) => !seen.has(id));
    if (ids.length === 0) break;
    for (const id of ids) {
      seen.add(id);
      // The decider re-checks the deletion time against `now`; the read model only says where to look.
      const result = await handleCommand(ctx.store, userStream(id), userDecider, { type: 'Anonymise', now: now.toISOString() }, systemMetadata(traceId, now));
      if (result.events.length === 0) continue;
      anonymised++;
      parts.push(written(result));
      const key = `avatars/${id}.webp`;
      await storageOf(ctx).delete(key).catch((err) => ctx.logger.warn({ err, key }, 'could not delete avatar of an anonymised user'));
    }
    if (ids.length < batch) break;
  }
  return { anonymised, written: written(...parts) };
}

/**
 * Appends the cut-off (one year before `now`) when some entry is older; the audit projection deletes those rows.
 * The read model only decides whether there is anything to do, so an idle system does not log an event an hour.
 */
export async function purgeAuditLogs(ctx: Pick<Ports, 'db' | 'store'>, now = new Date()): Promise<Written & { before: string }> {
  const before = new Date(now.getTime() - AUDIT_RETENTION_DAYS * DAY_MS).toISOString();
  const { rows } = await sql`SELECT 1 FROM audit_logs WHERE created_at < ${new Date(before)} LIMIT 1`.execute(ctx.db);
  if (rows.length === 0) return { ...written(), before };
  const w = await appendFact(ctx, AUDIT_RETENTION_STREAM, { type: 'AuditLogsPurged', data: { before } }, systemMetadata(randomUUID(), now));
  return { ...w, before };
}

/** The hourly retention job (src/workers/scheduler/schedule.ts): both sweeps. */
export async function runRetention(ctx: StorageDeps & Pick<Ports, 'db' | 'logger' | 'store'>, now = new Date()): Promise<{ anonymised: number; auditBefore: string }> {
  const { anonymised } = await anonymiseDeletedUsers(ctx, now);
  const { before } = await purgeAuditLogs(ctx, now);
  return { anonymised, auditBefore: before };
}
