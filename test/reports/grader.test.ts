/** The deterministic grader: given a session's events, these scores and this evidence. */
import { describe, expect, it } from '@jest/globals';
import { fold } from '../../src/domain/shared/decider.js';
import { reportDecider, type ReportEvent } from '../../src/domain/report/decider.js';
import { grade } from '../../src/domain/report/grader.js';
import { applyNarrative } from '../../src/domain/report/narrative.js';
import { verifyEvidence } from '../../src/domain/report/verify.js';
import type { GradeInput } from '../../src/domain/report/types.js';
import { at, CANDIDATE, CUBIC_CODE, GOOD_CODE, gradeInput, INTERVIEWER } from './fixtures.js';

const allPass = ['AC', 'AC', 'AC', 'AC', 'AC'];
const verifies = (input: GradeInput) => (e: { type: string; reference: string; description: string }) =>
  verifyEvidence(e as never, { finalCode: input.finalCode?.code ?? null, timestamps: new Set(input.timeline.map((t) => t.timestamp)) });

describe('correctness: a right answer versus a wrong one', () => {
  it('all tests passing scores 100 and cites the accepted submission', () => {
    const input = gradeInput({ runs: [{ minute: 5 }], submissions: [{ minute: 8, verdicts: allPass, hidden: 2 }] });
    const { report } = grade(input);
    expect(report.dimensions.correctness.score).toBe(100);
    expect(report.dimensions.correctness.evidence).toEqual([
      { type: 'event_timestamp', reference: at(8.1), description: 'Final submission accepted: 5/5 tests passed' },
    ]);
  });

  it('a wrong answer loses points by weighted pass rate (hidden cases count twice) and says what failed, not what was hidden', () => {
    const input = gradeInput({ runs: [{ minute: 5 }], submissions: [{ minute: 8, verdicts: ['AC', 'AC', 'WA', 'AC', 'WA'], hidden: 2 }] });
    const { report, weaknesses } = grade(input);
    // visible AC AC WA (w=1 each), hidden AC WA (w=2 each): (2 + 2) / 7
    expect(report.dimensions.correctness.score).toBe(Math.round((100 * 4) / 7));
    expect(report.dimensions.correctness.evidence[0]).toEqual({
      type: 'event_timestamp',
      reference: at(8.1),
      description: 'Final submission: 2 of 5 tests failed (1 hidden): wrong answer ×2',
    });
    expect(report.dimensions.correctness.feedback).toMatch(/edge cases/);
    expect(weaknesses.map((w) => w.category)).toContain('edge_cases');
    expect(report.testCaseBreakdown[4]).toEqual({ testCaseIndex: 4, isHidden: true, passed: false, timedOut: false, verdict: 'WA' });
  });

  it('no submission and no run: not assessed (null), and the feedback says there was no signal', () => {
    const { report } = grade(gradeInput({ submissions: [], runs: [] }));
    expect(report.dimensions.correctness.score).toBeNull();
    expect(report.dimensions.correctness.feedback).toMatch(/no signal/);
    expect(report.dimensions.efficiency.score).toBeNull();
    expect(report.dimensions.problemSolving.score).toBeNull();
  });

  it('a regression (an earlier submission did better) is evidence', () => {
    const { report } = grade(gradeInput({ submissions: [{ minute: 8, verdicts: ['AC', 'AC', 'AC'] }, { minute: 12, verdicts: ['AC', 'WA', 'WA'] }] }));
    expect(report.dimensions.correctness.evidence.map((e) => e.reference)).toEqual([at(12.1), at(8.1)]);
    expect(report.dimensions.correctness.feedback).toMatch(/earlier submission passed more tests/);
  });
});

describe('efficiency: time limit exceeded versus accepted', () => {
  it('an accepted answer with no deep loops scores 100', () => {
    expect(grade(gradeInput({ submissions: [{ minute: 8, verdicts: allPass }] })).report.dimensions.efficiency.score).toBe(100);
  });

  it('timeouts cost their share, deep loops cost 15, and both are cited (the submission and the innermost loop line)', () => {
    const input = gradeInput({ code: CUBIC_CODE, submissions: [{ minute: 8, verdicts: ['AC', 'AC', 'TLE', 'TLE', 'AC'], hidden: 2 }] });
    const { report, weaknesses } = grade(input);
    // correctness (3 visible w1: AC AC TLE → 2; hidden TLE, AC → 2 of 4) = 4/7 → 57; efficiency 100·(1 − 2/5) − 15 = 45
    expect(report.dimensions.correctness.score).toBe(57);
    expect(report.dimensions.efficiency.score).toBe(45);
    expect(report.dimensions.efficiency.evidence).toEqual([
      { type: 'event_timestamp', reference: at(8.1), description: '2 of 5 tests exceeded the time limit' },
      { type: 'code_line', reference: 'L5: for third in range(second + 1, len(numbers)):', description: 'Loops nested 3 deep: usually a cubic (or worse) running time' },
    ]);
    expect(weaknesses.map((w) => w.category)).toContain('time_complexity');
    expect(report.dimensions.efficiency.evidence.every(verifies(input))).toBe(true);
  });

  it('a wrong answer is never efficient: efficiency is capped at correctness + 20', () => {
    const { report } = grade(gradeInput({ submissions: [{ minute: 8, verdicts: ['WA', 'WA', 'WA', 'AC', 'WA'] }] }));
    expect(report.dimensions.correctness.score).toBe(20);
    expect(report.dimensions.efficiency.score).toBe(40);
  });
});

