/**
 * Property: over generated sessions (code, submissions with hidden cases, runs, hints, messages, role swaps, static
 * analyses pointing anywhere), every evidence item of every report verifies against the final code and the
 * timeline, no hidden-case value ever appears — even when the rows handed to the grader carry them — and grading
 * is deterministic.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { grade } from '../../src/domain/report/grader.js';
import { DIMENSIONS, type GradeInput } from '../../src/domain/report/types.js';
import { verifyEvidence } from '../../src/domain/report/verify.js';
import { at, CANDIDATE, gradeInput, INTERVIEWER, type SessionScript } from './fixtures.js';

const SECRET_INPUT = 'QZX-hidden-input-7731';
const SECRET_EXPECTED = 'QZX-hidden-expected-9902';
const SECRET_ACTUAL = 'QZX-hidden-actual-4410';

const STATEMENTS = [
  'total = 0',
  'for item in items:',
  'while left < right:',
  'if value in seen:',
  'seen[value] = index',
  'return best',
  'x = y + z',
  'a = b',
  'result.append(current)',
  'print(answer)',
  '// keep the running maximum',
  'let q = w * 2;',
  '}',
  '',
  'def helper(values):',
  `const veryLongName = ${'"' + 'x'.repeat(130) + '"'};`,
];

const codeArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom(...STATEMENTS)), { minLength: 0, maxLength: 40 }).map((lines) =>
  lines.map(([depth, text]) => `${'    '.repeat(depth)}${text}`).join('\n'),
);
const verdictArb = fc.constantFrom('AC', 'AC', 'WA', 'TLE', 'RE', 'MLE', 'CE');
const minuteArb = fc.integer({ min: 0, max: 39 });
const textArb = fc.constantFrom(
  'My approach uses a hash map because lookups are O(1).',
  'What about the empty input?',
  'ok',
  'I think two pointers work better than a nested loop here.',
  'Could you explain the complexity?',
  'Edge case: duplicates and negative numbers.',
);

const scriptArb: fc.Arbitrary<SessionScript> = fc.record({
  code: fc.option(codeArb, { nil: null }),
  submissions: fc.array(
    fc.record({ minute: minuteArb, verdicts: fc.array(verdictArb, { minLength: 1, maxLength: 6 }), hidden: fc.integer({ min: 0, max: 3 }), by: fc.constantFrom(CANDIDATE, INTERVIEWER) }),
    { maxLength: 5 },
  ),
  runs: fc.array(fc.record({ minute: minuteArb, verdict: fc.constantFrom('OK', 'RE', 'TLE', 'CE'), by: fc.constantFrom(CANDIDATE, INTERVIEWER) }), { maxLength: 4 }),
  hints: fc.array(fc.record({ minute: minuteArb, level: fc.constantFrom('subtle', 'moderate', 'direct') }), { maxLength: 3 }),
  messages: fc.array(fc.record({ minute: minuteArb, from: fc.constantFrom('candidate' as const, 'interviewer' as const, 'ai' as const), text: textArb }), { maxLength: 6 }),
  swapAt: fc.option(fc.integer({ min: 5, max: 35 }), { nil: undefined }),
  difficulty: fc.constantFrom('easy', 'medium', 'hard'),
});

/** The rows a careless gatherer might pass: hidden cases with their data, and analyses pointing anywhere. */
function withHiddenDataAndAnalyses(input: GradeInput, diagnosticLines: number[], onFinalCode: boolean): GradeInput {
  const submissions = input.submissions.map((s) => ({
    ...s,
    tests: s.tests.map((t) => (t.isHidden ? ({ ...t, input: SECRET_INPUT, expectedOutput: SECRET_EXPECTED, actualOutput: SECRET_ACTUAL } as typeof t) : t)),
  }));
  const analyses = input.submissions.slice(0, 1).map((s) => ({
    jobId: 'job-1',
    source: 'submission' as const,
    sourceId: s.submissionId,
    userId: s.userId,
    createdAt: s.submittedAt,
    codeHash: onFinalCode ? (input.finalCode?.codeHash ?? 'none') : 'older',
    diagnostics: diagnosticLines.map((line, i) => ({ severity: i % 2 === 0 ? ('error' as const) : ('warning' as const), message: `finding ${i}`, rule: null, line })),
    complexity: [{ functionName: 'solve', startLine: diagnosticLines[0] ?? 1, endLine: null, cyclomaticComplexity: 14 }],
    duplications: [{ lines: 6, occurrences: [{ startLine: diagnosticLines[1] ?? 2, endLine: (diagnosticLines[1] ?? 2) + 3 }] }],
  }));
  return { ...input, submissions, analyses };
}

describe('grader properties over generated sessions', () => {
  it('evidence always verifies, hidden data never leaks, scores stay in range, grading is deterministic', () => {
    const cited: Record<string, number> = {};
    fc.assert(
      fc.property(scriptArb, fc.array(fc.integer({ min: -3, max: 60 }), { maxLength: 6 }), fc.boolean(), fc.constantFrom(CANDIDATE, INTERVIEWER), (script, lines, onFinal, who) => {
        const input = withHiddenDataAndAnalyses(gradeInput(script, who), lines, onFinal);
        const result = grade(input);
        const ctx = { finalCode: input.finalCode?.code ?? null, timestamps: new Set(input.timeline.map((t) => t.timestamp)) };
        for (const d of DIMENSIONS) {
          const dim = result.report.dimensions[d];
          for (const e of dim.evidence) {
            expect(verifyEvidence(e, ctx)).toBe(true);
            cited[e.type] = (cited[e.type] ?? 0) + 1;
          }
          if (dim.score !== null) {
            expect(Number.isInteger(dim.score) && dim.score >= 0 && dim.score <= 100).toBe(true);
          } else {
            expect(dim.feedback).toMatch(/^Not assessed/);
          }
        }
        const json = JSON.stringify(result);
        for (const secret of [SECRET_INPUT, SECRET_EXPECTED, SECRET_ACTUAL]) expect(json).not.toContain(secret);
        for (const t of result.report.testCaseBreakdown) expect(Object.keys(t).sort()).toEqual(['isHidden', 'passed', 'testCaseIndex', 'timedOut', 'verdict']);
        expect(result.report.strengths.length).toBeLessThanOrEqual(3);
        expect(result.report.areasForImprovement.length).toBeLessThanOrEqual(3);
        expect(JSON.stringify(grade(input))).toBe(json);
      }),
      { numRuns: 300, seed: 20261207 },
    );
    // the generated sessions exercise every kind of citation (the property is not vacuous)
    expect(cited['code_line']).toBeGreaterThan(50);
    expect(cited['event_timestamp']).toBeGreaterThan(300);
  });

  it('a random seed too (reported on failure)', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const input = gradeInput(script);
        const { report } = grade(input);
        const ctx = { finalCode: input.finalCode?.code ?? null, timestamps: new Set(input.timeline.map((t) => t.timestamp)) };
        return DIMENSIONS.every((d) => report.dimensions[d].evidence.every((e) => verifyEvidence(e, ctx))) && report.sessionId === input.sessionId && at(0) === input.startedAt;
      }),
      { numRuns: 100 },
    );
  });
});
