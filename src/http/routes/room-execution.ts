/**
 * Running and submitting code in a room, and the room's run / submission history (
 * contract: paginated, newest first, participants only).
 *
 * Check order for run and submit: room exists (404 ROOM_NOT_FOUND) → active participant (403 ROOM_ACCESS_DENIED)
 * → editor unlocked, for everyone (409 ROOM_EDITOR_LOCKED) → capability (403 ROOM_PERMISSION_DENIED) → for a
 * submission the room's problem (404 PROBLEM_NOT_FOUND, 422 PROBLEM_NO_TEST_CASES) → the per-user rate limit
 * (429 EXECUTION_RATE_LIMIT / SUBMISSION_RATE_LIMIT) → queue breaker (503/504).
 */
import { Type } from '@sinclair/typebox';
import { authorizeExecution, authorizeRoomHistory } from '../../commands/execution/access.js';
import { executionCaps, requestRun, requestSubmission, submissionTarget } from '../../commands/execution/request.js';
import { LANGUAGES } from '../../domain/room/constants.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import { listRoomRuns, type RunRow } from '../../projections/runs/queries.js';
import { listRoomSubmissions, type SubmissionRow } from '../../projections/submissions/queries.js';
import type { AppContext } from '../../composition/context.js';
import type { RouteModule } from '../app.js';
import { requestMetadata } from '../command.js';
import { decodeCursor, pageOf, PageQuery, toPage } from '../pagination.js';
import { enforceLimit, principalOf } from '../plugins/auth.js';
import { Nullable } from '../schemas.js';
import type { App } from '../types.js';

const Params = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });
/** Text without NUL characters or lone surrogates (events and read models are jsonb and text in Postgres, which cannot
 * hold them). */
const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';
const Code = Type.String({ minLength: 1, pattern: STORABLE_TEXT });
export const LanguageSchema = Type.Union(LANGUAGES.map((l) => Type.Literal(l)));
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);
const NullableBoolean = Type.Union([Type.Boolean(), Type.Null()]);
const Status = Type.Union(['pending', 'running', 'completed', 'failed'].map((s) => Type.Literal(s)));

const RunAccepted = Type.Object({ jobId: Type.String(), staticAnalysisJobId: Nullable(Type.String()) });
const SubmissionAccepted = Type.Object({ submissionId: Type.String(), staticAnalysisJobId: Nullable(Type.String()) });

export const RunSummarySchema = Type.Object({
  runId: Type.String(),
  jobId: Type.String(),
  roomId: Type.String(),
  userId: Type.String(),
  language: Type.String(),
  code: Type.String(),
  status: Status,
  verdict: Nullable(Type.String()),
  exitCode: NullableInteger,
  durationMs: NullableInteger,
  cpuTimeMs: NullableInteger,
  memoryUsageMb: NullableNumber,
  timedOut: NullableBoolean,
  staticAnalysisJobId: Nullable(Type.String()),
  createdAt: Type.String(),
  completedAt: Nullable(Type.String()),
});

export const SubmissionSummarySchema = Type.Object({
  submissionId: Type.String(),
  roomId: Type.String(),
  userId: Type.String(),
  problemId: Type.String(),
  language: Type.String(),
  status: Status,
  verdict: Nullable(Type.String()),
  totalTestCases: Type.Integer(),
  passedTestCases: Type.Integer(),
  failedTestCases: Type.Integer(),
  errorTestCases: Type.Integer(),
  totalDurationMs: NullableInteger,
  staticAnalysisJobId: Nullable(Type.String()),
  submittedAt: Type.String(),
  completedAt: Nullable(Type.String()),
});

