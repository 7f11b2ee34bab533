/**
 * Read-only queries the AI plane builds its context from: the user's latest run and submission in a room, a
 * submission's judged tests, and the hidden data of a problem (only ever used to scrub answers, never to prompt).
 * These read tables other projections own (runs, submissions, problems); they write nothing.
 */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { findRun, type RunRow } from '../runs/queries.js';
import { findSubmission, findTestResults, type SubmissionRow, type TestResultRow } from '../submissions/queries.js';

export async function latestRunOf(db: Db, roomId: string, userId: string): Promise<RunRow | undefined> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM runs WHERE room_id = ${roomId} AND user_id = ${userId} AND status IN ('completed', 'failed')
    ORDER BY created_at DESC, id DESC LIMIT 1`.execute(db);
  return rows[0] ? findRun(db, rows[0].id) : undefined;
}

export async function latestSubmissionOf(db: Db, roomId: string, userId: string): Promise<{ submission: SubmissionRow; tests: TestResultRow[] } | undefined> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM submissions WHERE room_id = ${roomId} AND user_id = ${userId} AND status IN ('completed', 'failed')
    ORDER BY submitted_at DESC, id DESC LIMIT 1`.execute(db);
  if (!rows[0]) return undefined;
  const submission = await findSubmission(db, rows[0].id);
  return submission ? { submission, tests: await findTestResults(db, submission.id) } : undefined;
}

export interface TestCaseData {
  index: number;
  input: string;
  expectedOutput: string;
  isHidden: boolean;
}

export async function problemTestCases(db: Db, problemId: string): Promise<TestCaseData[]> {
  const { rows } = await sql<TestCaseData>`
    SELECT idx AS index, input, expected_output AS "expectedOutput", is_hidden AS "isHidden"
    FROM problem_test_cases WHERE problem_id = ${problemId} ORDER BY idx`.execute(db);
  return rows;
}

/** Outputs the user's programs printed on hidden cases of this problem in this room (to scrub them from answers). */
export async function hiddenActualOutputs(db: Db, roomId: string, userId: string, problemId: string): Promise<string[]> {
  const { rows } = await sql<{ out: string | null }>`
    SELECT COALESCE(t.actual_output, t.stdout) AS out FROM submission_test_results t JOIN submissions s ON s.id = t.submission_id
    WHERE s.room_id = ${roomId} AND s.user_id = ${userId} AND s.problem_id = ${problemId} AND t.is_hidden
    ORDER BY s.submitted_at DESC LIMIT 200`.execute(db);
  return rows.map((r) => r.out).filter((o): o is string => Boolean(o && o.trim()));
}

export interface StaticFindingsRow {
  diagnostics: Array<{ line: number | null; severity: string; message: string; rule: string | null }>;
  complexity: Array<{ functionName: string; startLine: number; endLine: number | null; cyclomaticComplexity: number }>;
}

/** The newest completed static analysis of exactly this code by the user in the room. */
export async function staticAnalysisOfCode(db: Db, roomId: string, userId: string, code: string, language: string): Promise<StaticFindingsRow | undefined> {
  const { rows } = await sql<{ report: StaticFindingsRow | null }>`
    SELECT a.report FROM static_analysis_results a
    LEFT JOIN runs r ON r.id = a.run_id LEFT JOIN submissions s ON s.id = a.submission_id
    WHERE a.room_id = ${roomId} AND a.user_id = ${userId} AND a.status = 'completed' AND a.language = ${language}
      AND COALESCE(r.code, s.code) = ${code}
    ORDER BY a.completed_at DESC LIMIT 1`.execute(db);
  return rows[0]?.report ?? undefined;
}
