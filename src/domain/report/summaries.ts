/**
 * The parts of a report that summarise rather than score: comparison with earlier reports, peer feedback, the
 * final submission's test breakdown and the weakness signals tracked across sessions.
 */
import type { ComparisonToHistory, Dimension, DimensionResult, GradePeerFeedback, GradeSubmission, HistoryEntry, PeerFeedbackSummary, TestCaseBreakdownItem, WeaknessCategory, WeaknessSignal, WeaknessTrend } from './types.js';

const oneDecimal = (n: number) => Math.round(n * 10) / 10;

/** Up to 10 earlier reports: their average overall score, and whether this one is above (+3), below (−3) or level. */
export function compareToHistory(overall: number | null, history: readonly HistoryEntry[]): ComparisonToHistory | null {
  const prior = history.filter((h) => h.overallScore !== null).slice(0, 10);
  if (prior.length === 0 || overall === null) return null;
  const average = prior.reduce((s, h) => s + h.overallScore!, 0) / prior.length;
  const delta = overall - average;
  return { trend: delta >= 3 ? 'improving' : delta <= -3 ? 'declining' : 'stable', sessionsCompared: prior.length, averageScore: oneDecimal(average) };
}

const FEEDBACK_THEMES: Array<[string, RegExp]> = [
  ['clear communication', /communicat|explain|clear|articulat|talk/i],
  ['problem decomposition', /break (it )?down|decompos|structur|step by step|approach/i],
  ['edge cases', /edge case|corner case|boundary|empty/i],
  ['testing', /test|debug/i],
  ['code readability', /readab|clean|naming|variable name/i],
  ['speed', /fast|quick|speed|slow|time/i],
  ['collaboration', /collaborat|listen|receptive|feedback|pair/i],
];

export function summarisePeerFeedback(userId: string, feedback: readonly GradePeerFeedback[]): PeerFeedbackSummary | null {
  const mine = [...feedback].filter((f) => f.targetId === userId).sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.reviewerId.localeCompare(b.reviewerId));
  if (mine.length === 0) return null;
  const themes: string[] = [];
  for (const [name, re] of FEEDBACK_THEMES) if (mine.some((f) => re.test(f.comments))) themes.push(name);
  const { ratings, averageRating, wouldPairAgain } = ratingFigures(mine, themes);
  const reviews = `${mine.length} peer ${mine.length === 1 ? 'review' : 'reviews'}`;
  const figures = averageRating === null || wouldPairAgain === null
    ? 'written feedback only'
    : `average rating ${averageRating}/5; ${Math.round(wouldPairAgain * 100)}% would pair again`;
  return {
    summary: `${reviews}: ${figures}.${themes.length > 0 ? ` Themes: ${themes.join(', ')}.` : ''}`,
    averageRating,
    wouldPairAgain,
    themes,
    reviewCount: mine.length,
    ratings,
  };
}

type Ratings = NonNullable<GradePeerFeedback['ratings']>;

/** Averages over the reviews that carry ratings (text-only reviews count for themes only); adds rating themes. */
function ratingFigures(mine: readonly GradePeerFeedback[], themes: string[]): Pick<PeerFeedbackSummary, 'ratings' | 'averageRating' | 'wouldPairAgain'> {
  const rated = mine.map((f) => f.ratings).filter((r): r is Ratings => r !== null);
  if (rated.length === 0) return { ratings: null, averageRating: null, wouldPairAgain: null };
  const avg = (pick: (r: Ratings) => number) => oneDecimal(rated.reduce((s, r) => s + pick(r), 0) / rated.length);
  const ratings = { problemSolving: avg((r) => r.problemSolving), communication: avg((r) => r.communication), codeQuality: avg((r) => r.codeQuality) };
  const byAspect: Array<[string, number]> = [['problem solving', ratings.problemSolving], ['communication', ratings.communication], ['code quality', ratings.codeQuality]];
  for (const [name, value] of byAspect) {
    if (value >= 4.5) themes.push(`strong ${name}`);
    else if (value <= 2) themes.push(`${name} to work on`);
  }
  const all = rated.flatMap((r) => [r.problemSolving, r.communication, r.codeQuality, r.wouldPairAgain]);
  const averageRating = oneDecimal(all.reduce((s, n) => s + n, 0) / all.length);
  const wouldPairAgain = Math.round((rated.filter((r) => r.wouldPairAgain >= 4).length / rated.length) * 100) / 100;
  return { ratings, averageRating, wouldPairAgain };
}

