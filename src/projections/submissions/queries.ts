/** Reads of the `submissions` read model. Hidden test cases are redacted by the caller (see the routes). */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { after, orderBy } from '../keyset.js';
import { newestFirst, UUID } from '../runs/queries.js';

export interface SubmissionRow {
  id: string;
  roomId: string;
  sessionId: string | null;
  problemId: string;
  userId: string;
  language: string;
  code: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  verdict: string | null;
  attempts: number;
  totalTestCases: number;
  passedTestCases: number;
  failedTestCases: number;
  errorTestCases: number;
  totalDurationMs: number | null;
  compileDurationMs: number | null;
  compileError: string | null;
  error: string | null;
  outputExpiredAt: Date | null;
  staticAnalysisJobId: string | null;
  submittedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface TestResultRow {
  testCaseIndex: number;
  isHidden: boolean;
  verdict: string;
  passed: boolean | null;
  expectedOutput: string | null;
  actualOutput: string | null;
  stdout: string | null;
  stderr: string | null;
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  cpuTimeMs: number | null;
  memoryUsageMb: number | null;
  timedOut: boolean;
  outputTruncated: boolean;
  errorMessage: string | null;
}

const COLUMNS = sql`
  id, room_id AS "roomId", session_id AS "sessionId", problem_id AS "problemId", user_id AS "userId", language, code, status,
  verdict, attempts, total_test_cases AS "totalTestCases", passed_test_cases AS "passedTestCases",
  failed_test_cases AS "failedTestCases", error_test_cases AS "errorTestCases", total_duration_ms AS "totalDurationMs",
  compile_duration_ms AS "compileDurationMs", compile_error AS "compileError", error, output_expired_at AS "outputExpiredAt",
  static_analysis_job_id AS "staticAnalysisJobId", submitted_at AS "submittedAt", started_at AS "startedAt",
  completed_at AS "completedAt"`;

export async function findSubmission(db: Db, submissionId: string): Promise<SubmissionRow | undefined> {
  if (!UUID.test(submissionId)) return undefined;
  const { rows } = await sql<SubmissionRow>`SELECT ${COLUMNS} FROM submissions WHERE id = ${submissionId}`.execute(db);
  return rows[0];
}

/** Judged tests of a submission, by index. */
export async function findTestResults(db: Db, submissionId: string): Promise<TestResultRow[]> {
  const { rows } = await sql<TestResultRow>`
    SELECT test_case_index AS "testCaseIndex", is_hidden AS "isHidden", verdict, passed, expected_output AS "expectedOutput",
           actual_output AS "actualOutput", stdout, stderr, exit_code AS "exitCode", signal, duration_ms AS "durationMs",
           cpu_time_ms AS "cpuTimeMs", memory_usage_mb AS "memoryUsageMb", timed_out AS "timedOut",
           output_truncated AS "outputTruncated", error_message AS "errorMessage"
    FROM submission_test_results WHERE submission_id = ${submissionId} ORDER BY test_case_index`.execute(db);
  return rows;
}

const SUBMISSION_ORDER = newestFirst<SubmissionRow>('submitted_at', (submission) => submission.submittedAt);

/** A room's submissions, newest first; `cursor` is the [submittedAt ISO, id] of the last row of the previous page. */
export async function listRoomSubmissions(db: Db, roomId: string, limit: number, cursor?: [string, string]): Promise<SubmissionRow[]> {
  const { rows } = await sql<SubmissionRow>`
    SELECT ${COLUMNS} FROM submissions
    WHERE room_id = ${roomId} ${cursor ? sql`AND ${after(SUBMISSION_ORDER, cursor)}` : sql``}
    ORDER BY ${orderBy(SUBMISSION_ORDER)}
    LIMIT ${limit + 1}`.execute(db);
  return rows;
}
