/**
 * Polling: run results and status, submission details, static-analysis results, and the published
 * toolchain versions (`GET /execution/languages`).
 *
 * Access: a run is readable by its owner, an admin, or an active non-removed participant of its room holding
 * `code:view` (else 404 EXECUTION_JOB_NOT_FOUND); a submission by its owner only (404 SUBMISSION_NOT_FOUND); an
 * analysis by its owner only, no admin bypass (404 ANALYSIS_JOB_NOT_FOUND). Hidden test cases never show their
 * expected output, actual output, stdout or stderr to a non-admin.
 */
import { Type } from '@sinclair/typebox';
import { canViewRoomCode } from '../../commands/execution/access.js';
import { executionCaps } from '../../commands/execution/request.js';
import { DomainError } from '../../domain/shared/errors.js';
import { languageVersions, probeSandbox } from '../../infra/sandbox/index.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import { findRun, type RunRow } from '../../projections/runs/queries.js';
import { findStaticAnalysis, type StaticAnalysisRow } from '../../projections/static-analysis/queries.js';
import { findSubmission, findTestResults, type SubmissionRow, type TestResultRow } from '../../projections/submissions/queries.js';
import type { Principal } from '../../composition/principal.js';
import type { RouteModule } from '../app.js';
import { principalOf } from '../plugins/auth.js';
import type { AppContext } from '../../composition/context.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const JobParams = Type.Object({ jobId: Type.String({ pattern: UUID_PATTERN }) });
const JobStatus = Type.Union(['queued', 'running', 'completed', 'failed'].map((s) => Type.Literal(s)));

/** `{jobId, status}` while queued or running; the ExecutionResult (and more) once done. */
const ExecutionResultSchema = Type.Object({
  jobId: Type.String(),
  status: JobStatus,
  runId: Type.Optional(Type.String()),
  stdout: Type.Optional(Type.String()),
  stderr: Type.Optional(Type.String()),
  exitCode: Type.Optional(Type.Integer()),
  durationMs: Type.Optional(Type.Number()),
  timedOut: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
  cpuTimeMs: Type.Optional(Type.Number()),
  memoryUsageMb: Type.Optional(NullableNumber),
  outputTruncated: Type.Optional(Type.Boolean()),
  verdict: Type.Optional(Type.String()),
  signal: Type.Optional(NullableString),
  compileDurationMs: Type.Optional(Type.Number()),
  language: Type.Optional(Type.String()),
  /** stdout/stderr were dropped after the retention period (they read as empty). */
  outputExpired: Type.Optional(Type.Boolean()),
  completedAt: Type.Optional(Type.String()),
});

const TestCaseResultSchema = Type.Object({
  testCaseIndex: Type.Integer(),
  isHidden: Type.Boolean(),
  verdict: Type.String(),
  passed: Type.Union([Type.Boolean(), Type.Null()]),
  expectedOutput: NullableString,
  actualOutput: NullableString,
  stdout: NullableString,
  stderr: NullableString,
  exitCode: NullableInteger,
  durationMs: NullableNumber,
  memoryUsageMb: NullableNumber,
  timedOut: Type.Boolean(),
  outputTruncated: Type.Boolean(),
  errorMessage: NullableString,
});

const SubmissionDetailsSchema = Type.Object({
  submissionId: Type.String(),
  roomId: Type.String(),
  problemId: Type.String(),
  language: Type.String(),
  code: Type.String(),
  status: Type.Union(['pending', 'running', 'completed', 'failed'].map((s) => Type.Literal(s))),
  verdict: NullableString,
  accepted: Type.Boolean(),
  totalTestCases: Type.Integer(),
  passedTestCases: Type.Integer(),
  failedTestCases: Type.Integer(),
  errorTestCases: Type.Integer(),
  totalDurationMs: NullableNumber,
  compileError: NullableString,
  error: NullableString,
  outputExpired: Type.Boolean(),
  staticAnalysisJobId: NullableString,
  submittedAt: Type.String(),
  completedAt: NullableString,
  testCases: Type.Array(TestCaseResultSchema),
});

