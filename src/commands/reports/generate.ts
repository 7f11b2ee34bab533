/**
 * Grading one candidate of one session and recording the result on `report-<sessionId>-<userId>`:
 * gather the inputs → the deterministic grader → (optionally) an LLM rewrite of the prose, clamped and verified →
 * verify every evidence item → append SessionReportGenerated (nothing when the content equals the newest report).
 * An LLM that fails in any way leaves the deterministic report, marked with the grader's own model name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { reportDecider, reportStream } from '../../domain/report/decider.js';
import { grade, GRADER_VERSION } from '../../domain/report/grader.js';
import { applyNarrative, narrativePrompt, type NarrativePrompt } from '../../domain/report/narrative.js';
import type { GradeInput, GradeResult, SessionReport } from '../../domain/report/types.js';
import { verifyReport } from '../../domain/report/verify.js';
import type { Position } from '../../infra/eventstore/port.js';
import type { Ports } from '../ports.js';
import { handleCommand } from '../handle-command.js';
import { systemMetadata } from '../metadata.js';
import { gatherInputs } from './inputs.js';

/** The narrow LLM capability reports need: rewrite a report's prose, answering one JSON object. */
export interface ReportNarrator {
  readonly model: string;
  rewrite(prompt: NarrativePrompt): Promise<unknown>;
}

/** Grader versions this build can run (re-grades may pick one; the default is the newest). */
export const GRADERS: Record<string, (input: GradeInput) => GradeResult> = { [GRADER_VERSION]: grade };

export class UnknownGraderError extends Error {
  constructor(version: string) {
    super(`Unknown grader version "${version}" (known: ${Object.keys(GRADERS).join(', ')})`);
  }
}

export interface GenerateOptions {
  graderVersion?: string;
  narrator?: ReportNarrator;
  now?: Date;
  causationId?: string | null;
}

export interface GenerateOutcome {
  recorded: boolean;
  report: SessionReport;
  model: string;
  graderVersion: string;
  position: Position | undefined;
}

export function contentHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

async function narrate(ctx: Pick<Ports, 'logger'>, narrator: ReportNarrator, input: GradeInput, base: SessionReport): Promise<SessionReport | null> {
  try {
    const answer = await narrator.rewrite(narrativePrompt(base, input.finalCode?.code ?? null));
    const merged = applyNarrative(base, answer, verificationOf(input));
    return merged ? verifyReport(merged, verificationOf(input)).report : null;
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, sessionId: input.sessionId, userId: input.userId }, 'report narrative failed: keeping the deterministic report');
    return null;
  }
}

export const verificationOf = (input: GradeInput) => ({ finalCode: input.finalCode?.code ?? null, timestamps: new Set(input.timeline.map((t) => t.timestamp)) });

export async function generateReport(ctx: Pick<Ports, 'collab' | 'db' | 'logger' | 'store'>, sessionId: string, userId: string, options: GenerateOptions = {}): Promise<GenerateOutcome> {
  const graderVersion = options.graderVersion ?? GRADER_VERSION;
  const grader = GRADERS[graderVersion];
  if (!grader) throw new UnknownGraderError(graderVersion);
  const input = await gatherInputs(ctx, sessionId, userId);
  const deterministic = grader(input);
  let report = deterministic.report;
  let model = graderVersion;
  if (options.narrator) {
    const rewritten = await narrate(ctx, options.narrator, input, report);
    if (rewritten) {
      report = rewritten;
      model = options.narrator.model;
    }
  }
  report = verifyReport(report, verificationOf(input)).report;
  const now = options.now ?? new Date();
  const hash = contentHash({ report, weaknesses: deterministic.weaknesses, graderVersion, model });
  const result = await handleCommand(
    ctx.store,
    reportStream(sessionId, userId),
    reportDecider,
    {
      type: 'RecordReport',
      data: { sessionId, userId, graderVersion, model, generatedAt: now.toISOString(), report, weaknesses: deterministic.weaknesses, contentHash: hash },
    },
    systemMetadata(randomUUID(), now, options.causationId ?? null),
  );
  return { recorded: result.events.length > 0, report, model, graderVersion, position: result.position };
}

/** Grading failed for good: record it so the report is not left pending (a candidate with a report keeps it). */
export async function recordReportFailure(ctx: Pick<Ports, 'store'>, sessionId: string, userId: string, reason: string, now = new Date()): Promise<void> {
  await handleCommand(
    ctx.store,
    reportStream(sessionId, userId),
    reportDecider,
    { type: 'RecordReportFailure', data: { sessionId, userId, graderVersion: GRADER_VERSION, reason: reason.slice(0, 500), failedAt: now.toISOString() } },
    systemMetadata(randomUUID(), now),
  );
}
