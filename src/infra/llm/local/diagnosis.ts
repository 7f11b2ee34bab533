/**
 * What the local coach knows about where the candidate stands, worked out once per request from the context:
 * the latest execution's verdict class with the line it points at, nested loops, static-analysis findings. Every
 * line named here exists in the candidate's current code.
 */
import type { CoachContext, ExecutionFacts, FailedCase } from '../port.js';
import { findLoopNests, isRealLine, lineRef, parseCompileError, parseRuntimeError, solveLine, type LoopNest } from './code-facts.js';

export type Situation =
  | { kind: 'no-code' }
  | { kind: 'untested' }
  | { kind: 'compile'; message: string; line: number | null }
  | { kind: 'runtime'; exception: string; message: string | null; line: number | null; failing: FailedCase | null }
  | { kind: 'timeout'; nest: LoopNest | null; hidden: boolean }
  | { kind: 'memory'; nest: LoopNest | null }
  | { kind: 'wrong'; failing: FailedCase | null; edge: boolean; hidden: boolean }
  | { kind: 'solved'; passed: number; total: number };

export interface Diagnosis {
  situation: Situation;
  nests: LoopNest[];
  /** The most important static-analysis finding on a real line. */
  finding: { line: number; message: string } | null;
  /** A line to talk about when nothing more specific exists (the solve function, else the first code line). */
  anchorLine: number | null;
  /** The code the execution ran is not the code being asked about. */
  stale: boolean;
}

const STARTER_LEFT = /TODO: implement your solution here/;

/** An input a reviewer would call an edge case: tiny, a count of 0–2, zero, negative, or repeated values. */
export function looksLikeEdge(input: string): boolean {
  const tokens = input.trim().split(/\s+/).filter(Boolean);
  if (tokens.length <= 3) return true;
  if (tokens.some((t) => t === '0' || t === '-' || /^-\d/.test(t))) return true;
  // the smallest sizes, or repeated values
  if (/^\d+$/.test(tokens[0]!) && Number(tokens[0]) <= 2) return true;
  const values = tokens.slice(1);
  return new Set(values).size < values.length;
}

function firstFailing(e: ExecutionFacts, verdicts: string[]): FailedCase | null {
  return e.failedVisible.find((c) => verdicts.includes(c.verdict)) ?? null;
}

function hiddenHas(e: ExecutionFacts, verdict: string): boolean {
  return (e.hiddenFailures[verdict] ?? 0) > 0;
}

function situationOf(ctx: CoachContext, nests: LoopNest[]): Situation {
  const code = ctx.code;
  if (!code.trim()) return { kind: 'no-code' };
  const e = ctx.execution;
  if (!e || e.verdict === null) return STARTER_LEFT.test(code) ? { kind: 'no-code' } : { kind: 'untested' };
  const verdict = e.verdict;
  if (verdict === 'CE') {
    const parsed = parseCompileError(e.compileError ?? e.stderr ?? '', code);
    return { kind: 'compile', message: parsed.message, line: parsed.line };
  }
  if (verdict === 'RE' || firstFailing(e, ['RE'])) {
    const failing = firstFailing(e, ['RE']);
    const stderr = failing?.stderr ?? e.stderr ?? '';
    if (stderr || e.source === 'run') {
      const err = parseRuntimeError(stderr, code);
      return { kind: 'runtime', exception: err.exception, message: err.message, line: err.line, failing };
    }
    return { kind: 'runtime', exception: 'runtime error', message: null, line: null, failing: null };
  }
  if (verdict === 'TLE' || firstFailing(e, ['TLE']) || hiddenHas(e, 'TLE')) {
    return { kind: 'timeout', nest: nests[0] ?? null, hidden: !firstFailing(e, ['TLE']) && e.source === 'submission' };
  }
  if (verdict === 'MLE') return { kind: 'memory', nest: nests[0] ?? null };
  const wrong = firstFailing(e, ['WA']);
  if (verdict === 'WA' || wrong || hiddenHas(e, 'WA')) {
    return { kind: 'wrong', failing: wrong, edge: wrong ? looksLikeEdge(wrong.input) : true, hidden: !wrong };
  }
  if (e.total > 0 && e.passed === e.total) return { kind: 'solved', passed: e.passed, total: e.total };
  if (e.source === 'run' && (verdict === 'OK' || verdict === 'AC')) return { kind: 'untested' };
  return { kind: 'untested' };
}

export function diagnose(ctx: CoachContext): Diagnosis {
  const nests = findLoopNests(ctx.code, ctx.language);
  const findings = (ctx.analysis?.diagnostics ?? [])
    .filter((d) => isRealLine(ctx.code, d.line))
    .sort((a, b) => (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1));
  const top = findings[0];
  return {
    situation: situationOf(ctx, nests),
    nests,
    finding: top ? { line: top.line!, message: top.message.slice(0, 160) } : null,
    anchorLine: solveLine(ctx.code),
    stale: ctx.execution ? !ctx.execution.sameCode : false,
  };
}

/** "the loop on line 7 (`…`) inside the loop on line 5 (`…`)" */
export function describeNest(code: string, nest: LoopNest): string {
  const inner = nest.inner === 'loop' ? `the loop on ${lineRef(code, nest.innerLine)}` : `the ${nest.innerText} scan on ${lineRef(code, nest.innerLine)}`;
  return `${inner} runs inside the loop on ${lineRef(code, nest.outerLine)}`;
}

/** A failing visible case in a few words: its number, input and what differed. */
export function describeCase(c: FailedCase): string {
  const clip = (s: string | null) => (s === null ? 'nothing' : JSON.stringify(s.trim().length > 80 ? `${s.trim().slice(0, 77)}...` : s.trim()));
  const got = c.verdict === 'WA' ? `, expected ${clip(c.expected)} but got ${clip(c.actual)}` : '';
  return `visible test ${c.number} (input ${clip(c.input)}${got})`;
}
