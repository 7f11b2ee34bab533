/**
 * What the coach is told (docs/ai.md): built on the server from the read models, never from what the client claims.
 * Visible test cases travel with their input, expected and actual output; hidden ones only as a count per verdict
 * class. Alongside, the secret set — every hidden value of the problem and the program's output on hidden cases —
 * that answers are scrubbed against before they are stored.
 */
import { secretsOf, type HiddenCaseData, type SecretSet } from '../../domain/ai/hidden.js';
import type { CoachContext, ExecutionFacts, FailedCase, ProblemFacts } from '../../infra/llm/port.js';
import {
  hiddenActualOutputs,
  latestRunOf,
  latestSubmissionOf,
  problemTestCases,
  staticAnalysisOfCode,
  type TestCaseData,
} from '../../projections/ai-context/queries.js';
import { listGivenHints } from '../../projections/ai-hints/queries.js';
import { recentConversation } from '../../projections/ai-interviewer/queries.js';
import type { CoachProblemRow } from '../../projections/problems/queries.js';
import type { RunRow } from '../../projections/runs/queries.js';
import type { SubmissionRow, TestResultRow } from '../../projections/submissions/queries.js';
import type { Db } from '../../infra/db/database.js';

const MAX_TEXT = 2000;
const cut = (s: string | null | undefined) => (s === null || s === undefined ? null : s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

export function problemFacts(p: CoachProblemRow): ProblemFacts {
  return {
    title: p.title,
    description: p.description,
    constraints: p.constraints,
    difficulty: p.difficulty,
    tags: p.tags,
    examples: p.examples.map((e) => ({ input: e.input, output: e.output })),
    ladder: p.hints,
  };
}

function fromSubmission(s: SubmissionRow, tests: TestResultRow[], cases: TestCaseData[], code: string): ExecutionFacts {
  const failedVisible: FailedCase[] = [];
  const hiddenFailures: Record<string, number> = {};
  for (const t of tests) {
    if (t.verdict === 'AC') continue;
    if (t.isHidden) {
      hiddenFailures[t.verdict] = (hiddenFailures[t.verdict] ?? 0) + 1;
      continue;
    }
    const tc = cases.find((c) => c.index === t.testCaseIndex);
    failedVisible.push({
      number: t.testCaseIndex + 1,
      verdict: t.verdict,
      input: cut(tc?.input ?? '') ?? '',
      expected: cut(t.expectedOutput ?? tc?.expectedOutput ?? null),
      actual: cut(t.actualOutput ?? t.stdout),
      stderr: cut(t.stderr ?? t.errorMessage),
    });
  }
  return {
    source: 'submission',
    id: s.id,
    at: (s.completedAt ?? s.submittedAt).toISOString(),
    verdict: s.verdict,
    passed: s.passedTestCases,
    total: s.totalTestCases,
    sameCode: s.code === code,
    failedVisible,
    hiddenFailures,
    compileError: cut(s.compileError),
    stderr: failedVisible[0]?.stderr ?? null,
    stdin: null,
    stdout: null,
  };
}

function fromRun(r: RunRow, code: string): ExecutionFacts {
  return {
    source: 'run',
    id: r.id,
    at: (r.completedAt ?? r.createdAt).toISOString(),
    verdict: r.verdict,
    passed: 0,
    total: 0,
    sameCode: r.code === code,
    failedVisible: [],
    hiddenFailures: {},
    compileError: r.verdict === 'CE' ? cut(r.stderr ?? r.error) : null,
    stderr: cut(r.stderr),
    stdin: cut(r.stdin),
    stdout: cut(r.stdout),
  };
}

/** The latest execution that tells the most about this code: one that ran it exactly, else the newest. */
function pickExecution(run: ExecutionFacts | null, submission: ExecutionFacts | null): ExecutionFacts | null {
  const candidates = [submission, run].filter((e): e is ExecutionFacts => e !== null);
  const exact = candidates.filter((e) => e.sameCode).sort((a, b) => b.at.localeCompare(a.at));
  // A plain run that went fine says less than a judged submission of the same code.
  const informative = exact.find((e) => e.source === 'submission' || (e.verdict !== 'OK' && e.verdict !== null));
  if (informative) return informative;
  if (exact[0]) return exact[0];
  return candidates.sort((a, b) => b.at.localeCompare(a.at))[0] ?? null;
}

export interface ContextRequest {
  roomId: string;
  userId: string;
  problem: CoachProblemRow;
  code: string;
  language: string;
  phase: string;
}

export async function buildContext(db: Db, req: ContextRequest): Promise<{ context: CoachContext; secrets: SecretSet }> {
  const [cases, run, submission, analysis, hints, conversation, hiddenOutputs] = await Promise.all([
    problemTestCases(db, req.problem.id),
    latestRunOf(db, req.roomId, req.userId),
    latestSubmissionOf(db, req.roomId, req.userId),
    staticAnalysisOfCode(db, req.roomId, req.userId, req.code, req.language),
    listGivenHints(db, req.roomId, req.userId),
    recentConversation(db, req.roomId, req.userId),
    hiddenActualOutputs(db, req.roomId, req.userId, req.problem.id),
  ]);
  const submissionFacts = submission && submission.submission.problemId === req.problem.id ? fromSubmission(submission.submission, submission.tests, cases, req.code) : null;
  const context: CoachContext = {
    language: req.language,
    code: req.code,
    problem: problemFacts(req.problem),
    execution: pickExecution(run ? fromRun(run, req.code) : null, submissionFacts),
    analysis: analysis ? { diagnostics: analysis.diagnostics ?? [], complexity: analysis.complexity ?? [] } : null,
    phase: req.phase,
    previousHints: hints.map((h) => ({ level: h.level, hint: h.hint })),
    conversation,
  };
  const publicTexts = [
    req.problem.title,
    req.problem.description,
    req.problem.constraints ?? '',
    ...req.problem.examples.flatMap((e) => [e.input, e.output, e.explanation ?? '']),
    ...cases.filter((c) => !c.isHidden).flatMap((c) => [c.input, c.expectedOutput]),
    req.code,
  ];
  const hidden: HiddenCaseData[] = cases.filter((c) => c.isHidden).map((c) => ({ input: c.input, expectedOutput: c.expectedOutput, actualOutput: null }));
  for (const out of hiddenOutputs) hidden.push({ input: '', expectedOutput: null, actualOutput: out });
  return { context, secrets: secretsOf(hidden, publicTexts) };
}
