/**
 * Identity's scheduled work (role `worker`, only when SCHEDULER_ENABLED): one BullMQ repeatable job that runs the
 * retention sweeps — anonymise accounts deleted 30+ days ago, cut the audit log at one year. Job schedulers are
 * upserted by id, so several workers starting at once still schedule it once.
 */
import type { AppContext } from '../../runtime/context.js';
import { anonymiseDeletedUsers, purgeAuditLogs } from './retention.js';

export const RETENTION_QUEUE = 'identity.retention';
const EVERY_MS = 3600_000;

export async function runRetention(ctx: AppContext, now = new Date()): Promise<{ anonymised: number; auditBefore: string }> {
  const { anonymised } = await anonymiseDeletedUsers(ctx, now);
  const { before } = await purgeAuditLogs(ctx, now);
  return { anonymised, auditBefore: before };
}

export async function startIdentityScheduler(ctx: AppContext): Promise<() => Promise<void>> {
  if (!ctx.config.SCHEDULER_ENABLED) return async () => undefined;
  const queue = ctx.queues.queue(RETENTION_QUEUE);
  await queue.upsertJobScheduler('identity-retention', { every: EVERY_MS }, { name: 'retention', data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  const worker = ctx.queues.worker(
    RETENTION_QUEUE,
    async () => {
      const result = await runRetention(ctx);
      ctx.logger.info(result, 'identity retention done');
      return result;
    },
    { concurrency: 1 },
  );
  return async () => {
    await worker.close();
  };
}
