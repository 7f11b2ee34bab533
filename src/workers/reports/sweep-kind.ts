/**
 * Reports as a sweep kind (src/workers/sweeper): a report still pending some time after its session finished has
 * its job rebuilt and enqueued again (a worker that was down at the finish, a job Redis lost). Past the sweeper's
 * deadline the report is graded in place, deterministically, and only if even that fails is the failure recorded —
 * a report is never left pending.
 */
import { readAggregate } from '../../commands/handle-command.js';
import { generateReport, recordReportFailure } from '../../commands/reports/generate.js';
import { parseReportJobId, REPORT_QUEUE, reportJobId, reportJobOptions, type ReportJob } from '../../commands/reports/jobs.js';
import { reportDecider, reportStream } from '../../domain/report/decider.js';
import { stalePendingReports } from '../../projections/reports/queries.js';
import type { SweepKind } from '../sweeper/kinds.js';

export const reportSweepKind: SweepKind = {
  name: 'report',
  queue: REPORT_QUEUE,
  async findUnfinished(ctx, before, limit) {
    const rows = await stalePendingReports(ctx.db, before, limit);
    return rows.map((r) => ({ id: reportJobId(r.sessionId, r.userId), requestedAt: r.requestedAt }));
  },
  async jobFor(ctx, id) {
    const ids = parseReportJobId(id);
    if (!ids) return undefined;
    const stream = await readAggregate(ctx.store, reportStream(ids.sessionId, ids.userId), reportDecider);
    if (stream.state.status !== 'none') return undefined; // graded (or failed) after all: the read model lagged
    const data: ReportJob = { ...ids, reason: 'sweep' };
    return { name: 'grade', data, opts: { ...reportJobOptions, jobId: id } };
  },
  async fail(ctx, id, reason) {
    const ids = parseReportJobId(id);
    if (!ids) return;
    try {
      await generateReport(ctx, ids.sessionId, ids.userId);
    } catch (err) {
      await recordReportFailure(ctx, ids.sessionId, ids.userId, `${reason}; grading in place failed: ${(err as Error).message}`);
    }
  },
};
