/**
 * The submission aggregate (`submission-<id>`): code judged against every test case of the room's problem.
 * Requested by a participant; the execution worker compiles once, judges tests (recorded in batches, so a worker
 * that dies mid-submission resumes with the tests not judged yet) and completes it. The problems module's
 * statistics read SubmissionRequested / SubmissionCompleted — their field names are a contract.
 *
 * Exactly-once completion: every test index is judged once and the submission completes once; a retried or
 * duplicated job decides nothing more.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { ExecutionVerdict, TestVerdictCode } from '../run/outcome.js';
import {
  decideAnalysis,
  evolveAnalysis,
  noAnalysis,
  pendingAnalysis,
  type AnalysisCommand,
  type AnalysisEvent,
  type AnalysisState,
} from '../run/static-analysis.js';

/** One judged test as the worker reports it. */
export interface JudgedTest {
  testCaseIndex: number;
  verdict: TestVerdictCode;
  stdout: string;
  stderr: string;
  /** null when the program did not run (compile error, internal error). */
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  cpuTimeMs: number | null;
  memoryUsageMb: number | null;
  timedOut: boolean;
  outputTruncated: boolean;
  expectedOutput: string | null;
  errorMessage: string | null;
}

/** A judged test as recorded: `passed` (true AC, false WA, null error) and whether the case is hidden. */
export interface TestJudgement extends JudgedTest {
  isHidden: boolean;
  passed: boolean | null;
  /** Trimmed stdout, only when the program ended normally (`actual`). */
  actualOutput: string | null;
}

export type SubmissionRequested = DomainEvent<
  'SubmissionRequested',
  {
    submissionId: string;
    roomId: string;
    sessionId: string | null;
    problemId: string;
    userId: string;
    language: string;
    code: string;
    codeHash: string;
    testCaseCount: number;
    /** Indexes of the hidden test cases when the submission was made (their data is never shown to non-admins). */
    hiddenTestIndexes: number[];
    staticAnalysisJobId: string | null;
    requestedAt: string;
  }
>;
export type SubmissionStarted = DomainEvent<
  'SubmissionStarted',
  { submissionId: string; roomId: string; attempt: number; startedAt: string }
>;
export type SubmissionTestsJudged = DomainEvent<
  'SubmissionTestsJudged',
  { submissionId: string; roomId: string; results: TestJudgement[] }
>;
export type SubmissionCompleted = DomainEvent<
  'SubmissionCompleted',
  {
    submissionId: string;
    problemId: string;
    userId: string;
    roomId: string;
    sessionId: string | null;
    passed: number;
    failed: number;
    errors: number;
    total: number;
    /** Every test passed. */
    accepted: boolean;
    totalDurationMs: number;
    /** `failed` only when the system could not judge it (verdict IE); a wrong answer is `completed`. */
    status: 'completed' | 'failed';
    /** AC, or the verdict of the first test that is not AC. */
    verdict: TestVerdictCode;
    compileDurationMs: number | null;
    compileError: string | null;
    error: string | null;
    completedAt: string;
  }
>;
export type SubmissionOutputExpired = DomainEvent<
  'SubmissionOutputExpired',
  { submissionId: string; roomId: string; expiredAt: string }
>;

export type SubmissionEvent =
  | SubmissionRequested
  | SubmissionStarted
  | SubmissionTestsJudged
  | SubmissionCompleted
  | SubmissionOutputExpired
  | AnalysisEvent;

export const SUBMISSION_EVENT_TYPES = [
  'SubmissionRequested',
  'SubmissionStarted',
  'SubmissionTestsJudged',
  'SubmissionCompleted',
  'SubmissionOutputExpired',
] as const satisfies readonly SubmissionEvent['type'][];

export interface CompileInfo {
  ok: boolean;
  durationMs: number;
  error: string | null;
}

export type SubmissionCommand =
  | {
      type: 'RequestSubmission';
      submissionId: string;
      roomId: string;
      sessionId: string | null;
      problemId: string;
      userId: string;
      language: string;
      code: string;
      codeHash: string;
      testCaseCount: number;
      hiddenTestIndexes: number[];
      staticAnalysisJobId: string | null;
      now: string;
    }
  | { type: 'StartSubmission'; attempt: number; now: string }
  | { type: 'JudgeTests'; results: JudgedTest[] }
  /**
   * Completes once every test is judged. With `failure` (the system could not judge: sandbox unavailable, job
   * could not be queued) the tests not judged yet are recorded as IE and the submission completes as failed.
   */
  | { type: 'CompleteSubmission'; now: string; compile?: CompileInfo; failure?: string }
  | { type: 'ExpireSubmissionOutput'; now: string; retentionMs: number }
  | AnalysisCommand;