describe('problem solving: hints cost points', () => {
  const base = { runs: [{ minute: 4 }], submissions: [{ minute: 8, verdicts: allPass }] };
  it('without hints, a quick tested all-pass scores high; each hint costs by level and is cited', () => {
    const clean = grade(gradeInput(base)).report.dimensions.problemSolving;
    const hinted = grade(gradeInput({ ...base, hints: [{ minute: 2, level: 'moderate' }, { minute: 3, level: 'direct' }] })).report.dimensions.problemSolving;
    expect(clean.score).toBe(90); // 0.8·100 + 10 (ran before submitting); first all-pass at 8 of 20 minutes
    expect(hinted.score).toBe(clean.score! - 30);
    expect(hinted.evidence.filter((e) => /hint requested/.test(e.description))).toEqual([
      { type: 'event_timestamp', reference: at(2), description: 'Moderate hint requested (−10)' },
      { type: 'event_timestamp', reference: at(3), description: 'Direct hint requested (−20)' },
    ]);
    expect(hinted.feedback).toMatch(/2 hints taken \(moderate, direct\)/);
  });

  it('failed submissions before the first all-pass cost points, and submitting without running is noted', () => {
    const ps = grade(gradeInput({ submissions: [{ minute: 5, verdicts: ['WA'] }, { minute: 6, verdicts: ['WA'] }, { minute: 7, verdicts: ['WA'] }, { minute: 9, verdicts: ['AC'] }] })).report.dimensions.problemSolving;
    // 0.8·100 + 10 (improved) − 16 (two extra failed submissions)
    expect(ps.score).toBe(74);
    expect(ps.evidence.map((e) => e.description)).toEqual(
      expect.arrayContaining(['First submission without a single run before it', 'Failed submission 0/1: test locally before resubmitting']),
    );
  });
});

describe('communication: a silent candidate versus a communicative one', () => {
  const interviewerAsks = [
    { minute: 1, from: 'interviewer' as const, text: 'How would you approach this?' },
    { minute: 10, from: 'interviewer' as const, text: 'What is the complexity?' },
  ];
  it('silent while the interviewer asks: a low score, with the unanswered questions cited', () => {
    const input = gradeInput({ messages: interviewerAsks, submissions: [{ minute: 8, verdicts: allPass }] });
    const { report, weaknesses } = grade(input);
    expect(report.dimensions.communication.score).toBe(0);
    expect(report.dimensions.communication.feedback).toMatch(/You wrote nothing/);
    expect(report.dimensions.communication.evidence.length).toBeGreaterThan(0);
    expect(report.dimensions.communication.evidence.every(verifies(input))).toBe(true);
    expect(weaknesses.map((w) => w.category)).toContain('communication');
  });

  it('explaining the approach, complexity and edge cases before coding scores high', () => {
    const input = gradeInput({
      messages: [
        ...interviewerAsks,
        { minute: 2, from: 'candidate', text: 'My approach: one pass with a hash map from value to index, because lookups are constant time.' },
        { minute: 3, from: 'candidate', text: 'Edge cases: an empty list, duplicates, and negative numbers.' },
        { minute: 11, from: 'candidate', text: 'It runs in O(n) time and O(n) space, better than the quadratic alternative of two nested loops.' },
        { minute: 12, from: 'candidate', text: 'I considered sorting with two pointers instead, but we would lose the original indexes.' },
        { minute: 13, from: 'candidate', text: 'I will test with the examples first and then the edge cases I listed.' },
        { minute: 14, from: 'candidate', text: 'Done: all samples pass, and the empty input returns an empty list as planned.' },
      ],
      runs: [{ minute: 5 }],
      submissions: [{ minute: 8, verdicts: allPass }],
    });
    const c = grade(input).report.dimensions.communication;
    expect(c.score).toBeGreaterThanOrEqual(85);
    expect(c.evidence.every(verifies(input))).toBe(true);
  });

  it('no written channel at all: not assessed', () => {
    expect(grade(gradeInput({ submissions: [{ minute: 8, verdicts: allPass }] })).report.dimensions.communication.score).toBeNull();
  });
});

