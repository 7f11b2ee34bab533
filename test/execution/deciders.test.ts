/** Run and submission deciders: given events / when command / then events or error. */
import { describe, expect, it } from '@jest/globals';
import { fold } from '../../src/domain/shared/decider.js';
import { internalFailure, type ExecutionOutcome } from '../../src/domain/run/outcome.js';
import { runDecider, type RunCommand } from '../../src/domain/run/run.js';
import type { AnalysisReport } from '../../src/domain/run/static-analysis.js';
import {
  submissionDecider,
  testVerdictOf,
  type JudgedTest,
  type SubmissionCommand,
  type SubmissionEvent,
} from '../../src/domain/submission/submission.js';
import { deciderSpec, errorOf } from '../support/decider-spec.js';
import { clock } from '../support/clock.js';

const at = clock();


// ------------------------------------------------------------------------------------------------ runs

const runWhen = deciderSpec(runDecider).when;

const requestRun = (o: Partial<Extract<RunCommand, { type: 'RequestRun' }>> = {}): RunCommand => ({
  type: 'RequestRun',
  runId: 'run1',
  roomId: 'room1',
  sessionId: null,
  userId: 'u1',
  language: 'python',
  code: 'print(1)',
  codeHash: 'h',
  stdin: null,
  timeoutMs: 1000,
  memoryMb: 128,
  staticAnalysisJobId: 'sa1',
  now: at(0),
  ...o,
});

const okOutcome: ExecutionOutcome = {
  status: 'completed',
  verdict: 'OK',
  stdout: '1\n',
  stderr: '',
  exitCode: 0,
  signal: null,
  durationMs: 12,
  cpuTimeMs: 10,
  memoryUsageMb: 3.5,
  timedOut: false,
  outputTruncated: false,
  compileDurationMs: 0,
  error: null,
};

const requested = () => runWhen([], requestRun());
const completed = () => [...requested(), ...runWhen(requested(), { type: 'CompleteRun', outcome: okOutcome, now: at(5) })];

const report: AnalysisReport = {
  status: 'completed',
  summary: { diagnosticCount: 0, errorCount: 0, warningCount: 0, maxCyclomaticComplexity: 1, highComplexityCount: 0, duplicationCount: 0, toolFailureCount: 0 },
  diagnostics: [],
  complexity: [],
  duplications: [],
  toolResults: [],
  error: null,
};

