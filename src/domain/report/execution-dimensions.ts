/**
 * Correctness and efficiency: what the judge said about the candidate's submissions. Hidden cases weigh twice and
 * are only ever counted, never shown (no input, expected or actual output reaches a report).
 */
import { clamp, plural, round, weightedPassRate, type GradeContext } from './context.js';
import { loopNests } from './code-facts.js';
import { lineReference } from './verify.js';
import type { DimensionResult, Evidence, GradeSubmission } from './types.js';

const submissionEvidence = (ctx: GradeContext, s: GradeSubmission, description: string): Evidence[] => {
  const at = ctx.cite('submission_completed', (p) => p.metadata?.['submissionId'] === s.submissionId) ?? ctx.cite('code_submitted', (p) => p.metadata?.['submissionId'] === s.submissionId);
  return at ? [{ type: 'event_timestamp', reference: at, description }] : [];
};

/** "3 of 10 tests failed (2 hidden): wrong answer ×2, time limit ×1" — counts and verdicts only. */
export function failureSummary(s: GradeSubmission): string {
  const failed = s.tests.filter((t) => t.passed !== true);
  const hidden = failed.filter((t) => t.isHidden).length;
  const kinds = new Map<string, number>();
  for (const t of failed) kinds.set(verdictName(t.verdict), (kinds.get(verdictName(t.verdict)) ?? 0) + 1);
  const detail = [...kinds.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ×${n}`).join(', ');
  const count = failed.length > 0 ? failed.length : s.total - s.passed;
  return `${count} of ${s.total} tests failed${hidden > 0 ? ` (${hidden} hidden)` : ''}${detail ? `: ${detail}` : ''}`;
}

export function verdictName(v: string | null): string {
  switch (v) {
    case 'AC': return 'accepted';
    case 'WA': return 'wrong answer';
    case 'TLE': return 'time limit exceeded';
    case 'MLE': return 'memory limit exceeded';
    case 'OLE': return 'output limit exceeded';
    case 'RE': return 'runtime error';
    case 'CE': return 'compile error';
    case 'OK': return 'ran normally';
    default: return 'not judged';
  }
}

export function correctness(ctx: GradeContext): DimensionResult {
  const final = ctx.submissions[ctx.submissions.length - 1];
  if (!final) {
    const judgedRuns = ctx.runs.filter((r) => r.verdict !== null && r.verdict !== 'IE');
    if (judgedRuns.length === 0) {
      return { score: null, feedback: 'Not assessed: no code was submitted or run during your candidate time, so there is no signal about correctness.', evidence: [] };
    }
    const clean = judgedRuns.filter((r) => r.verdict === 'OK').length;
    const last = judgedRuns[judgedRuns.length - 1]!;
    const at = ctx.cite('code_run_completed', (p) => p.metadata?.['runId'] === last.runId);
    return {
      score: round(30 * (clean / judgedRuns.length)),
      feedback: `You ran your code ${plural(judgedRuns.length, 'time')} (${clean} ran to a normal end) but never submitted it, so it was not checked against the tests. Submit once your own runs look right: only the judge can confirm correctness.`,
      evidence: at ? [{ type: 'event_timestamp', reference: at, description: `Last run: ${verdictName(last.verdict)}; no submission followed` }] : [],
    };
  }
  const rate = weightedPassRate(final);
  const score = final.verdict === 'CE' ? 0 : round(100 * rate);
  const evidence: Evidence[] = [];
  let feedback: string;
  if (final.passed === final.total) {
    feedback = `Your final submission passed all ${final.total} tests, hidden ones included.`;
    evidence.push(...submissionEvidence(ctx, final, `Final submission accepted: ${final.passed}/${final.total} tests passed`));
  } else {
    feedback = `Your final submission passed ${final.passed} of ${final.total} tests. ${correctnessAdvice(final)}`;
    evidence.push(...submissionEvidence(ctx, final, `Final submission: ${failureSummary(final)}`));
  }
  const best = ctx.submissions.reduce((b, s) => (weightedPassRate(s) > weightedPassRate(b) ? s : b), final);
  if (best !== final && weightedPassRate(best) > rate) {
    evidence.push(...submissionEvidence(ctx, best, `An earlier submission did better (${best.passed}/${best.total}): the last change was a regression`));
    feedback += ' An earlier submission passed more tests than the final one — re-run your tests after every change.';
  }
  return { score: clamp(score), feedback, evidence };
}

function correctnessAdvice(s: GradeSubmission): string {
  const verdicts = new Set(s.tests.filter((t) => t.passed !== true).map((t) => t.verdict));
  if (s.verdict === 'CE' || verdicts.has('CE')) return 'It did not compile: run the code before submitting.';
  if (verdicts.has('RE')) return 'Some tests crashed at run time: guard indexes and empty inputs before using them.';
  if (verdicts.has('WA')) return 'Some answers were wrong: list the edge cases (empty input, one element, duplicates, extremes) and trace them before submitting.';
  if (verdicts.has('TLE')) return 'Some tests ran out of time before producing an answer.';
  return 'Check the failing cases against the problem statement.';
}

export function efficiency(ctx: GradeContext, correctnessScore: number | null): DimensionResult {
  const final = ctx.submissions[ctx.submissions.length - 1];
  if (!final) {
    return { score: null, feedback: 'Not assessed: nothing was submitted, so no test measured how fast your solution runs.', evidence: [] };
  }
  const evidence: Evidence[] = [];
  const tests = final.tests.length > 0 ? final.tests : [];
  const slow = tests.filter((t) => t.verdict === 'TLE' || t.timedOut).length;
  const heavy = tests.filter((t) => t.verdict === 'MLE').length;
  const total = Math.max(1, tests.length || final.total);
  let score = 100 * (1 - (slow + heavy) / total);
  const notes: string[] = [];
  if (slow > 0) {
    notes.push(`${plural(slow, 'test')} exceeded the time limit`);
    evidence.push(...submissionEvidence(ctx, final, `${slow} of ${total} tests exceeded the time limit`));
  }
  if (heavy > 0) {
    notes.push(`${plural(heavy, 'test')} exceeded the memory limit`);
    if (slow === 0) evidence.push(...submissionEvidence(ctx, final, `${heavy} of ${total} tests exceeded the memory limit`));
  }
  const code = ctx.input.finalCode?.code;
  const nest = code ? loopNests(code) : null;
  if (code && nest && nest.depth >= 3) {
    score -= 15;
    const ref = lineReference(code, nest.line);
    if (ref) evidence.push({ type: 'code_line', reference: ref, description: `Loops nested ${nest.depth} deep: usually a cubic (or worse) running time` });
    notes.push(`loops are nested ${nest.depth} deep`);
  } else if (code && nest && nest.depth === 2 && slow > 0) {
    const ref = lineReference(code, nest.line);
    if (ref) evidence.push({ type: 'code_line', reference: ref, description: 'A loop inside a loop: the likely cause of the timeouts (quadratic time)' });
  }
  const cap = correctnessScore === null ? 100 : correctnessScore + 20;
  if (score > cap) {
    score = cap;
    if (evidence.length === 0) evidence.push(...submissionEvidence(ctx, final, 'Efficiency is capped near correctness: a wrong answer is never efficient'));
    notes.push('a solution that fails tests cannot count as efficient');
  }
  const feedback =
    notes.length === 0
      ? `Every test of your final submission finished within its time and memory limits${final.passed === final.total ? '' : ', though not every answer was right'}.`
      : `${capitalise(notes.join('; '))}. Estimate the time complexity against the input limits before coding, and replace nested scans with a hash map, sorting or two pointers where they fit.`;
  return { score: clamp(round(score)), feedback, evidence };
}

export const capitalise = (s: string) => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));