describe('candidate segments', () => {
  it('after a role swap, each candidate is graded on the work inside their own segment', () => {
    const script = {
      swapAt: 20,
      submissions: [
        { minute: 10, verdicts: allPass, by: CANDIDATE },
        { minute: 30, verdicts: ['WA', 'WA', 'AC', 'AC', 'AC'], by: INTERVIEWER },
      ],
    };
    const first = grade(gradeInput(script, CANDIDATE)).report;
    const second = grade(gradeInput(script, INTERVIEWER)).report;
    expect(first.dimensions.correctness.score).toBe(100);
    expect(second.dimensions.correctness.score).toBe(60);
    expect(first.testCaseBreakdown.every((t) => t.verdict === 'AC')).toBe(true);
  });
});

describe('determinism and text', () => {
  it('grading twice gives byte-identical reports, whatever order the inputs arrive in', () => {
    const input = gradeInput({
      code: CUBIC_CODE,
      runs: [{ minute: 3 }, { minute: 4, verdict: 'RE' }],
      hints: [{ minute: 5, level: 'subtle' }],
      submissions: [{ minute: 6, verdicts: ['AC', 'RE', 'TLE'] }, { minute: 9, verdicts: ['AC', 'AC', 'TLE'], hidden: 1 }],
      messages: [{ minute: 1, from: 'candidate', text: 'I think a brute force first, then optimise.' }],
    });
    const shuffled: GradeInput = { ...input, runs: [...input.runs].reverse(), submissions: [...input.submissions].reverse(), timeline: [...input.timeline].reverse() };
    const once = JSON.stringify(grade(input));
    expect(JSON.stringify(grade(input))).toBe(once);
    expect(JSON.stringify(grade(shuffled))).toBe(once);
  });

  it('strengths, improvements and the detailed feedback come from the scored evidence', () => {
    const { report } = grade(gradeInput({ code: GOOD_CODE, runs: [{ minute: 4 }], hints: [{ minute: 3, level: 'direct' }], submissions: [{ minute: 8, verdicts: ['AC', 'WA', 'AC'] }] }));
    expect(report.strengths[0]).toMatch(/^(Code quality|Efficiency) \(\d+\/100\)/);
    expect(report.areasForImprovement.some((s) => s.startsWith('Correctness (67/100): Final submission: 1 of 3 tests failed'))).toBe(true);
    expect(report.detailedFeedback).toMatch(/^Overall \d+\/100 across 4 assessed dimensions\./);
    expect(report.detailedFeedback).toMatch(/Not assessed for lack of signal: communication\./);
    expect(report.detailedFeedback).toMatch(/Recommended next step: /);
    expect(report.feedback).toBe(report.detailedFeedback);
    expect(report.overallScore).toBe(Math.round((0.3 * 67 + 0.25 * report.dimensions.problemSolving.score! + 0.15 * report.dimensions.efficiency.score! + 0.15 * report.dimensions.codeQuality.score!) / 0.85));
  });

  it('comparison to history: the average of earlier reports and the trend', () => {
    const input = gradeInput({ runs: [{ minute: 4 }], submissions: [{ minute: 8, verdicts: allPass }] });
    const empty = { correctness: null, efficiency: null, codeQuality: null, communication: null, problemSolving: null };
    input.history = [
      { sessionId: 'a', finishedAt: at(-100), overallScore: 50, categoryScores: empty },
      { sessionId: 'b', finishedAt: at(-200), overallScore: 61, categoryScores: empty },
    ];
    expect(grade(input).report.comparisonToHistory).toEqual({ trend: 'improving', sessionsCompared: 2, averageScore: 55.5 });
    expect(grade(gradeInput({})).report.comparisonToHistory).toBeNull();
  });

  it('peer feedback about the candidate is summarised (others ignored); none → null', () => {
    const input = gradeInput({});
    input.peerFeedback = [
      { reviewerId: INTERVIEWER, targetId: CANDIDATE, ratings: { problemSolving: 5, communication: 4, codeQuality: 3, wouldPairAgain: 5 }, comments: 'Explained the approach clearly', submittedAt: at(41) },
      { reviewerId: CANDIDATE, targetId: INTERVIEWER, ratings: { problemSolving: 1, communication: 1, codeQuality: 1, wouldPairAgain: 1 }, comments: '', submittedAt: at(41) },
    ];
    expect(grade(input).report.peerFeedbackSummary).toEqual({
      summary: '1 peer review: average rating 4.3/5; 100% would pair again. Themes: clear communication, problem decomposition, strong problem solving.',
      averageRating: 4.3,
      wouldPairAgain: 1,
      themes: ['clear communication', 'problem decomposition', 'strong problem solving'],
      reviewCount: 1,
      ratings: { problemSolving: 5, communication: 4, codeQuality: 3 },
    });
    expect(grade(gradeInput({})).report.peerFeedbackSummary).toBeNull();
  });

  it('text-only peer reviews give themes but no invented ratings', () => {
    const input = gradeInput({});
    input.peerFeedback = [{ reviewerId: INTERVIEWER, targetId: CANDIDATE, ratings: null, comments: 'Covered the edge cases', submittedAt: at(41) }];
    expect(grade(input).report.peerFeedbackSummary).toEqual({
      summary: '1 peer review: written feedback only. Themes: edge cases.',
      averageRating: null,
      wouldPairAgain: null,
      themes: ['edge cases'],
      reviewCount: 1,
      ratings: null,
    });
  });
});

