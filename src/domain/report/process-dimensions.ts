/**
 * Communication and problem solving: how the candidate talked through the problem (room chat and the AI interviewer
 * conversation) and how they got to a solution (time to the first all-pass, iterations, testing before submitting,
 * hints taken).
 */
import { clamp, isAllPass, minutesBetween, plural, round, sat, weightedPassRate, type GradeContext } from './context.js';
import type { DimensionResult, Evidence } from './types.js';

const THEMES: Array<[string, RegExp]> = [
  ['complexity', /\bO\s*\([^)]*\)|complexit|linear|quadratic|log ?n\b/i],
  ['edge cases', /edge case|corner case|empty|boundary|overflow|negative|duplicate|null\b|none\b/i],
  ['trade-offs', /trade-?off|instead|alternative|versus|\bvs\.?\b|better|worse/i],
  ['reasoning', /because|approach|idea|plan|invariant|first i|then i|the reason/i],
  ['data structures', /hash ?map|dictionary|\bdict\b|\bset\b|heap|stack|queue|array|tree|graph|two pointers?|sliding window|binary search|dynamic programming|\bdp\b|memo/i],
];

const ANSWER_WINDOW_MS = 3 * 60_000;

export function communication(ctx: GradeContext): DimensionResult {
  const { spoken, heard } = ctx;
  if (spoken.length === 0 && heard.length === 0) {
    return {
      score: null,
      feedback: 'Not assessed: no chat or interviewer exchange was recorded during your candidate time (a voice conversation leaves no written signal).',
      evidence: [],
    };
  }
  const words = spoken.reduce((n, m) => n + m.text.split(/\s+/).filter(Boolean).length, 0);
  const themes = THEMES.filter(([, re]) => spoken.some((m) => re.test(m.text))).map(([name]) => name);
  const questions = heard.filter((m) => m.text.trim().endsWith('?'));
  const answered = questions.filter((q) => spoken.some((m) => m.at > q.at && Date.parse(m.at) - Date.parse(q.at) <= ANSWER_WINDOW_MS)).length;
  const firstWork = [ctx.runs[0]?.createdAt, ctx.submissions[0]?.submittedAt].filter((x): x is string => !!x).sort()[0];
  const explainedFirst = spoken.length > 0 && (!firstWork || spoken[0]!.at < firstWork);
  const answerRate = questions.length === 0 ? (spoken.length > 0 ? 1 : 0) : answered / questions.length;
  const score = round(20 * sat(spoken.length / 6) + 20 * sat(words / 150) + 30 * sat(themes.length / 4) + 20 * answerRate + 10 * (explainedFirst ? 1 : 0));

  const evidence: Evidence[] = [];
  const start = ctx.segments[0] ? ctx.citeFrom(ctx.segments[0].from) : null;
  if (spoken.length === 0 && start) {
    evidence.push({ type: 'event_timestamp', reference: start, description: `No message from you after this point, while others wrote ${plural(heard.length, 'message')}` });
  }
  if (questions.length > answered) {
    const missed = questions.find((q) => !spoken.some((m) => m.at > q.at && Date.parse(m.at) - Date.parse(q.at) <= ANSWER_WINDOW_MS))!;
    const at = ctx.citeFrom(missed.at);
    if (at) evidence.push({ type: 'event_timestamp', reference: at, description: `${plural(questions.length - answered, 'question')} left without a reply within 3 minutes` });
  }
  if (!explainedFirst && firstWork) {
    const at = ctx.citeFrom(firstWork);
    if (at) evidence.push({ type: 'event_timestamp', reference: at, description: 'Code ran or was submitted before you explained your approach' });
  }
  for (const m of spoken.filter((x) => x.channel === 'interviewer').slice(0, 2)) {
    const at = ctx.cite('ai_message', (p) => p.timestamp === m.at);
    if (at) evidence.push({ type: 'event_timestamp', reference: at, description: 'You explained your thinking to the interviewer' });
  }
  const parts: string[] = [];
  parts.push(spoken.length === 0 ? 'You wrote nothing during your candidate time' : `You wrote ${plural(spoken.length, 'message')} (${plural(words, 'word')})`);
  if (themes.length > 0) parts.push(`touching on ${themes.join(', ')}`);
  const advice =
    score >= 80
      ? 'Keep narrating decisions as you make them.'
      : 'Say your plan before you code, name the complexity you expect, call out edge cases, and answer each question your interviewer asks.';
  return { score: clamp(score), feedback: `${parts.join(', ')}. ${advice}`, evidence };
}