/** Verdicts of the final submission's tests; a hidden test shows its index and verdict, nothing else. */
export function testBreakdown(final: GradeSubmission | undefined): TestCaseBreakdownItem[] {
  if (!final) return [];
  return [...final.tests]
    .sort((a, b) => a.testCaseIndex - b.testCaseIndex)
    .map((t) => ({ testCaseIndex: t.testCaseIndex, isHidden: t.isHidden, passed: t.passed, timedOut: t.timedOut || t.verdict === 'TLE', verdict: t.verdict }));
}

const WEAKNESS_THRESHOLD = 85;

const DESCRIPTIONS: Record<WeaknessCategory, string> = {
  edge_cases: 'Wrong answers on some cases: edge cases (empty, single, duplicate, extreme inputs) slip through',
  time_complexity: 'Solutions run out of time on larger inputs: the algorithm is slower than the limits allow',
  space_complexity: 'Solutions use more memory than the limits allow',
  variable_naming: 'Single-letter or unclear names make the code hard to follow',
  code_structure: 'Long or complex functions, duplication, or linter findings in the code',
  off_by_one: 'Runtime errors such as out-of-range indexes',
  input_validation: 'Code breaks on inputs it does not check before using them',
  communication: 'Little explanation of the approach while solving',
};

function trendOf(dimension: Dimension, score: number | null, history: readonly HistoryEntry[]): WeaknessTrend {
  const prior = history.map((h) => h.categoryScores[dimension]).filter((s): s is number => typeof s === 'number').slice(0, 5);
  if (score === null || prior.length === 0) return 'stable';
  const delta = score - prior.reduce((a, b) => a + b, 0) / prior.length;
  return delta >= 3 ? 'improving' : delta <= -3 ? 'worsening' : 'stable';
}

/** Categories this session gives evidence of (the weakness categories of docs/reports.md), each with the score behind it. */
export function weaknessSignals(
  dimensions: Record<Dimension, DimensionResult>,
  final: GradeSubmission | undefined,
  history: readonly HistoryEntry[],
): WeaknessSignal[] {
  const out = new Map<WeaknessCategory, WeaknessSignal>();
  const add = (category: WeaknessCategory, dimension: Dimension) => {
    if (out.has(category)) return;
    const score = dimensions[dimension].score;
    out.set(category, { category, description: DESCRIPTIONS[category], trend: trendOf(dimension, score, history), score });
  };
  const verdicts = new Set((final?.tests ?? []).filter((t) => t.passed !== true).map((t) => t.verdict));
  const low = (d: Dimension) => dimensions[d].score !== null && dimensions[d].score! < WEAKNESS_THRESHOLD;
  if (low('correctness')) {
    if (verdicts.has('WA')) add('edge_cases', 'correctness');
    if (verdicts.has('RE')) add('off_by_one', 'correctness');
    if (verdicts.has('CE')) add('input_validation', 'correctness');
    if (verdicts.size === 0) add('edge_cases', 'correctness');
  }
  if (verdicts.has('TLE') || (low('efficiency') && !verdicts.has('MLE'))) add('time_complexity', 'efficiency');
  if (verdicts.has('MLE')) add('space_complexity', 'efficiency');
  if (low('codeQuality')) {
    const text = dimensions.codeQuality.evidence.map((e) => e.description).join(' ');
    if (/Single-letter names/.test(text)) add('variable_naming', 'codeQuality');
    if (/complexity|duplicated|function|Linter|lines over/.test(text) || !/Single-letter names/.test(text)) add('code_structure', 'codeQuality');
  }
  if (dimensions.communication.score !== null && dimensions.communication.score < 50) add('communication', 'communication');
  return [...out.values()].sort((a, b) => a.category.localeCompare(b.category));
}
