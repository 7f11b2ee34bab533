/**
 * The grader's view of one candidate: the session's inputs restricted to their candidate segments, and lookups of
 * timeline events to cite. Work done inside a segment counts for the candidate when they did it themselves or when
 * whoever did it was not a candidate at that moment (an interviewer pressing Submit for them).
 */
import { candidateSegments, roleAt, within } from './segments.js';
import type { GradeHint, GradeInput, GradeMessage, GradeRun, GradeSubmission, Segment, TimelinePoint } from './types.js';

export interface GradeContext {
  input: GradeInput;
  segments: Segment[];
  runs: GradeRun[];
  /** judged submissions (status completed), oldest first */
  submissions: GradeSubmission[];
  hints: GradeHint[];
  /** messages the candidate wrote inside their segments */
  spoken: GradeMessage[];
  /** messages others (people or the AI interviewer) wrote inside the candidate's segments */
  heard: GradeMessage[];
  /** the timestamp of the first timeline event matching, or null */
  cite(eventType: string, match?: (p: TimelinePoint) => boolean): string | null;
  /** the first timeline event at or after `at` */
  citeFrom(at: string): string | null;
}

const byTime = <T>(key: (x: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));

export function gradeContext(input: GradeInput): GradeContext {
  const segments = candidateSegments(input.roles, input.userId);
  const mine = (userId: string, at: string) =>
    within(segments, at) && (userId === input.userId || roleAt(input.roles, userId, at) !== 'candidate');
  const runs = input.runs.filter((r) => mine(r.userId, r.createdAt)).sort(byTime((r) => r.createdAt));
  const submissions = input.submissions
    .filter((s) => s.status === 'completed' && s.total > 0 && mine(s.userId, s.submittedAt))
    .sort(byTime((s) => s.submittedAt));
  const hints = input.hints.filter((h) => h.userId === input.userId && within(segments, h.requestedAt)).sort(byTime((h) => h.requestedAt));
  const inWindow = input.messages.filter((m) => within(segments, m.at)).sort(byTime((m) => m.at));
  const timeline = [...input.timeline].sort(byTime((p) => p.timestamp));
  return {
    input,
    segments,
    runs,
    submissions,
    hints,
    spoken: inWindow.filter((m) => m.authorId === input.userId),
    heard: inWindow.filter((m) => m.authorId !== input.userId),
    cite(eventType, match) {
      return timeline.find((p) => p.eventType === eventType && (!match || match(p)))?.timestamp ?? null;
    },
    citeFrom(at) {
      const t = Date.parse(at);
      return timeline.find((p) => Date.parse(p.timestamp) >= t)?.timestamp ?? null;
    },
  };
}

/** Weighted pass rate of a submission: hidden cases count twice (they are the ones that decide). */
export function weightedPassRate(s: GradeSubmission): number {
  if (s.tests.length === 0) return s.total > 0 ? s.passed / s.total : 0;
  let got = 0;
  let all = 0;
  for (const t of s.tests) {
    const w = t.isHidden ? 2 : 1;
    all += w;
    if (t.passed === true) got += w;
  }
  return all === 0 ? 0 : got / all;
}

export const isAllPass = (s: GradeSubmission) => s.total > 0 && s.passed === s.total;

export const clamp = (n: number, lo = 0, hi = 100) => Math.min(hi, Math.max(lo, n));
export const sat = (n: number) => clamp(n, 0, 1);
export const round = (n: number) => Math.round(n);
export const minutesBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 60_000);
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
