/**
 * The local code analysis and rubric review. Both read the same facts: nested loops, static-analysis findings,
 * cyclomatic complexity, naming, and the latest verdict when it ran this very code. Scores are 0–100 and
 * deterministic (same code and facts, same review); each category's feedback names the lines it is about.
 */
import type { CodeAnalysisResult, ReviewCategory } from '../../../domain/ai/events.js';
import type { CoachContext, ReviewAnswer } from '../port.js';
import { codeLines, lineRef } from './code-facts.js';
import { describeCase, describeNest, diagnose, type Diagnosis } from './diagnosis.js';

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`);
const clamp = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

interface Facts {
  d: Diagnosis;
  oneLetterNames: string[];
  longestFunction: { name: string; startLine: number; lines: number } | null;
  maxComplexity: { name: string; startLine: number; value: number } | null;
  errors: number;
  warnings: number;
}

const DECLARATION = /\b(?:let|const|var|int|long|double|auto|char|bool|string|String|float)\s+([A-Za-z_]\w*)|^\s*([A-Za-z_]\w*)\s*=(?!=)/gm;

function factsOf(ctx: CoachContext): Facts {
  const d = diagnose(ctx);
  const names = new Set<string>();
  for (const m of ctx.code.matchAll(DECLARATION)) {
    const name = m[1] ?? m[2];
    if (name && name.length === 1 && !'ijknxyabcmp_'.includes(name)) names.add(name);
  }
  const complexity = ctx.analysis?.complexity ?? [];
  const longest = [...complexity]
    .map((c) => ({ name: c.functionName, startLine: c.startLine, lines: (c.endLine ?? c.startLine) - c.startLine + 1 }))
    .sort((a, b) => b.lines - a.lines)[0] ?? null;
  const top = [...complexity].sort((a, b) => b.cyclomaticComplexity - a.cyclomaticComplexity)[0];
  const diags = ctx.analysis?.diagnostics ?? [];
  return {
    d,
    oneLetterNames: [...names],
    longestFunction: longest,
    maxComplexity: top ? { name: top.functionName, startLine: top.startLine, value: top.cyclomaticComplexity } : null,
    errors: diags.filter((x) => x.severity === 'error').length,
    warnings: diags.filter((x) => x.severity === 'warning').length,
  };
}

function complexityText(ctx: CoachContext, f: Facts): string {
  const nest = f.d.nests[0];
  if (nest) return `${describeNest(ctx.code, nest)}: O(n²) time as written.`;
  if (f.d.situation.kind === 'timeout') return 'It timed out although no nested loop is visible: check recursion without memoisation and work repeated per element.';
  return 'No nested loops: roughly one pass over the input.';
}

function edgeText(ctx: CoachContext, f: Facts): string {
  const s = f.d.situation;
  if (s.kind === 'wrong' && s.failing) return `Fails ${describeCase(s.failing)}${s.edge ? ', an edge case' : ''}.`;
  if (s.kind === 'wrong') return 'Hidden tests fail: check the smallest inputs, repeated values and the limits of the constraints.';
  if (s.kind === 'runtime') return `Crashes with ${s.exception}${s.line ? ` on ${lineRef(ctx.code, s.line)}` : ''}: guard that access.`;
  if (s.kind === 'solved') return `All ${s.total} tests pass; still check the empty or single-element input by hand.`;
  return 'Not verified yet: run the examples, then try the smallest and the largest inputs.';
}

function readabilityText(ctx: CoachContext, f: Facts): string {
  const parts: string[] = [];
  if (f.d.finding) parts.push(`${lineRef(ctx.code, f.d.finding.line)}: ${f.d.finding.message}`);
  if (f.oneLetterNames.length > 0) parts.push(`one-letter names (${f.oneLetterNames.slice(0, 3).join(', ')}) hide intent`);
  if (f.maxComplexity && f.maxComplexity.value >= 10) parts.push(`${f.maxComplexity.name} (line ${f.maxComplexity.startLine}) has cyclomatic complexity ${f.maxComplexity.value}`);
  if (parts.length > 0) return `${parts.join('; ')}.`;
  return ctx.analysis ? 'Readable: clear structure and no analyser findings.' : 'Names look clear; run the code to get the static analyser’s findings on it.';
}

export function localAnalysis(ctx: CoachContext): CodeAnalysisResult {
  const f = factsOf(ctx);
  const nest = f.d.nests[0];
  const summary = `${codeLines(ctx.code).length} lines of ${ctx.language}. ${complexityText(ctx, f)} ${edgeText(ctx, f)}`;
  const questions = [
    nest ? `What does the work on line ${nest.innerLine} cost per outer iteration, and can a lookup replace it?` : 'What is the time and space complexity of this solution?',
    'Which input would break this code first, and what should it print for it?',
    f.d.finding ? `Why does the analyser flag line ${f.d.finding.line}, and does it matter here?` : 'How would you test this before an interviewer runs it?',
  ];
  return {
    summary: clip(summary, 320),
    focusAreas: { complexity: clip(complexityText(ctx, f), 220), edgeCases: clip(edgeText(ctx, f), 220), readability: clip(readabilityText(ctx, f), 220) },
    followUpQuestions: questions.map((q) => clip(q, 140)),
  };
}

function correctnessScore(f: Facts, ctx: CoachContext): { score: number; feedback: string } {
  const e = ctx.execution;
  const s = f.d.situation;
  if (s.kind === 'compile') return { score: 5, feedback: `Does not compile${s.line ? ` (line ${s.line})` : ''}: ${s.message}.` };
  if (!e || f.d.stale || e.total === 0) return { score: 50, feedback: 'Not judged on this exact code yet; submit it to measure correctness.' };
  const score = clamp((100 * e.passed) / e.total);
  return { score, feedback: `${e.passed} of ${e.total} tests pass. ${edgeText(ctx, f)}` };
}

export function localReview(ctx: CoachContext): ReviewAnswer {
  const f = factsOf(ctx);
  const correctness = correctnessScore(f, ctx);
  const nest = f.d.nests[0];
  const efficiency = clamp(100 - (nest ? 35 : 0) - (f.d.situation.kind === 'timeout' ? 30 : 0));
  const readability = clamp(100 - Math.min(30, 10 * f.errors) - Math.min(20, 4 * f.warnings) - Math.min(15, 5 * f.oneLetterNames.length));
  const structure = clamp(100 - Math.max(0, (f.maxComplexity?.value ?? 1) - 6) * 6 - Math.max(0, (f.longestFunction?.lines ?? 0) - 40));
  const robustness = clamp(f.d.situation.kind === 'solved' ? 95 : f.d.situation.kind === 'runtime' ? 40 : f.d.situation.kind === 'wrong' ? 55 : 70);
  const categories: ReviewCategory[] = [
    { name: 'correctness', score: correctness.score, feedback: clip(correctness.feedback, 300) },
    { name: 'efficiency', score: efficiency, feedback: clip(complexityText(ctx, f), 300) },
    { name: 'readability', score: readability, feedback: clip(readabilityText(ctx, f), 300) },
    {
      name: 'structure',
      score: structure,
      feedback: f.maxComplexity
        ? `Most complex function: ${f.maxComplexity.name} at line ${f.maxComplexity.startLine} (cyclomatic ${f.maxComplexity.value}).`
        : 'Small enough that structure is not a concern.',
    },
    { name: 'robustness', score: robustness, feedback: clip(edgeText(ctx, f), 300) },
  ];
  const weights = [0.35, 0.2, 0.15, 0.1, 0.2];
  const overallScore = clamp(categories.reduce((sum, c, i) => sum + c.score * weights[i]!, 0));
  const weakest = [...categories].sort((a, b) => a.score - b.score)[0]!;
  return {
    overallScore,
    categories,
    summary: clip(`Overall ${overallScore}/100. Strongest: ${[...categories].sort((a, b) => b.score - a.score)[0]!.name}. Work on ${weakest.name} first: ${weakest.feedback}`, 500),
  };
}