export type SubmissionStatus = 'none' | 'pending' | 'running' | 'completed' | 'failed';

export interface SubmissionState {
  status: SubmissionStatus;
  submissionId: string | null;
  roomId: string | null;
  sessionId: string | null;
  problemId: string | null;
  userId: string | null;
  language: string | null;
  code: string | null;
  testCaseCount: number;
  hidden: number[];
  attempt: number;
  /** Judged tests by index. */
  judged: Record<number, TestJudgement>;
  completedAt: string | null;
  outputExpired: boolean;
  analysis: AnalysisState;
}

export const submissionStream = (submissionId: string) => `submission-${submissionId}`;

const notFound = () => new DomainError('SUBMISSION_NOT_FOUND', 'Submission not found');

const trimEnd = (s: string) => s.replace(/\r\n/g, '\n').trimEnd();

function passedOf(verdict: TestVerdictCode): boolean | null {
  return verdict === 'AC' ? true : verdict === 'WA' ? false : null;
}

function record(test: JudgedTest, isHidden: boolean): TestJudgement {
  const ranNormally = test.verdict === 'AC' || test.verdict === 'WA';
  return { ...test, isHidden, passed: passedOf(test.verdict), actualOutput: ranNormally ? trimEnd(test.stdout) : null };
}

function internallyFailed(index: number, isHidden: boolean, error: string): TestJudgement {
  return record(
    {
      testCaseIndex: index,
      verdict: 'IE',
      stdout: '',
      stderr: '',
      exitCode: null,
      signal: null,
      durationMs: null,
      cpuTimeMs: null,
      memoryUsageMb: null,
      timedOut: false,
      outputTruncated: false,
      expectedOutput: null,
      errorMessage: error,
    },
    isHidden,
  );
}

/** A run verdict as the verdict of a test whose output was compared: OK becomes AC or WA. */
export function testVerdictOf(run: ExecutionVerdict, outputMatched: boolean): TestVerdictCode {
  if (run !== 'OK') return run;
  return outputMatched ? 'AC' : 'WA';
}

type CommandOf<T extends SubmissionCommand['type']> = Extract<SubmissionCommand, { type: T }>;

/** Keeps only results for tests that exist and are not judged yet (first one wins within a batch). */
function judgeFreshTests(command: CommandOf<'JudgeTests'>, state: SubmissionState): SubmissionEvent[] {
  const seen = new Set<number>();
  const fresh = command.results.filter((r) => {
    const ok =
      Number.isInteger(r.testCaseIndex) &&
      r.testCaseIndex >= 0 &&
      r.testCaseIndex < state.testCaseCount &&
      !(r.testCaseIndex in state.judged) &&
      !seen.has(r.testCaseIndex);
    seen.add(r.testCaseIndex);
    return ok;
  });
  if (fresh.length === 0) return [];
  return [
    {
      type: 'SubmissionTestsJudged',
      data: {
        submissionId: state.submissionId!,
        roomId: state.roomId!,
        results: fresh.map((r) => record(r, state.hidden.includes(r.testCaseIndex))),
      },
    },
  ];
}

/** Tests never judged count as internal failures, allowed only when the run itself failed. */
function completeSubmission(command: CommandOf<'CompleteSubmission'>, state: SubmissionState): SubmissionEvent[] {
  const events: SubmissionEvent[] = [];
  const judged = { ...state.judged };
  const missing = [...Array(state.testCaseCount).keys()].filter((i) => !(i in judged));
  if (missing.length > 0) {
    if (!command.failure) {
      throw new DomainError('SUBMISSION_INCOMPLETE', `Tests ${missing.join(', ')} are not judged yet`);
    }
    const filled = missing.map((i) => internallyFailed(i, state.hidden.includes(i), command.failure!));
    for (const r of filled) judged[r.testCaseIndex] = r;
    events.push({ type: 'SubmissionTestsJudged', data: { submissionId: state.submissionId!, roomId: state.roomId!, results: filled } });
  }
  const tests = [...Array(state.testCaseCount).keys()].map((i) => judged[i]!);
  events.push({ type: 'SubmissionCompleted', data: completionOf(command, state, tests) });
  return events;
}

