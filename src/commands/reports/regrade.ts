/**
 * `syncode reports regrade <sessionId>|--all [--grader <version>]`: grade finished sessions again from their events
 * and print the progress. A report whose content does not change is not recorded again ("unchanged"); a newer grader
 * version adds a new report and the newest wins (earlier versions stay in the history).
 */
import { parseArgs } from 'node:util';
import { allGradable, candidatesOfSession } from '../../projections/reports/queries.js';
import type { Ports } from '../ports.js';
import { generateReport, GRADERS, UnknownGraderError, type ReportNarrator } from './generate.js';

export interface RegradeSummary {
  graded: number;
  recorded: number;
  unchanged: number;
  failed: number;
}

export interface RegradeOptions {
  graderVersion?: string;
  narrator?: ReportNarrator;
  log?: (line: string) => void;
}

export async function regrade(ctx: Pick<Ports, 'collab' | 'db' | 'logger' | 'store'>, targets: Array<{ sessionId: string; userId: string }>, options: RegradeOptions = {}): Promise<RegradeSummary> {
  if (options.graderVersion && !GRADERS[options.graderVersion]) throw new UnknownGraderError(options.graderVersion);
  const log = options.log ?? ((line: string) => console.log(line));
  const summary: RegradeSummary = { graded: 0, recorded: 0, unchanged: 0, failed: 0 };
  const width = String(targets.length).length;
  for (const [i, t] of targets.entries()) {
    const prefix = `[${String(i + 1).padStart(width)}/${targets.length}] session ${t.sessionId} candidate ${t.userId}`;
    try {
      const outcome = await generateReport(ctx, t.sessionId, t.userId, {
        ...(options.graderVersion ? { graderVersion: options.graderVersion } : {}),
        ...(options.narrator ? { narrator: options.narrator } : {}),
      });
      summary.graded++;
      if (outcome.recorded) summary.recorded++;
      else summary.unchanged++;
      log(`${prefix}: ${outcome.recorded ? 'recorded' : 'unchanged'} (overall ${outcome.report.overallScore ?? 'n/a'}, ${outcome.graderVersion}, ${outcome.model})`);
    } catch (err) {
      summary.failed++;
      log(`${prefix}: FAILED ${(err as Error).message}`);
    }
  }
  log(`done: ${summary.graded} graded, ${summary.recorded} recorded, ${summary.unchanged} unchanged, ${summary.failed} failed`);
  return summary;
}

const USAGE = 'usage: syncode reports regrade <sessionId>|--all [--grader <version>]';

export async function reportsCli(ctx: Pick<Ports, 'collab' | 'db' | 'logger' | 'store'>, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'regrade') {
    console.error(USAGE);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { all: { type: 'boolean', default: false }, grader: { type: 'string' } } });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const sessionId = positionals[0];
  if ((!sessionId && !values.all) || (sessionId && values.all)) {
    console.error(USAGE);
    return 2;
  }
  if (values.grader && !GRADERS[values.grader]) {
    console.error(new UnknownGraderError(values.grader).message);
    return 2;
  }
  const targets = values.all
    ? await allGradable(ctx.db)
    : (await candidatesOfSession(ctx.db, sessionId!)).map((userId) => ({ sessionId: sessionId!, userId }));
  if (targets.length === 0) {
    console.error(values.all ? 'no finished session has a candidate' : `session ${sessionId} is unknown or had no candidate`);
    return 1;
  }
  console.log(`re-grading ${targets.length} report${targets.length === 1 ? '' : 's'}${values.grader ? ` with ${values.grader}` : ''}`);
  const summary = await regrade(ctx, targets, values.grader ? { graderVersion: values.grader } : {});
  return summary.failed > 0 ? 1 : 0;
}