const Diagnostic = Type.Object({
  tool: Type.String(),
  rule: NullableString,
  severity: Type.String(),
  message: Type.String(),
  file: NullableString,
  line: NullableInteger,
  column: NullableInteger,
});
const StaticAnalysisSchema = Type.Object({
  jobId: Type.String(),
  source: Type.String(),
  runId: NullableString,
  submissionId: NullableString,
  language: Type.String(),
  createdAt: Type.String(),
  completedAt: NullableString,
  status: Type.Union(['pending', 'completed', 'failed'].map((s) => Type.Literal(s))),
  summary: Type.Optional(
    Type.Object({
      diagnosticCount: Type.Integer(),
      errorCount: Type.Integer(),
      warningCount: Type.Integer(),
      maxCyclomaticComplexity: NullableInteger,
      highComplexityCount: Type.Integer(),
      duplicationCount: Type.Integer(),
      toolFailureCount: Type.Integer(),
    }),
  ),
  diagnostics: Type.Optional(Type.Array(Diagnostic)),
  complexity: Type.Optional(
    Type.Array(
      Type.Object({
        tool: Type.String(),
        functionName: Type.String(),
        file: NullableString,
        startLine: Type.Integer(),
        endLine: NullableInteger,
        cyclomaticComplexity: Type.Integer(),
      }),
    ),
  ),
  duplications: Type.Optional(
    Type.Array(
      Type.Object({
        tool: Type.String(),
        lines: Type.Integer(),
        tokens: NullableInteger,
        occurrences: Type.Array(Type.Object({ file: NullableString, startLine: Type.Integer(), endLine: NullableInteger })),
      }),
    ),
  ),
  toolResults: Type.Optional(
    Type.Array(
      Type.Object({
        tool: Type.String(),
        status: Type.String(),
        exitCode: NullableInteger,
        durationMs: Type.Number(),
        timedOut: Type.Boolean(),
        error: Type.Optional(Type.String()),
      }),
    ),
  ),
  error: Type.Optional(NullableString),
});

const LanguagesSchema = Type.Object({
  data: Type.Array(Type.Object({ language: Type.String(), toolchain: Type.String(), version: NullableString })),
  sandboxAvailable: Type.Boolean(),
  limits: Type.Object({
    defaultTimeoutMs: Type.Integer(),
    maxTimeoutMs: Type.Integer(),
    defaultMemoryMb: Type.Integer(),
    maxMemoryMb: Type.Integer(),
  }),
});

const jobNotFound = () => new DomainError('EXECUTION_JOB_NOT_FOUND', 'Execution job not found');

/** The run, when the caller may poll it (owner, admin, or a room participant with `code:view`). */
async function visibleRun(ctx: AppContext, principal: Principal, jobId: string): Promise<RunRow> {
  const run = await findRun(ctx.db, jobId);
  if (!run) throw jobNotFound();
  if (run.userId === principal.userId || principal.role === 'admin') return run;
  if (await canViewRoomCode(ctx.db, run.roomId, principal.userId)) return run;
  throw jobNotFound();
}

export function jobStatusOf(run: RunRow): 'queued' | 'running' | 'completed' | 'failed' {
  return run.status === 'pending' ? 'queued' : run.status;
}

function executionResult(run: RunRow) {
  const status = jobStatusOf(run);
  if (status === 'queued' || status === 'running') return { jobId: run.id, status };
  return {
    jobId: run.id,
    runId: run.id,
    status: run.resultStatus ?? 'failed',
    stdout: run.stdout ?? '',
    stderr: run.stderr ?? '',
    exitCode: run.exitCode ?? -1,
    durationMs: run.durationMs ?? 0,
    timedOut: run.timedOut ?? false,
    ...(run.error ? { error: run.error } : {}),
    cpuTimeMs: run.cpuTimeMs ?? 0,
    memoryUsageMb: run.memoryUsageMb,
    outputTruncated: run.outputTruncated ?? false,
    verdict: run.verdict ?? 'IE',
    signal: run.signal,
    compileDurationMs: run.compileDurationMs ?? 0,
    language: run.language,
    outputExpired: run.outputExpiredAt !== null,
    completedAt: run.completedAt ? new Date(run.completedAt).toISOString() : new Date(0).toISOString(),
  };
}

/** A hidden case keeps its verdict and timings; its data and outputs are for admins only. */
export function redactTestCase(t: TestResultRow, isAdmin: boolean) {
  const hide = t.isHidden && !isAdmin;
  return {
    testCaseIndex: t.testCaseIndex,
    isHidden: t.isHidden,
    verdict: t.verdict,
    passed: t.passed,
    expectedOutput: hide ? null : t.expectedOutput,
    actualOutput: hide ? null : t.actualOutput,
    stdout: hide ? null : t.stdout,
    stderr: hide ? null : t.stderr,
    exitCode: t.exitCode,
    durationMs: t.durationMs,
    memoryUsageMb: t.memoryUsageMb,
    timedOut: t.timedOut,
    outputTruncated: t.outputTruncated,
    errorMessage: t.errorMessage,
  };
}

