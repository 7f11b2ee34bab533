/**
 * Runs and submissions as sweep kinds. A run's job carries only its id; a submission's job carries the test cases
 * it is judged against, rebuilt here from the problem (refused when the problem's tests changed meanwhile).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { completeRun, completeSubmission, readRun, readSubmission } from '../../commands/execution/results.js';
import { EXECUTION_QUEUE, executionJobOptions, type RunJob, type SubmissionJob } from '../../commands/execution/jobs.js';
import { judgingLimits } from '../../commands/execution/request.js';
import { systemMetadata } from '../../commands/metadata.js';
import { internalFailure } from '../../domain/run/outcome.js';
import { findProblem, findTestCases } from '../../projections/problems/queries.js';
import type { AppContext } from '../../composition/context.js';
import type { SweepKind, UnfinishedWork } from './kinds.js';

const unfinished = (status: string) => status === 'pending' || status === 'running';

async function findIn(ctx: AppContext, table: 'runs' | 'submissions', at: 'created_at' | 'submitted_at', before: Date, limit: number): Promise<UnfinishedWork[]> {
  const { rows } = await sql<{ id: string; at: Date }>`
    SELECT id, ${sql.ref(at)} AS at FROM ${sql.table(table)}
    WHERE status IN ('pending', 'running') AND ${sql.ref(at)} < ${before}
    ORDER BY ${sql.ref(at)} LIMIT ${limit}`.execute(ctx.db);
  return rows.map((r) => ({ id: r.id, requestedAt: r.at }));
}

export const runSweepKind: SweepKind = {
  name: 'run',
  queue: EXECUTION_QUEUE,
  findUnfinished: (ctx, before, limit) => findIn(ctx, 'runs', 'created_at', before, limit),
  async jobFor(ctx, id) {
    const run = await readRun(ctx.store, id);
    if (!run.exists || !unfinished(run.state.status)) return undefined;
    const data: RunJob = { kind: 'run', runId: id, traceId: randomUUID() };
    return { name: 'run-code', data, opts: { ...executionJobOptions, jobId: id } };
  },
  async fail(ctx, id, reason) {
    await completeRun(ctx.store, systemMetadata(randomUUID()), id, internalFailure(reason));
  },
};

export const submissionSweepKind: SweepKind = {
  name: 'submission',
  queue: EXECUTION_QUEUE,
  findUnfinished: (ctx, before, limit) => findIn(ctx, 'submissions', 'submitted_at', before, limit),
  async jobFor(ctx, id) {
    const submission = await readSubmission(ctx.store, id);
    const s = submission.state;
    if (!submission.exists || !unfinished(s.status) || !s.problemId) return undefined;
    const problem = await findProblem(ctx.db, s.problemId, { includeDrafts: true });
    const tests = problem ? await findTestCases(ctx.db, s.problemId) : [];
    const hidden = tests.flatMap((t, position) => (t.isHidden ? [position] : []));
    if (!problem || tests.length !== s.testCaseCount || hidden.join() !== s.hidden.join()) {
      await submissionSweepKind.fail(ctx, id, 'Internal error: the queued job was lost and the problem’s tests changed since the submission');
      return undefined;
    }
    const data: SubmissionJob = { kind: 'submission', submissionId: id, traceId: randomUUID(), tests: judgingLimits(ctx, { problem, tests }) };
    return { name: 'judge-submission', data, opts: { ...executionJobOptions, jobId: id } };
  },
  async fail(ctx, id, reason) {
    await completeSubmission(ctx.store, systemMetadata(randomUUID()), id, { failure: reason });
  },
};
