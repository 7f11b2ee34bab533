/**
 * The AI coach and interviewer of a room — hints (three levels, follow-ups), interviewer turns (AI rooms),
 * code analysis, rubric review and their result polling. Requests answer 202 with a job id once the
 * request event is stored and queued; results are read from the AI read models.
 *
 * Check order: room (404 ROOM_NOT_FOUND) → active participant (403 ROOM_ACCESS_DENIED) → interviewer only: AI room
 * (409 ROOM_NOT_AI_MODE) and phase (400 ROOM_INVALID_STATE) → not an observer (403 ROOM_PERMISSION_DENIED) → a
 * problem (404 PROBLEM_NOT_FOUND) → the room's language (400 VALIDATION_FAILED) → rate limit (429 + Retry-After)
 * → queue (503 AI_SERVICE_UNAVAILABLE / 504 AI_SERVICE_TIMEOUT).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { authorizeAiRead, authorizeAiRequest } from '../../commands/ai/access.js';
import { requestCodeJob, requestHint, requestInterview } from '../../commands/ai/requests.js';
import { HINT_LEVELS } from '../../domain/ai/events.js';
import { DomainError } from '../../domain/shared/errors.js';
import { findCodeAnalysis } from '../../projections/ai-analyses/queries.js';
import { findHint } from '../../projections/ai-hints/queries.js';
import { findInterviewJob } from '../../projections/ai-interviewer/queries.js';
import { findReview } from '../../projections/ai-reviews/queries.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import type { AppContext } from '../../composition/context.js';
import type { RouteModule } from '../app.js';
import { requestMetadata } from '../command.js';
import { validationError } from '../errors.js';
import { enforceLimit, principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { aiTranscriptionRoute } from './ai-transcribe.js';
import { enumOf, LanguageSchema } from './room-views.js';

const STORABLE = '^[^\\u0000\\uD800-\\uDFFF]*$';
const Params = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });
const JobParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }), jobId: Type.String({ maxLength: 200 }) });
const Code = Type.String({ minLength: 1, maxLength: 16_000, pattern: STORABLE });
const Pending = Type.Object({ status: Type.Literal('pending'), jobId: Type.String() });
const Failed = Type.Object({ status: Type.Literal('failed'), jobId: Type.String() });
const OptionalNullable = (t: ReturnType<typeof Type.String>) => Type.Optional(Type.Union([t, Type.Null()]));

const jobNotFound = (what: string) => new DomainError('VALIDATION_FAILED/unknown-reference', `${what} job not found`, { fields: [{ field: 'jobId', constraint: 'exists', value: null }] });

/** A job the caller may poll: theirs, in this room. */
function ownJob<T extends { roomId: string; userId: string }>(row: T | undefined, roomId: string, userId: string, what: string): T {
  if (!row || row.roomId !== roomId || row.userId !== userId) throw jobNotFound(what);
  return row;
}

interface PollRoute<Row extends { roomId: string; userId: string }, Ready extends TSchema> {
  path: string;
  summary: string;
  /** The job's name in a 404 ("Hint job not found"). */
  what: string;
  /** The answer once the job is done; pending and failed answers are common to every job. */
  ready: Ready;
  find(db: AppContext['db'], jobId: string): Promise<Row | undefined>;
  answer(row: Row): Static<typeof Pending> | Static<typeof Failed> | Static<Ready>;
}

/** GET of an AI job's result: a reader of the room, polling a job of their own in it. */
function pollRoute<Row extends { roomId: string; userId: string }, Ready extends TSchema>(app: App, ctx: AppContext, route: PollRoute<Row, Ready>): void {
  app.get(route.path, {
    // Widened: a union over a generic schema has no static type fastify can resolve; `answer` is checked against the
    // route's own schema where it is written.
    schema: { tags, summary: route.summary, params: JobParams, response: { 200: Type.Union([Pending, Failed, route.ready]) as TSchema } },
  }, async (request) => {
    const { userId } = principalOf(request);
    await authorizeAiRead(ctx.db, request.params.id, userId);
    return route.answer(ownJob(await route.find(ctx.db, request.params.jobId), request.params.id, userId, route.what));
  });
}

const HintBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 50_000, pattern: STORABLE }),
    language: LanguageSchema,
    hintLevel: enumOf(HINT_LEVELS),
    followUpToHintId: Type.Optional(Type.String({ pattern: UUID_PATTERN })),
    reflectionResponse: Type.Optional(Type.String({ maxLength: 2000, pattern: STORABLE })),
    noReply: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const CodeContextBody = Type.Object(
  {
    language: Type.String({ minLength: 1, maxLength: 40 }),
    file: Type.String({ minLength: 1, maxLength: 120 }),
    codeSnippet: Type.String({ minLength: 1, maxLength: 4000 }),
    startLine: Type.Integer({ minimum: 1 }),
    endLine: Type.Integer({ minimum: 1 }),
    startColumn: Type.Optional(Type.Integer({ minimum: 0 })),
    endColumn: Type.Optional(Type.Integer({ minimum: 0 })),
    cursorLine: Type.Optional(Type.Integer({ minimum: 0 })),
    cursorColumn: Type.Optional(Type.Integer({ minimum: 0 })),
    questionType: Type.Optional(Type.String({ maxLength: 60 })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 160 })),
  },
  { additionalProperties: false },
);

const Seconds = Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 }));
const InterviewBody = Type.Object(
  {
    trigger: Type.Optional(enumOf(['user_message', 'proactive'] as const)),
    userMessage: Type.Optional(Type.String({ maxLength: 2000, pattern: STORABLE })),
    conversationHistory: Type.Array(Type.Object({ role: enumOf(['user', 'assistant'] as const), content: Type.String({ maxLength: 4000 }) }, { additionalProperties: false }), { maxItems: 40 }),
    currentCode: Type.String({ maxLength: 16_000, pattern: STORABLE }),
    codeContext: CodeContextBody,
    latestExecutionSummary: Type.Optional(Type.Unknown()),
    codeAnalysisContext: Type.Optional(Type.Unknown()),
    interactionSignals: Type.Optional(
      Type.Object(
        {
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
          roomStatus: Type.Optional(Type.String({ maxLength: 20 })),
          elapsedSeconds: Seconds,
          secondsSinceLastUserMessage: Seconds,
          secondsSinceLastAssistantMessage: Seconds,
          secondsSinceLastEditorActivity: Seconds,
          recentEditorChanges: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
          hintCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
    responseLanguage: Type.Optional(enumOf(['en', 'zh'] as const)),
  },
  { additionalProperties: false },
);

const CodeBody = Type.Object({ code: Code, language: LanguageSchema }, { additionalProperties: false });
const Annotation = Type.Object({ line: Type.Integer(), comment: Type.String() });
const CodeContextOut = Type.Object({ language: Type.String(), file: Type.String(), codeSnippet: Type.String(), startLine: Type.Integer(), endLine: Type.Integer() });

/** A follow-up needs a reflection or `noReply: true`; an initial hint may carry neither (400 on followUpToHintId). */
function checkFollowUpRule(body: { followUpToHintId?: string | undefined; reflectionResponse?: string | undefined; noReply?: boolean | undefined }): void {
  const reflected = Boolean(body.reflectionResponse?.trim()) || body.noReply === true;
  if (body.followUpToHintId ? !reflected : reflected) {
    throw validationError(
      [{ field: 'followUpToHintId', constraint: 'followUp', value: body.followUpToHintId ?? null }],
      body.followUpToHintId ? 'A follow-up needs a reflection or noReply' : 'A reflection belongs to a follow-up (followUpToHintId)',
    );
  }
}

const tags = ['ai'];

function hintRoutes(app: App, ctx: AppContext): void {
  app.post('/rooms/:id/ai/hint', {
    schema: { tags, summary: 'Request a hint', params: Params, body: HintBody, response: { 202: Type.Object({ jobId: Type.String(), hintId: Type.String(), phase: enumOf(['initial', 'follow_up'] as const) }) } },
  }, async (request, reply) => {
    const { userId } = principalOf(request);
    checkFollowUpRule(request.body);
    const access = await authorizeAiRequest(ctx.db, request.params.id, userId, { language: request.body.language });
    return reply.code(202).send(await requestHint(ctx, requestMetadata(request), access, userId, request.body));
  });

  pollRoute(app, ctx, {
    path: '/rooms/:id/ai/hint/:jobId',
    summary: 'Get a hint result',
    what: 'Hint',
    ready: Type.Object({
      status: Type.Literal('ready'), jobId: Type.String(), hintId: Type.String(), phase: Type.String(), hint: Type.String(),
      level: Type.String(), model: Type.String(), suggestedApproach: Type.Optional(Type.String()), reflectionPrompt: Type.Optional(Type.String()),
    }),
    find: findHint,
    answer(h) {
      if (h.status !== 'ready') return { status: h.status, jobId: h.id };
      return {
        status: 'ready' as const, jobId: h.id, hintId: h.id, phase: h.phase, hint: h.hint, level: h.level, model: h.model ?? '',
        ...(h.suggestedApproach ? { suggestedApproach: h.suggestedApproach } : {}),
        ...(h.reflectionPrompt ? { reflectionPrompt: h.reflectionPrompt } : {}),
      };
    },
  });

}

function interviewRoutes(app: App, ctx: AppContext): void {
  app.post('/rooms/:id/ai/interview', {
    schema: { tags, summary: 'Send a message to the AI interviewer', params: Params, body: InterviewBody, response: { 202: Type.Object({ jobId: Type.String() }) } },
  }, async (request, reply) => {
    const { userId } = principalOf(request);
    const body = request.body;
    const trigger = body.trigger ?? 'user_message';
    if (trigger === 'user_message' && !body.userMessage?.trim()) {
      throw validationError([{ field: 'userMessage', constraint: 'required', value: body.userMessage ?? null }], 'userMessage is required for a user_message turn');
    }
    const access = await authorizeAiRequest(ctx.db, request.params.id, userId, { interviewer: true });
    await enforceLimit(ctx, reply, 'ai-message', `${userId}:${access.access.room.id}`, ctx.config.RATE_LIMIT_AI_MESSAGES_PER_MIN, 60, 'AI_MESSAGE_RATE_LIMIT');
    const signals = body.interactionSignals ?? {};
    const result = await requestInterview(ctx, requestMetadata(request), access, userId, {
      trigger,
      userMessage: trigger === 'user_message' ? body.userMessage!.trim() : null,
      code: body.currentCode,
      language: access.access.room.language ?? body.codeContext.language,
      codeContext: { language: body.codeContext.language, file: body.codeContext.file, codeSnippet: body.codeContext.codeSnippet, startLine: body.codeContext.startLine, endLine: body.codeContext.endLine },
      reason: signals.reason ?? body.codeContext.reason ?? null,
      secondsSinceLastEditorActivity: signals.secondsSinceLastEditorActivity ?? null,
      secondsSinceLastUserMessage: signals.secondsSinceLastUserMessage ?? null,
    });
    return reply.code(202).send(result);
  });

  pollRoute(app, ctx, {
    path: '/rooms/:id/ai/interview/:jobId',
    summary: 'Poll an AI interviewer reply',
    what: 'Interview',
    ready: Type.Object({
      status: Type.Literal('ready'), jobId: Type.String(), shouldRespond: Type.Boolean(), model: Type.String(),
      message: Type.Optional(Type.String()), followUpQuestion: Type.Optional(Type.String()), codeContext: Type.Optional(CodeContextOut),
      codeAnnotations: Type.Optional(Type.Array(Annotation)), audioUrl: OptionalNullable(Type.String()),
    }),
    find: findInterviewJob,
    answer(j) {
      if (j.status !== 'ready') return { status: j.status, jobId: j.jobId };
      if (!j.shouldRespond) return { status: 'ready' as const, jobId: j.jobId, shouldRespond: false, model: j.model ?? '' };
      return {
        status: 'ready' as const, jobId: j.jobId, shouldRespond: true, model: j.model ?? '', message: j.message ?? j.followUpQuestion ?? '',
        ...(j.followUpQuestion ? { followUpQuestion: j.followUpQuestion } : {}),
        ...(j.codeContext ? { codeContext: j.codeContext } : {}),
        codeAnnotations: j.codeAnnotations ?? [],
        audioUrl: null,
      };
    },
  });

}

function codeRequestRoutes(app: App, ctx: AppContext): void {
  for (const kind of ['analysis', 'review'] as const) {
    const path = kind === 'analysis' ? '/rooms/:id/ai/code-analysis' : '/rooms/:id/ai/review';
    app.post(path, {
      schema: { tags, summary: kind === 'analysis' ? 'Request a code analysis' : 'Request a code review', params: Params, body: CodeBody, response: { 202: Type.Object({ jobId: Type.String() }) } },
    }, async (request, reply) => {
      const { userId } = principalOf(request);
      const access = await authorizeAiRequest(ctx.db, request.params.id, userId, { language: request.body.language });
      await enforceLimit(ctx, reply, `ai-${kind}`, `${userId}:${access.access.room.id}`, ctx.config.RATE_LIMIT_AI_ANALYSIS_PER_5MIN, 300, 'AI_CODE_ANALYSIS_RATE_LIMIT');
      return reply.code(202).send(await requestCodeJob(ctx, requestMetadata(request), access, userId, kind, request.body));
    });
  }

}

function codeResultRoutes(app: App, ctx: AppContext): void {
  pollRoute(app, ctx, {
    path: '/rooms/:id/ai/code-analysis/:jobId',
    summary: 'Get a code analysis result',
    what: 'Code analysis',
    ready: Type.Object({
      status: Type.Literal('ready'), jobId: Type.String(), summary: Type.String(), model: Type.String(),
      focusAreas: Type.Object({ complexity: Type.String(), edgeCases: Type.String(), readability: Type.String() }),
      followUpQuestions: Type.Array(Type.String()),
    }),
    find: findCodeAnalysis,
    answer(a) {
      if (a.status !== 'ready' || !a.result) return { status: a.status === 'ready' ? 'failed' : a.status, jobId: a.jobId };
      return { status: 'ready' as const, jobId: a.jobId, model: a.model ?? '', ...a.result };
    },
  });
  pollRoute(app, ctx, {
    path: '/rooms/:id/ai/review/:jobId',
    summary: 'Get a code review result',
    what: 'Review',
    ready: Type.Object({
      status: Type.Literal('ready'), jobId: Type.String(), overallScore: Type.Integer({ minimum: 0, maximum: 100 }), model: Type.String(),
      categories: Type.Array(Type.Object({ name: Type.String(), score: Type.Integer({ minimum: 0, maximum: 100 }), feedback: Type.String() })),
      summary: Type.String(),
    }),
    find: findReview,
    answer(r) {
      if (r.status !== 'ready' || r.overallScore === null) return { status: r.status === 'ready' ? 'failed' : r.status, jobId: r.jobId };
      const clamp = (n: number) => Math.max(0, Math.min(100, Math.round(n)));
      return {
        status: 'ready' as const, jobId: r.jobId, overallScore: r.overallScore, model: r.model ?? '', summary: r.summary ?? '',
        categories: (r.categories ?? []).map((c) => ({ name: c.name, score: clamp(c.score), feedback: c.feedback })),
      };
    },
  });
}

export const aiRoutes: RouteModule = (app, ctx) => {
  hintRoutes(app, ctx);
  interviewRoutes(app, ctx);
  codeRequestRoutes(app, ctx);
  codeResultRoutes(app, ctx);
  aiTranscriptionRoute(app, ctx);
};
