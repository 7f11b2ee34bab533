/**
 * Output retention (execution output 24 h): runs and submissions completed more than OUTPUT_RETENTION_MS ago
 * get RunOutputExpired / SubmissionOutputExpired, and their read models drop stdout/stderr. The purge is an event,
 * so a rebuild replays it and ends with the same rows; verdicts, timings and expected outputs stay.
 */
import { randomUUID } from 'node:crypto';
import { OUTPUT_RETENTION_MS } from '../../domain/run/outcome.js';
import { runDecider, runStream } from '../../domain/run/run.js';
import { submissionDecider, submissionStream } from '../../domain/submission/submission.js';
import { withOutputDue } from '../../projections/runs/queries.js';
import type { Ports } from '../ports.js';
import { handleCommand } from '../handle-command.js';
import { systemMetadata } from '../metadata.js';

export async function expireExecutionOutputs(
  ctx: Pick<Ports, 'db' | 'store'>,
  now = new Date(),
  batch = 500,
): Promise<{ runs: number; submissions: number }> {
  const before = new Date(now.getTime() - OUTPUT_RETENTION_MS);
  const meta = systemMetadata(randomUUID(), now);
  const command = { type: 'ExpireRunOutput' as const, now: now.toISOString(), retentionMs: OUTPUT_RETENTION_MS };
  let runs = 0;
  let submissions = 0;
  for (const id of await withOutputDue(ctx.db, 'runs', before, batch)) {
    const r = await handleCommand(ctx.store, runStream(id), runDecider, command, meta);
    runs += r.events.length;
  }
  for (const id of await withOutputDue(ctx.db, 'submissions', before, batch)) {
    const r = await handleCommand(ctx.store, submissionStream(id), submissionDecider, { ...command, type: 'ExpireSubmissionOutput' }, meta);
    submissions += r.events.length;
  }
  return { runs, submissions };
}