/** A [time ISO, uuid] cursor of these lists (decodeCursor checks the kinds), or 400 VALIDATION_FAILED. */
function keysetAfter(cursor: string | undefined): [string, string] | undefined {
  const values = decodeCursor(cursor, ['timestamp', 'uuid']);
  return values && [values[0] as string, values[1] as string];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function runSummary(r: RunRow) {
  return {
    runId: r.id,
    jobId: r.id,
    roomId: r.roomId,
    userId: r.userId,
    language: r.language,
    code: r.code,
    status: r.status,
    verdict: r.verdict,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    cpuTimeMs: r.cpuTimeMs,
    memoryUsageMb: r.memoryUsageMb,
    timedOut: r.timedOut,
    staticAnalysisJobId: r.staticAnalysisJobId,
    createdAt: iso(r.createdAt)!,
    completedAt: iso(r.completedAt),
  };
}

function submissionSummary(s: SubmissionRow) {
  return {
    submissionId: s.id,
    roomId: s.roomId,
    userId: s.userId,
    problemId: s.problemId,
    language: s.language,
    status: s.status,
    verdict: s.verdict,
    totalTestCases: s.totalTestCases,
    passedTestCases: s.passedTestCases,
    failedTestCases: s.failedTestCases,
    errorTestCases: s.errorTestCases,
    totalDurationMs: s.totalDurationMs,
    staticAnalysisJobId: s.staticAnalysisJobId,
    submittedAt: iso(s.submittedAt)!,
    completedAt: iso(s.completedAt),
  };
}

export const roomExecutionRoutes: RouteModule = (app, ctx) => {
  registerRoomExecutionRequests(app, ctx);
  registerRoomExecutionHistory(app, ctx);
};

/** A run or a submission of the room's code, authorized for the caller and rate limited per user. */
function registerRoomExecutionRequests(app: App, ctx: AppContext): void {
  const caps = executionCaps(ctx);

  app.post(
    '/rooms/:id/run',
    {
      schema: {
        tags: ['execution'],
        summary: 'Execute code (interactive run)',
        params: Params,
        body: Type.Object(
          {
            language: LanguageSchema,
            code: Code,
            stdin: Type.Optional(Type.String({ pattern: STORABLE_TEXT })),
            timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: caps.maxTimeoutMs })),
            memoryMb: Type.Optional(Type.Integer({ minimum: 1, maximum: caps.maxMemoryMb })),
          },
          { additionalProperties: false },
        ),
        response: { 202: RunAccepted },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const access = await authorizeExecution(ctx.db, request.params.id, principal.userId, 'code:run');
      await enforceLimit(ctx, reply, 'run', principal.userId, ctx.config.RATE_LIMIT_RUN_PER_MIN, 60, 'EXECUTION_RATE_LIMIT');
      const result = await requestRun(ctx, requestMetadata(request), access, principal.userId, request.body);
      return reply.code(202).send({ jobId: result.runId, staticAnalysisJobId: result.staticAnalysisJobId });
    },
  );

  app.post(
    '/rooms/:id/submit',
    {
      bodyLimit: ctx.config.SUBMIT_BODY_LIMIT_BYTES,
      schema: {
        tags: ['execution'],
        summary: 'Submit code against the test cases of the room’s problem',
        params: Params,
        // The body carries the code; limits come from the problem and its test cases.
        body: Type.Object({ language: LanguageSchema, code: Code }, { additionalProperties: false }),
        response: { 202: SubmissionAccepted },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const access = await authorizeExecution(ctx.db, request.params.id, principal.userId, 'code:submit');
      const target = await submissionTarget(ctx, access);
      await enforceLimit(ctx, reply, 'submit', principal.userId, ctx.config.RATE_LIMIT_SUBMIT_PER_MIN, 60, 'SUBMISSION_RATE_LIMIT');
      const result = await requestSubmission(ctx, requestMetadata(request), access, target, principal.userId, request.body);
      return reply.code(202).send(result);
    },
  );
}

/** The room's past runs and submissions, newest first, one page at a time. */
function registerRoomExecutionHistory(app: App, ctx: AppContext): void {
  app.get(
    '/rooms/:id/runs',
    {
      schema: {
        tags: ['execution'],
        summary: 'List past runs in this room',
        params: Params,
        querystring: Type.Object(PageQuery),
        response: { 200: pageOf(RunSummarySchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await authorizeRoomHistory(ctx.db, request.params.id, principal.userId);
      const { cursor, limit } = request.query;
      const after = keysetAfter(cursor);
      const rows = await listRoomRuns(ctx.db, request.params.id, limit, after);
      return toPage(rows, limit, runSummary, (r) => [iso(r.createdAt), r.id]);
    },
  );

  app.get(
    '/rooms/:id/submissions',
    {
      schema: {
        tags: ['execution'],
        summary: 'List past submissions in this room',
        params: Params,
        querystring: Type.Object(PageQuery),
        response: { 200: pageOf(SubmissionSummarySchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await authorizeRoomHistory(ctx.db, request.params.id, principal.userId);
      const { cursor, limit } = request.query;
      const after = keysetAfter(cursor);
      const rows = await listRoomSubmissions(ctx.db, request.params.id, limit, after);
      return toPage(rows, limit, submissionSummary, (s) => [iso(s.submittedAt), s.id]);
    },
  );
}