describe('run decider', () => {
  it('records a request with its time, once per id', () => {
    const events = requested();
    expect(events).toEqual([
      {
        type: 'RunRequested',
        data: expect.objectContaining({ runId: 'run1', roomId: 'room1', userId: 'u1', staticAnalysisJobId: 'sa1', requestedAt: at(0) }),
      },
    ]);
    expect(runWhen(events, requestRun())).toEqual([]);
  });

  it('starts once per attempt', () => {
    const start1 = runWhen(requested(), { type: 'StartRun', attempt: 1, now: at(1) });
    expect(start1).toEqual([{ type: 'RunStarted', data: { runId: 'run1', roomId: 'room1', attempt: 1, startedAt: at(1) } }]);
    expect(runWhen([...requested(), ...start1], { type: 'StartRun', attempt: 1, now: at(2) })).toEqual([]);
    expect(runWhen([...requested(), ...start1], { type: 'StartRun', attempt: 2, now: at(2) })).toHaveLength(1);
  });

  it('completes exactly once: a second completion is a no-op', () => {
    const events = completed();
    expect(events[1]).toEqual({
      type: 'RunCompleted',
      data: { ...okOutcome, runId: 'run1', roomId: 'room1', userId: 'u1', completedAt: at(5) },
    });
    expect(runWhen(events, { type: 'CompleteRun', outcome: internalFailure('late duplicate'), now: at(9) })).toEqual([]);
    expect(runWhen(events, { type: 'StartRun', attempt: 5, now: at(9) })).toEqual([]);
    expect(fold(runDecider, events).status).toBe('completed');
  });

  it('an IE completion marks the run failed', () => {
    const events = [...requested(), ...runWhen(requested(), { type: 'CompleteRun', outcome: internalFailure('sandbox unavailable'), now: at(1) })];
    expect(fold(runDecider, events).status).toBe('failed');
  });

  it('unknown runs cannot be started or completed', () => {
    expect(errorOf(() => runWhen([], { type: 'StartRun', attempt: 1, now: at(0) }))).toBe('404 EXECUTION_JOB_NOT_FOUND');
    expect(errorOf(() => runWhen([], { type: 'CompleteRun', outcome: okOutcome, now: at(0) }))).toBe('404 EXECUTION_JOB_NOT_FOUND');
  });

  it('expires output only after the retention period, once', () => {
    const events = completed();
    const day = 24 * 3600_000;
    expect(runWhen(requested(), { type: 'ExpireRunOutput', now: at(100_000), retentionMs: day })).toEqual([]);
    expect(runWhen(events, { type: 'ExpireRunOutput', now: at(60), retentionMs: day })).toEqual([]);
    const expired = runWhen(events, { type: 'ExpireRunOutput', now: at(5 + 86_400), retentionMs: day });
    expect(expired).toEqual([{ type: 'RunOutputExpired', data: { runId: 'run1', roomId: 'room1', expiredAt: at(5 + 86_400) } }]);
    expect(runWhen([...events, ...expired], { type: 'ExpireRunOutput', now: at(200_000), retentionMs: day })).toEqual([]);
  });

  it('completes its static analysis once, and never after it was dropped', () => {
    const done = runWhen(requested(), { type: 'CompleteStaticAnalysis', staticAnalysisJobId: 'sa1', report, now: at(3) });
    expect(done).toEqual([{ type: 'StaticAnalysisCompleted', data: { ...report, staticAnalysisJobId: 'sa1', completedAt: at(3) } }]);
    expect(runWhen([...requested(), ...done], { type: 'CompleteStaticAnalysis', staticAnalysisJobId: 'sa1', report, now: at(4) })).toEqual([]);
    const dropped = runWhen(requested(), { type: 'DropStaticAnalysis', staticAnalysisJobId: 'sa1', reason: 'queue down' });
    expect(dropped).toEqual([{ type: 'StaticAnalysisDropped', data: { staticAnalysisJobId: 'sa1', reason: 'queue down' } }]);
    expect(runWhen([...requested(), ...dropped], { type: 'CompleteStaticAnalysis', staticAnalysisJobId: 'sa1', report, now: at(4) })).toEqual([]);
    expect(runWhen(requested(), { type: 'CompleteStaticAnalysis', staticAnalysisJobId: 'other', report, now: at(4) })).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------ submissions

const subWhen = deciderSpec(submissionDecider).when;

const requestSubmission = (o: Partial<Extract<SubmissionCommand, { type: 'RequestSubmission' }>> = {}): SubmissionCommand => ({
  type: 'RequestSubmission',
  submissionId: 's1',
  roomId: 'room1',
  sessionId: 'sess1',
  problemId: 'p1',
  userId: 'u1',
  language: 'python',
  code: 'print(3)',
  codeHash: 'h',
  testCaseCount: 3,
  hiddenTestIndexes: [2],
  staticAnalysisJobId: null,
  now: at(0),
  ...o,
});

const judged = (i: number, verdict: JudgedTest['verdict'], stdout = '3\n', durationMs = 10): JudgedTest => ({
  testCaseIndex: i,
  verdict,
  stdout,
  stderr: '',
  exitCode: verdict === 'AC' || verdict === 'WA' ? 0 : 1,
  signal: null,
  durationMs,
  cpuTimeMs: durationMs,
  memoryUsageMb: 3,
  timedOut: verdict === 'TLE',
  outputTruncated: false,
  expectedOutput: '3',
  errorMessage: verdict === 'RE' ? 'Runtime error: exit code 1' : null,
});

const subRequested = () => subWhen([], requestSubmission());

describe('submission decider', () => {
  it('needs at least one test case', () => {
    expect(errorOf(() => subWhen([], requestSubmission({ testCaseCount: 0 })))).toBe('422 PROBLEM_NO_TEST_CASES');
  });

  it('records judged tests once each, marking hidden ones and deriving passed / actual output', () => {
    const given = subRequested();
    const first = subWhen(given, { type: 'JudgeTests', results: [judged(0, 'AC'), judged(2, 'RE', 'partial')] });
    expect(first).toHaveLength(1);
    const results = (first[0] as Extract<SubmissionEvent, { type: 'SubmissionTestsJudged' }>).data.results;
    expect(results.map((r) => [r.testCaseIndex, r.isHidden, r.passed, r.actualOutput])).toEqual([
      [0, false, true, '3'],
      [2, true, null, null],
    ]);
    // A retried job reports tests 0 and 2 again: only test 1 is new; out-of-range indexes are ignored.
    const again = subWhen([...given, ...first], { type: 'JudgeTests', results: [judged(0, 'WA'), judged(1, 'WA', '4\n'), judged(7, 'AC')] });
    expect((again[0] as Extract<SubmissionEvent, { type: 'SubmissionTestsJudged' }>).data.results.map((r) => [r.testCaseIndex, r.passed])).toEqual([[1, false]]);
    expect(subWhen([...given, ...first, ...again], { type: 'JudgeTests', results: [judged(1, 'AC')] })).toEqual([]);
  });

  it('completes with the counts and the first failing verdict, exactly once', () => {
    const given = [...subRequested(), ...subWhen(subRequested(), { type: 'JudgeTests', results: [judged(0, 'AC'), judged(1, 'WA', '4\n'), judged(2, 'TLE', '', 2000)] })];
    const done = subWhen(given, { type: 'CompleteSubmission', now: at(9), compile: { ok: true, durationMs: 0, error: null } });
    expect(done).toEqual([
      {
        type: 'SubmissionCompleted',
        data: {
          submissionId: 's1',
          problemId: 'p1',
          userId: 'u1',
          roomId: 'room1',
          sessionId: 'sess1',
          passed: 1,
          failed: 1,
          errors: 1,
          total: 3,
          accepted: false,
          totalDurationMs: 2020,
          status: 'completed',
          verdict: 'WA',
          compileDurationMs: 0,
          compileError: null,
          error: null,
          completedAt: at(9),
        },
      },
    ]);
    expect(subWhen([...given, ...done], { type: 'CompleteSubmission', now: at(10) })).toEqual([]);
    expect(subWhen([...given, ...done], { type: 'JudgeTests', results: [judged(0, 'AC')] })).toEqual([]);
  });

  it('is accepted only when every test passed', () => {
    const given = [...subRequested(), ...subWhen(subRequested(), { type: 'JudgeTests', results: [0, 1, 2].map((i) => judged(i, 'AC')) })];
    const [done] = subWhen(given, { type: 'CompleteSubmission', now: at(9) });
    expect(done?.data).toEqual(expect.objectContaining({ accepted: true, passed: 3, verdict: 'AC', status: 'completed' }));
  });

  it('refuses to complete with tests missing, unless the system failed — then the rest is IE and it is failed', () => {
    const given = [...subRequested(), ...subWhen(subRequested(), { type: 'JudgeTests', results: [judged(0, 'AC')] })];
    expect(errorOf(() => subWhen(given, { type: 'CompleteSubmission', now: at(9) }))).toBe('409 SUBMISSION_INCOMPLETE');
    const events = subWhen(given, { type: 'CompleteSubmission', now: at(9), failure: 'sandbox unavailable: bwrap missing' });
    expect(events.map((e) => e.type)).toEqual(['SubmissionTestsJudged', 'SubmissionCompleted']);
    const filled = (events[0] as Extract<SubmissionEvent, { type: 'SubmissionTestsJudged' }>).data.results;
    expect(filled.map((r) => [r.testCaseIndex, r.verdict, r.passed, r.isHidden])).toEqual([
      [1, 'IE', null, false],
      [2, 'IE', null, true],
    ]);
    expect(events[1]?.data).toEqual(
      expect.objectContaining({ status: 'failed', verdict: 'IE', accepted: false, passed: 1, errors: 2, error: 'sandbox unavailable: bwrap missing' }),
    );
    expect(fold(submissionDecider, [...given, ...events]).status).toBe('failed');
  });

  it('maps run verdicts to test verdicts', () => {
    expect(testVerdictOf('OK', true)).toBe('AC');
    expect(testVerdictOf('OK', false)).toBe('WA');
    expect(testVerdictOf('TLE', true)).toBe('TLE');
  });

  it('expires output once, after the retention period', () => {
    const given = [...subRequested(), ...subWhen(subRequested(), { type: 'JudgeTests', results: [0, 1, 2].map((i) => judged(i, 'AC')) })];
    const done = [...given, ...subWhen(given, { type: 'CompleteSubmission', now: at(0) })];
    expect(subWhen(done, { type: 'ExpireSubmissionOutput', now: at(3600), retentionMs: 86_400_000 })).toEqual([]);
    const expired = subWhen(done, { type: 'ExpireSubmissionOutput', now: at(86_400), retentionMs: 86_400_000 });
    expect(expired).toEqual([{ type: 'SubmissionOutputExpired', data: { submissionId: 's1', roomId: 'room1', expiredAt: at(86_400) } }]);
    expect(subWhen([...done, ...expired], { type: 'ExpireSubmissionOutput', now: at(99_999), retentionMs: 86_400_000 })).toEqual([]);
  });

  it('unknown submissions cannot be judged', () => {
    expect(errorOf(() => subWhen([], { type: 'JudgeTests', results: [] }))).toBe('404 SUBMISSION_NOT_FOUND');
    expect(errorOf(() => subWhen([], { type: 'CompleteSubmission', now: at(0) }))).toBe('404 SUBMISSION_NOT_FOUND');
  });
});