function completionOf(
  command: CommandOf<'CompleteSubmission'>,
  state: SubmissionState,
  tests: readonly TestJudgement[],
): SubmissionCompleted['data'] {
  const passed = tests.filter((t) => t.passed === true).length;
  const failed = tests.filter((t) => t.passed === false).length;
  const internal = tests.some((t) => t.verdict === 'IE');
  const firstBad = tests.find((t) => t.verdict !== 'AC');
  return {
    submissionId: state.submissionId!,
    problemId: state.problemId!,
    userId: state.userId!,
    roomId: state.roomId!,
    sessionId: state.sessionId,
    passed,
    failed,
    errors: tests.length - passed - failed,
    total: tests.length,
    accepted: passed === tests.length,
    totalDurationMs: tests.reduce((sum, t) => sum + (t.durationMs ?? 0), 0),
    status: internal ? 'failed' : 'completed',
    verdict: firstBad?.verdict ?? 'AC',
    compileDurationMs: command.compile?.durationMs ?? null,
    compileError: command.compile && !command.compile.ok ? command.compile.error : null,
    error: command.failure ?? (internal ? (tests.find((t) => t.verdict === 'IE')?.errorMessage ?? 'Internal error') : null),
    completedAt: command.now,
  };
}

export const submissionDecider: Decider<SubmissionCommand, SubmissionState, SubmissionEvent> = {
  initialState: () => ({
    status: 'none',
    submissionId: null,
    roomId: null,
    sessionId: null,
    problemId: null,
    userId: null,
    language: null,
    code: null,
    testCaseCount: 0,
    hidden: [],
    attempt: 0,
    judged: {},
    completedAt: null,
    outputExpired: false,
    analysis: noAnalysis(),
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'SubmissionRequested': {
        const d = event.data;
        return {
          ...state,
          status: 'pending',
          submissionId: d.submissionId,
          roomId: d.roomId,
          sessionId: d.sessionId,
          problemId: d.problemId,
          userId: d.userId,
          language: d.language,
          code: d.code,
          testCaseCount: d.testCaseCount,
          hidden: d.hiddenTestIndexes,
          analysis: pendingAnalysis(d.staticAnalysisJobId),
        };
      }
      case 'SubmissionStarted':
        return { ...state, status: 'running', attempt: Math.max(state.attempt, event.data.attempt) };
      case 'SubmissionTestsJudged': {
        const judged = { ...state.judged };
        for (const r of event.data.results) judged[r.testCaseIndex] = r;
        return { ...state, status: 'running', judged };
      }
      case 'SubmissionCompleted':
        return { ...state, status: event.data.status, completedAt: event.data.completedAt };
      case 'SubmissionOutputExpired':
        return { ...state, outputExpired: true };
      case 'StaticAnalysisCompleted':
      case 'StaticAnalysisDropped':
        return { ...state, analysis: evolveAnalysis(state.analysis, event) };
    }
  },

  decide(command, state) {
    const done = state.status === 'completed' || state.status === 'failed';
    switch (command.type) {
      case 'RequestSubmission': {
        if (state.status !== 'none') return [];
        if (command.testCaseCount < 1) {
          throw new DomainError('PROBLEM_NO_TEST_CASES', 'The problem has no test cases');
        }
        const { type: _t, now, ...data } = command;
        return [{ type: 'SubmissionRequested', data: { ...data, requestedAt: now } }];
      }
      case 'StartSubmission':
        if (state.status === 'none') throw notFound();
        if (done || command.attempt <= state.attempt) return [];
        return [
          {
            type: 'SubmissionStarted',
            data: { submissionId: state.submissionId!, roomId: state.roomId!, attempt: command.attempt, startedAt: command.now },
          },
        ];
      case 'JudgeTests':
        if (state.status === 'none') throw notFound();
        if (done) return [];
        return judgeFreshTests(command, state);
      case 'CompleteSubmission':
        if (state.status === 'none') throw notFound();
        if (done) return [];
        return completeSubmission(command, state);
      case 'ExpireSubmissionOutput':
        if (!done || state.outputExpired || !state.completedAt) return [];
        if (Date.parse(command.now) - Date.parse(state.completedAt) < command.retentionMs) return [];
        return [{ type: 'SubmissionOutputExpired', data: { submissionId: state.submissionId!, roomId: state.roomId!, expiredAt: command.now } }];
      case 'CompleteStaticAnalysis':
      case 'DropStaticAnalysis':
        if (state.status === 'none') throw notFound();
        return decideAnalysis(command, state.analysis);
    }
  },
};
