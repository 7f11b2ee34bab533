/**
 * The deterministic grader: the same inputs always give the same report, byte for byte. Scores come from the
 * formulas of the dimension modules; the prose (strengths, areas for improvement, detailed feedback) is assembled
 * from the dimensions' own feedback and evidence, so it can only say what the evidence shows.
 */
import { codeQuality } from './code-quality.js';
import { gradeContext } from './context.js';
import { correctness, efficiency } from './execution-dimensions.js';
import { communication, problemSolving } from './process-dimensions.js';
import { compareToHistory, summarisePeerFeedback, testBreakdown, weaknessSignals } from './summaries.js';
import { verifyReport } from './verify.js';
import {
  DIMENSION_LABELS,
  DIMENSION_WEIGHTS,
  DIMENSIONS,
  type Dimension,
  type DimensionResult,
  type GradeInput,
  type GradeResult,
  type SessionReport,
} from './types.js';

/** Bump when a formula changes: a re-grade with a new version adds a new report and the newest wins. */
export const GRADER_VERSION = 'deterministic-1';

export function overallOf(dimensions: Record<Dimension, DimensionResult>): number | null {
  let sum = 0;
  let weight = 0;
  for (const d of DIMENSIONS) {
    const score = dimensions[d].score;
    if (score === null) continue;
    sum += DIMENSION_WEIGHTS[d] * score;
    weight += DIMENSION_WEIGHTS[d];
  }
  return weight === 0 ? null : Math.round(sum / weight);
}

export function categoryScoresOf(dimensions: Record<Dimension, DimensionResult>): Record<Dimension, number | null> {
  return Object.fromEntries(DIMENSIONS.map((d) => [d, dimensions[d].score === null ? null : Math.round(dimensions[d].score!)])) as Record<Dimension, number | null>;
}

const ranked = (dimensions: Record<Dimension, DimensionResult>) =>
  DIMENSIONS.filter((d) => dimensions[d].score !== null).sort((a, b) => dimensions[b].score! - dimensions[a].score! || DIMENSIONS.indexOf(a) - DIMENSIONS.indexOf(b));

/** Up to 3 strengths: dimensions scoring 70 or more, best first, each with its best evidence. */
export function strengthsOf(dimensions: Record<Dimension, DimensionResult>): string[] {
  return ranked(dimensions)
    .filter((d) => dimensions[d].score! >= 70)
    .slice(0, 3)
    .map((d) => {
      const e = dimensions[d].evidence[0];
      return `${DIMENSION_LABELS[d]} (${dimensions[d].score}/100): ${firstSentence(dimensions[d].feedback)}${e ? ` — ${e.description}` : ''}`;
    });
}

/** Up to 3 actionable areas: the weakest dimensions below 85, with the deduction that cost most. */
export function improvementsOf(dimensions: Record<Dimension, DimensionResult>): string[] {
  return [...ranked(dimensions)]
    .reverse()
    .filter((d) => dimensions[d].score! < 85 && dimensions[d].evidence.length > 0)
    .slice(0, 3)
    .map((d) => `${DIMENSION_LABELS[d]} (${dimensions[d].score}/100): ${dimensions[d].evidence[0]!.description}. ${lastSentence(dimensions[d].feedback)}`);
}

export function detailedFeedbackOf(report: Omit<SessionReport, 'detailedFeedback' | 'feedback'>): string {
  const scored = ranked(report.dimensions);
  const unassessed = DIMENSIONS.filter((d) => report.dimensions[d].score === null).map((d) => DIMENSION_LABELS[d].toLowerCase());
  const first: string[] = [];
  if (report.overallScore === null) first.push('This session gave too little signal for an overall score.');
  else first.push(`Overall ${report.overallScore}/100 across ${scored.length} assessed ${scored.length === 1 ? 'dimension' : 'dimensions'}.`);
  if (scored.length > 0) {
    const best = scored[0]!;
    const worst = scored[scored.length - 1]!;
    first.push(`Strongest: ${DIMENSION_LABELS[best].toLowerCase()} (${report.dimensions[best].score}).`);
    if (worst !== best) first.push(`Weakest: ${DIMENSION_LABELS[worst].toLowerCase()} (${report.dimensions[worst].score}) — ${firstSentence(report.dimensions[worst].feedback)}`);
  }
  if (unassessed.length > 0) first.push(`Not assessed for lack of signal: ${unassessed.join(', ')}.`);
  const second: string[] = [];
  if (report.comparisonToHistory) {
    const h = report.comparisonToHistory;
    second.push(`Compared with your last ${h.sessionsCompared} ${h.sessionsCompared === 1 ? 'report' : 'reports'} (average ${h.averageScore}), this session is ${h.trend === 'stable' ? 'level' : h.trend}.`);
  }
  const next = scored.length > 0 ? lastSentence(report.dimensions[scored[scored.length - 1]!].feedback) : 'Run and submit your code next time so it can be assessed.';
  second.push(`Recommended next step: ${next}`);
  return `${first.join(' ')}\n\n${second.join(' ')}`;
}

function firstSentence(text: string): string {
  const m = /^.*?[.!?](?=\s|$)/.exec(text);
  return m ? m[0] : text;
}

function lastSentence(text: string): string {
  const parts = text.split(/(?<=[.!?])\s+/).filter(Boolean);
  return parts[parts.length - 1] ?? text;
}

/** Assemble text and summaries around already-scored dimensions (also used after an LLM rewrite). */
export function assembleReport(input: GradeInput, dimensions: Record<Dimension, DimensionResult>): Omit<SessionReport, 'detailedFeedback' | 'feedback'> {
  const overallScore = overallOf(dimensions);
  const ctxFinal = gradeContext(input).submissions;
  return {
    sessionId: input.sessionId,
    overallScore,
    dimensions,
    categoryScores: categoryScoresOf(dimensions),
    strengths: strengthsOf(dimensions),
    areasForImprovement: improvementsOf(dimensions),
    comparisonToHistory: compareToHistory(overallScore, input.history),
    peerFeedbackSummary: summarisePeerFeedback(input.userId, input.peerFeedback),
    testCaseBreakdown: testBreakdown(ctxFinal[ctxFinal.length - 1]),
  };
}

/** Grade one candidate of one session. The result is verified against the final code and the timeline. */
export function grade(input: GradeInput): GradeResult {
  const ctx = gradeContext(input);
  const c = correctness(ctx);
  const raw: Record<Dimension, DimensionResult> = {
    correctness: c,
    efficiency: efficiency(ctx, c.score),
    codeQuality: codeQuality(ctx),
    communication: communication(ctx),
    problemSolving: problemSolving(ctx),
  };
  const verified = verifyReport(
    { ...assembleReport(input, raw), detailedFeedback: '', feedback: '' },
    { finalCode: input.finalCode?.code ?? null, timestamps: new Set(input.timeline.map((t) => t.timestamp)) },
  ).report;
  const base = assembleReport(input, verified.dimensions);
  const detailedFeedback = detailedFeedbackOf(base);
  const report: SessionReport = { ...base, detailedFeedback, feedback: detailedFeedback };
  return { report, weaknesses: weaknessSignals(verified.dimensions, ctx.submissions[ctx.submissions.length - 1], input.history) };
}