const BUDGET_MINUTES: Record<string, number> = { easy: 20, medium: 35, hard: 50 };
export const HINT_COST: Record<string, number> = { subtle: 5, gentle: 5, moderate: 10, direct: 20 };

export function problemSolving(ctx: GradeContext): DimensionResult {
  const { runs, submissions, hints } = ctx;
  if (runs.length === 0 && submissions.length === 0 && hints.length === 0) {
    return { score: null, feedback: 'Not assessed: no run, submission or hint was recorded during your candidate time.', evidence: [] };
  }
  const evidence: Evidence[] = [];
  const notes: string[] = [];
  const budget = BUDGET_MINUTES[ctx.input.problem?.difficulty ?? ''] ?? 35;
  const start = ctx.segments[0]?.from ?? ctx.input.startedAt;
  const firstPass = submissions.find(isAllPass);
  let timeScore: number;
  if (firstPass) {
    const t = minutesBetween(start, firstPass.submittedAt) / budget;
    timeScore = t <= 0.5 ? 100 : t <= 1.5 ? 100 - 60 * (t - 0.5) : 20;
    const at = ctx.cite('submission_completed', (p) => p.metadata?.['submissionId'] === firstPass.submissionId);
    if (at) evidence.push({ type: 'event_timestamp', reference: at, description: `First all-pass submission after ${Math.round(minutesBetween(start, firstPass.submittedAt))} min (budget for this difficulty: ${budget} min)` });
    if (t > 0.5) notes.push('reaching a full solution took a good share of the time budget');
  } else {
    const best = submissions.reduce((b, s) => Math.max(b, weightedPassRate(s)), 0);
    timeScore = 50 * best;
    notes.push('no submission passed every test');
  }
  let score = 0.8 * timeScore;
  const first = submissions[0];
  const last = submissions[submissions.length - 1];
  if (first && last && weightedPassRate(last) > weightedPassRate(first)) score += 10;
  if (first && runs.some((r) => r.createdAt < first.submittedAt)) score += 10;
  else if (first) {
    notes.push('you submitted without running the code first');
    const at = ctx.cite('code_submitted', (p) => p.metadata?.['submissionId'] === first.submissionId);
    if (at) evidence.push({ type: 'event_timestamp', reference: at, description: 'First submission without a single run before it' });
  }
  const failedBefore = (firstPass ? submissions.slice(0, submissions.indexOf(firstPass)) : submissions).filter((s) => !isAllPass(s));
  if (failedBefore.length > 1) {
    score -= Math.min(30, 8 * (failedBefore.length - 1));
    notes.push(`${plural(failedBefore.length, 'submission')} failed before ${firstPass ? 'the one that passed' : 'time ran out'}`);
    for (const s of failedBefore.slice(1, 4)) {
      const at = ctx.cite('submission_completed', (p) => p.metadata?.['submissionId'] === s.submissionId);
      if (at) evidence.push({ type: 'event_timestamp', reference: at, description: `Failed submission ${s.passed}/${s.total}: test locally before resubmitting` });
    }
  }
  let hintCost = 0;
  for (const h of hints) {
    const cost = HINT_COST[h.level] ?? 10;
    hintCost += cost;
    const at = ctx.cite('hint_requested', (p) => p.metadata?.['requestId'] === h.requestId) ?? ctx.cite('hint_requested', (p) => p.timestamp === h.requestedAt);
    if (at) evidence.push({ type: 'event_timestamp', reference: at, description: `${capital(h.level)} hint requested (−${cost})` });
  }
  if (hints.length > 0) notes.push(`${plural(hints.length, 'hint')} taken (${hints.map((h) => h.level).join(', ')})`);
  score -= Math.min(40, hintCost);
  const final = clamp(round(score));
  const feedback =
    notes.length === 0
      ? 'You tested before submitting and reached a full solution quickly, without hints.'
      : `${capital(notes.join('; '))}. Break the problem down on paper first, test small cases by running the code, and try the next step yourself before asking for a hint.`;
  return { score: final, feedback, evidence };
}

const capital = (s: string) => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));