/** A static analysis job as its owner sees it: pending, or its summary and full report. */
function staticAnalysisView(row: StaticAnalysisRow) {
  const base = {
    jobId: row.jobId,
    source: row.source,
    runId: row.runId,
    submissionId: row.submissionId,
    language: row.language,
    createdAt: new Date(row.createdAt).toISOString(),
    completedAt: row.completedAt ? new Date(row.completedAt).toISOString() : null,
  };
  if (row.status === 'pending') return { ...base, status: 'pending' as const };
  return {
    ...base,
    status: row.status,
    summary: {
      diagnosticCount: row.diagnosticCount ?? 0,
      errorCount: row.errorCount ?? 0,
      warningCount: row.warningCount ?? 0,
      maxCyclomaticComplexity: row.maxCyclomaticComplexity,
      highComplexityCount: row.highComplexityCount ?? 0,
      duplicationCount: row.duplicationCount ?? 0,
      toolFailureCount: row.toolFailureCount ?? 0,
    },
    diagnostics: row.report?.diagnostics ?? [],
    complexity: row.report?.complexity ?? [],
    duplications: row.report?.duplications ?? [],
    toolResults: row.report?.toolResults ?? [],
    error: row.errorMessage,
  };
}

/** A submission with its test cases; hidden cases' data only for an admin (redactTestCase). */
function submissionDetails(s: SubmissionRow, tests: TestResultRow[], isAdmin: boolean) {
  return {
    submissionId: s.id,
    roomId: s.roomId,
    problemId: s.problemId,
    language: s.language,
    code: s.code,
    status: s.status,
    verdict: s.verdict,
    accepted: s.status === 'completed' && s.passedTestCases === s.totalTestCases,
    totalTestCases: s.totalTestCases,
    passedTestCases: s.passedTestCases,
    failedTestCases: s.failedTestCases,
    errorTestCases: s.errorTestCases,
    totalDurationMs: s.totalDurationMs,
    compileError: s.compileError,
    error: s.error,
    outputExpired: s.outputExpiredAt !== null,
    staticAnalysisJobId: s.staticAnalysisJobId,
    submittedAt: new Date(s.submittedAt).toISOString(),
    completedAt: s.completedAt ? new Date(s.completedAt).toISOString() : null,
    testCases: tests.map((t) => redactTestCase(t, isAdmin)),
  };
}

export const executionRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/execution/languages',
    { schema: { tags: ['execution'], summary: 'Supported languages and toolchain versions', response: { 200: LanguagesSchema } } },
    async () => {
      const [versions, probe] = await Promise.all([languageVersions(), probeSandbox()]);
      const caps = executionCaps(ctx);
      return {
        data: versions,
        sandboxAvailable: probe.available,
        limits: {
          defaultTimeoutMs: Math.min(ctx.config.EXECUTION_DEFAULT_TIMEOUT_MS, caps.maxTimeoutMs),
          maxTimeoutMs: caps.maxTimeoutMs,
          defaultMemoryMb: Math.min(ctx.config.EXECUTION_DEFAULT_MEMORY_MB, caps.maxMemoryMb),
          maxMemoryMb: caps.maxMemoryMb,
        },
      };
    },
  );

  app.get(
    '/execution/static-analysis/:jobId',
    {
      config: { skipGlobalRateLimit: true },
      schema: { tags: ['execution'], summary: 'Static analysis result', params: JobParams, response: { 200: StaticAnalysisSchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      const row = await findStaticAnalysis(ctx.db, request.params.jobId);
      if (!row || row.userId !== principal.userId) throw new DomainError('ANALYSIS_JOB_NOT_FOUND', 'Static analysis job not found');
      return staticAnalysisView(row);
    },
  );

  app.get(
    '/execution/:jobId',
    {
      config: { skipGlobalRateLimit: true },
      schema: { tags: ['execution'], summary: 'Get execution result (single run)', params: JobParams, response: { 200: ExecutionResultSchema } },
    },
    async (request) => executionResult(await visibleRun(ctx, principalOf(request), request.params.jobId)),
  );

  app.get(
    '/execution/:jobId/status',
    {
      schema: { tags: ['execution'], summary: 'Execution job status', params: JobParams, response: { 200: Type.Object({ status: JobStatus }) } },
    },
    async (request) => ({ status: jobStatusOf(await visibleRun(ctx, principalOf(request), request.params.jobId)) }),
  );

  app.get(
    '/submissions/:submissionId',
    {
      schema: {
        tags: ['execution'],
        summary: 'Get submission status and aggregated results',
        params: Type.Object({ submissionId: Type.String({ pattern: UUID_PATTERN }) }),
        response: { 200: SubmissionDetailsSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const s = await findSubmission(ctx.db, request.params.submissionId);
      if (!s || s.userId !== principal.userId) throw new DomainError('SUBMISSION_NOT_FOUND', 'Submission not found');
      const tests = await findTestResults(ctx.db, s.id);
      return submissionDetails(s, tests, principal.role === 'admin');
    },
  );
};