describe('the verifier and the LLM narrative', () => {
  const ctx = { finalCode: GOOD_CODE, timestamps: new Set([at(8)]) };
  it('accepts only evidence that points at real lines, code and timeline events', () => {
    expect(verifyEvidence({ type: 'code_line', reference: 'L2: seen = {}', description: '' }, ctx)).toBe(true);
    expect(verifyEvidence({ type: 'code_line', reference: 'L3-L4: for index, value in enumerate(numbers): …', description: '' }, ctx)).toBe(true);
    expect(verifyEvidence({ type: 'code_line', reference: 'L2: return []', description: '' }, ctx)).toBe(false);
    expect(verifyEvidence({ type: 'code_line', reference: 'L99: seen = {}', description: '' }, ctx)).toBe(false);
    expect(verifyEvidence({ type: 'code_snippet', reference: 'seen[value] = index', description: '' }, ctx)).toBe(true);
    expect(verifyEvidence({ type: 'code_snippet', reference: 'seen[value] = idx', description: '' }, ctx)).toBe(false);
    expect(verifyEvidence({ type: 'event_timestamp', reference: at(8), description: '' }, ctx)).toBe(true);
    expect(verifyEvidence({ type: 'event_timestamp', reference: at(8.5), description: '' }, ctx)).toBe(false);
  });

  it('an LLM rewrite keeps scores within 10 points, nulls null, and loses evidence that does not verify', () => {
    const input = gradeInput({ runs: [{ minute: 4 }], submissions: [{ minute: 8, verdicts: ['AC', 'WA', 'AC', 'AC'] }] });
    const base = grade(input).report;
    const rewritten = applyNarrative(
      base,
      {
        dimensions: {
          correctness: { score: 100, feedback: 'Three of four passed; check the boundary case.', evidence: [{ type: 'code_line', reference: 'L2: seen = {}', description: 'map' }, { type: 'code_line', reference: 'L2: invented()', description: 'x' }] },
          communication: { score: 90, feedback: 'Talkative.' },
        },
        strengths: ['Clear hash-map approach'],
        detailedFeedback: 'Good work overall.',
      },
      { finalCode: input.finalCode!.code, timestamps: new Set(input.timeline.map((t) => t.timestamp)) },
    )!;
    expect(rewritten.dimensions.correctness.score).toBe(base.dimensions.correctness.score! + 10);
    expect(rewritten.dimensions.communication.score).toBeNull();
    expect(rewritten.dimensions.correctness.evidence.map((e) => e.reference)).toEqual([...base.dimensions.correctness.evidence.map((e) => e.reference), 'L2: seen = {}']);
    expect(rewritten.strengths).toEqual(['Clear hash-map approach']);
    expect(applyNarrative(base, 'not json', { finalCode: null, timestamps: new Set() })).toBeNull();
  });
});

describe('the report stream', () => {
  it('the same content is recorded once; a different one adds a version; a failure only when nothing exists', () => {
    const data = { sessionId: 's', userId: 'u', graderVersion: 'g', model: 'g', generatedAt: at(1), report: grade(gradeInput({})).report, weaknesses: [], contentHash: 'h1' };
    const first = reportDecider.decide({ type: 'RecordReport', data }, reportDecider.initialState());
    expect(first.map((e) => e.type)).toEqual(['SessionReportGenerated']);
    const state = fold(reportDecider, first as ReportEvent[]);
    expect(reportDecider.decide({ type: 'RecordReport', data: { ...data, generatedAt: at(2) } }, state)).toEqual([]);
    expect(reportDecider.decide({ type: 'RecordReport', data: { ...data, contentHash: 'h2' } }, state)).toHaveLength(1);
    const failure = { type: 'RecordReportFailure' as const, data: { sessionId: 's', userId: 'u', graderVersion: 'g', reason: 'x', failedAt: at(3) } };
    expect(reportDecider.decide(failure, state)).toEqual([]);
    expect(reportDecider.decide(failure, reportDecider.initialState()).map((e) => e.type)).toEqual(['SessionReportFailed']);
  });
});
