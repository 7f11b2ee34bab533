/** The scheduler's rooms jobs: three BullMQ repeatables when SCHEDULER_ENABLED, nothing otherwise; jobs run. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOMS_SCHEDULER_QUEUE, SCHEDULED_JOBS, startScheduler } from '../../src/workers/scheduler/schedule.js';
import { roomHarness, type RoomHarness } from './support.js';

let h: RoomHarness;
beforeAll(async () => {
  h = await roomHarness({ env: { SCHEDULER_ENABLED: 'true' } });
}, 120_000);
afterAll(() => h.close(), 60_000);

describe('rooms scheduler', () => {
  it('schedules role-swap expiry, presence sweep and abandoned-room cleanup, and runs them', async () => {
    const stop = await startScheduler(h.ctx, SCHEDULED_JOBS.filter((job) => job.queue === ROOMS_SCHEDULER_QUEUE));
    try {
      const queue = await h.ctx.queues.queue(ROOMS_SCHEDULER_QUEUE).open();
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every]).sort()).toEqual([
        ['rooms-abandoned-room-cleanup', 300000],
        ['rooms-presence-sweep', 60000],
        ['rooms-role-swap-expiry', 10000],
      ].sort());
      // each repeatable's first run happens at once; wait until all three completed
      const start = Date.now();
      for (;;) {
        const done = await queue.getCompleted();
        if (new Set(done.map((j) => j.name)).size === 3) {
          expect(done.find((j) => j.name === 'role-swap-expiry')?.returnvalue).toEqual({ expired: 0 });
          break;
        }
        if (Date.now() - start > 15_000) throw new Error(`jobs did not run: ${JSON.stringify(done.map((j) => j.name))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await stop();
    }
  }, 60_000);

  it('does nothing when the scheduler is disabled', async () => {
    const ctx = { ...h.ctx, config: { ...h.ctx.config, SCHEDULER_ENABLED: false } };
    const stop = await startScheduler(ctx);
    await stop();
  });
});
