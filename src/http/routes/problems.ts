/**
 * Problems: list (filters, sorts, keyset cursors), tags, detail (weak ETag, hidden tests for admins
 * only), and the admin writes (create, update with If-Match, publish-status, soft delete).
 */
import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteModule } from '../app.js';
import { settle, requestMetadata } from '../command.js';
import { decodeCursor, pageOf, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import { type Difficulty, type ProblemContent, type ProblemTestCase } from '../../domain/problem/content.js';
import { assertCanManageProblems, assertCanSeeHiddenTests } from '../../domain/problem/permissions.js';
import { problemEtag, problemNotFound, type ProblemState } from '../../domain/problem/problem.js';
import { createProblem, deleteProblem, setPublished, updateProblem, type ProblemResult } from '../../commands/problems/problems.js';
import {
  getProblemDetail,
  listProblems,
  listTags,
  problemRevision,
  problemSortKeys,
  type AttemptFilter,
  type ProblemDetail,
} from '../../projections/problems/queries.js';
import { createReadCache } from '../../projections/read-cache.js';
import type { AppContext } from '../../composition/context.js';
import { ifNoneMatch } from '../etag.js';
import {
  CreateBody,
  IdParams,
  ListQuery,
  ProblemDetailSchema,
  ProblemSummarySchema,
  splitList,
  TestCaseBody,
  UpdateBody,
} from './problem-schemas.js';

type EditableBody = Partial<Static<typeof CreateBody>>;

const trimOrNull = (s: string | null | undefined) => (s === null || s === undefined ? null : s.trim() || null);

function testCaseFrom(tc: Static<typeof TestCaseBody>): ProblemTestCase {
  return {
    input: tc.input,
    expectedOutput: tc.expectedOutput,
    description: trimOrNull(tc.description),
    isHidden: tc.isHidden ?? false,
    timeoutMs: tc.timeoutMs ?? null,
    memoryMb: tc.memoryMb ?? null,
  };
}

/** Body fields → content fields: texts trimmed, `timeLimit`/`memoryLimit` named for their units. Test input and
 * expected output are kept exactly as sent (whitespace can matter on stdin); they only have to be non-blank. */
export function contentFromBody(body: EditableBody): Partial<ProblemContent> {
  const c: Partial<ProblemContent> = {};
  if (body.title !== undefined) c.title = body.title.trim();
  if (body.description !== undefined) c.description = body.description.trim();
  if (body.difficulty !== undefined) c.difficulty = body.difficulty as Difficulty;
  if (body.company !== undefined) c.company = trimOrNull(body.company);
  if (body.constraints !== undefined) c.constraints = trimOrNull(body.constraints);
  if (body.examples !== undefined) {
    c.examples = body.examples.map((e) => ({ input: e.input, output: e.output, ...(e.explanation !== undefined ? { explanation: e.explanation } : {}) }));
  }
  if (body.starterCode !== undefined) c.starterCode = body.starterCode as ProblemContent['starterCode'];
  if (body.timeLimit !== undefined) c.timeLimitMs = body.timeLimit;
  if (body.memoryLimit !== undefined) c.memoryLimitMb = body.memoryLimit;
  if (body.tags !== undefined) c.tags = body.tags;
  if (body.testCases !== undefined) c.testCases = body.testCases.map(testCaseFrom);
  if (body.hints !== undefined) {
    c.hints = body.hints === null ? null : { subtle: body.hints.subtle.trim(), moderate: body.hints.moderate.trim(), direct: body.hints.direct.trim() };
  }
  return c;
}

/** Detail of a problem right after an admin write, from the command's own state when the read model lags. */
function detailFromState(id: string, state: ProblemState): ProblemDetail {
  const c = state.content!;
  return {
    id,
    title: c.title,
    difficulty: c.difficulty,
    isPublished: state.isPublished,
    tags: c.tags,
    company: c.company,
    acceptanceRate: null,
    isBookmarked: false,
    attemptStatus: null,
    totalSubmissions: 0,
    updatedAt: new Date().toISOString(),
    testCaseCount: c.testCases.length,
    hiddenTestCaseCount: c.testCases.filter((t) => t.isHidden).length,
    description: c.description,
    constraints: c.constraints,
    examples: c.examples,
    testCases: c.testCases,
    starterCode: c.starterCode,
    timeLimit: c.timeLimitMs,
    memoryLimit: c.memoryLimitMb,
    userAttempts: 0,
    createdAt: new Date().toISOString(),
    hints: c.hints ?? null,
  };
}

const ifMatchOf = (request: FastifyRequest) => {
  const value = request.headers['if-match'];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Answer an admin write: wait for the read model, then the full detail (hidden tests included) with its ETag. */
async function answerWrite(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, id: string, result: ProblemResult): Promise<ProblemDetail> {
  await settle(ctx, result.position, result.events.map((e) => e.type));
  const principal = principalOf(request);
  const view = await getProblemDetail(ctx.db, id, { userId: principal.userId, isAdmin: true, includeHidden: true });
  const current = view !== undefined && BigInt(view.revision) >= BigInt(result.state.revision);
  reply.header('ETag', problemEtag(current ? view.revision : result.state.revision));
  return current ? view.detail : detailFromState(id, result.state);
}

// ------------------------------------------------------------------------------------------------ routes

/** The tables `listProblems` reads: a cached page stays valid while the projections owning them stand still. */
const LIST_TABLES = ['problems', 'problem_stats', 'problem_attempts', 'bookmarks'];

/** The content type fastify gives the JSON it serialises. */
const JSON_UTF8 = 'application/json; charset=utf-8';

export const problemRoutes: RouteModule = (app, ctx) => {
  problemListRoutes(app, ctx);
  problemDetailRoutes(app, ctx);
  problemWriteRoutes(app, ctx);
};

/** The problem list (cached per caller and query string, as the JSON answered) and the tags it can be filtered by. */
const problemListRoutes: RouteModule = (app, ctx) => {
  // A page is kept serialised (by the route's response schema, as fastify would): a repeated list costs neither
  // the rows' mapping, nor signing the next-page cursor, nor serialising 20 summaries again.
  const pages = createReadCache<string>(ctx.progress, {
    projections: ctx.projections.filter((p) => p.tables.some((t) => LIST_TABLES.includes(t))).map((p) => p.name),
    maxAgeMs: 5_000,
    maxEntries: 10_000,
  });
  app.get(
    '/problems',
    { schema: { tags: ['problems'], querystring: ListQuery, response: { 200: pageOf(ProblemSummarySchema) } } },
    async (request, reply) => {
      const principal = principalOf(request);
      const q = request.query;
      const sortBy = q.sortBy;
      const sortOrder = q.sortOrder;
      // The page depends on the caller (attempts, bookmarks, drafts for admins) and on the query string only.
      const key = `${principal.userId} ${principal.role} ${request.url}`;
      const page = await pages.get(key, async () => {
        const rows = await listProblems(ctx.db, {
          viewerId: principal.userId,
          drafts: principal.role === 'admin' && q.includeDrafts === true,
          difficulties: splitList(q.difficulty) as Difficulty[],
          statuses: splitList(q.status) as AttemptFilter[],
          tags: splitList(q.tags),
          ...(q.company !== undefined && q.company.trim() !== '' ? { company: q.company.trim() } : {}),
          ...(q.search !== undefined && q.search.trim() !== '' ? { search: q.search.trim() } : {}),
          sortBy,
          sortOrder,
          cursor: decodeCursor(q.cursor, problemSortKeys(sortBy, sortOrder).length),
          limit: q.limit,
        });
        return String(reply.serialize(toPage(rows, q.limit, (r) => r.item, (r) => r.cursor)));
      });
      return (reply as unknown as FastifyReply).type(JSON_UTF8).send(page);
    },
  );

  app.get(
    '/problems/tags',
    {
      schema: {
        tags: ['problems'],
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), count: Type.Integer() })) }) },
      },
    },
    async () => ({ data: await listTags(ctx.db) }),
  );
};

/** One problem's detail, revalidated cheaply by its ETag. */
const problemDetailRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/problems/:id',
    {
      schema: {
        tags: ['problems'],
        params: IdParams,
        querystring: Type.Object({ includeHidden: Type.Optional(Type.Boolean()) }),
        response: { 200: ProblemDetailSchema, 304: Type.Null() },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const includeHidden = request.query.includeHidden === true;
      if (includeHidden) assertCanSeeHiddenTests(principal.role);
      const conditional = request.headers['if-none-match'];
      if (conditional) {
        // Revalidation costs one indexed lookup: the full detail is read only when the client's copy is stale.
        const revision = await problemRevision(ctx.db, request.params.id, principal.role === 'admin');
        if (revision === undefined) throw problemNotFound();
        if (ifNoneMatch(conditional, problemEtag(revision))) {
          reply.header('ETag', problemEtag(revision));
          return reply.code(304).send(null);
        }
      }
      const view = await getProblemDetail(ctx.db, request.params.id, {
        userId: principal.userId,
        isAdmin: principal.role === 'admin',
        includeHidden,
      });
      if (!view) throw problemNotFound();
      const etag = problemEtag(view.revision);
      reply.header('ETag', etag);
      if (ifNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
      return view.detail;
    },
  );
};

/** Creating, editing, publishing and deleting problems (admins). */
const problemWriteRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/problems',
    { schema: { tags: ['problems'], body: CreateBody, response: { 201: ProblemDetailSchema } } },
    async (request, reply) => {
      assertCanManageProblems(principalOf(request).role);
      const body = request.body;
      const content = contentFromBody(body) as ProblemContent;
      const full: ProblemContent = {
        title: content.title,
        description: content.description,
        difficulty: content.difficulty,
        company: content.company ?? null,
        constraints: content.constraints ?? null,
        examples: content.examples ?? [],
        starterCode: content.starterCode ?? null,
        timeLimitMs: content.timeLimitMs ?? null,
        memoryLimitMb: content.memoryLimitMb ?? null,
        tags: content.tags ?? [],
        testCases: content.testCases,
        hints: content.hints ?? null,
      };
      const id = randomUUID();
      const result = await createProblem(ctx.store, requestMetadata(request), { problemId: id, slug: null, content: full, isPublished: body.isPublished });
      const detail = await answerWrite(ctx, request, reply, id, result);
      return reply.code(201).send(detail);
    },
  );

  app.patch(
    '/problems/:id',
    { schema: { tags: ['problems'], params: IdParams, body: UpdateBody, response: { 200: ProblemDetailSchema } } },
    async (request, reply) => {
      assertCanManageProblems(principalOf(request).role);
      const id = request.params.id;
      const result = await updateProblem(ctx.store, requestMetadata(request), {
        problemId: id,
        changes: contentFromBody(request.body as EditableBody),
        ifMatch: ifMatchOf(request),
      });
      return answerWrite(ctx, request, reply, id, result);
    },
  );

  app.patch(
    '/problems/:id/publish-status',
    {
      schema: {
        tags: ['problems'],
        params: IdParams,
        body: Type.Object({ isPublished: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: ProblemDetailSchema },
      },
    },
    async (request, reply) => {
      assertCanManageProblems(principalOf(request).role);
      const id = request.params.id;
      const result = await setPublished(ctx.store, requestMetadata(request), { problemId: id, isPublished: request.body.isPublished, ifMatch: ifMatchOf(request) });
      return answerWrite(ctx, request, reply, id, result);
    },
  );

  app.delete('/problems/:id', { schema: { tags: ['problems'], params: IdParams } }, async (request, reply) => {
    assertCanManageProblems(principalOf(request).role);
    const result = await deleteProblem(ctx.store, ctx.db, requestMetadata(request), request.params.id);
    await settle(ctx, result.position, result.events.map((e) => e.type));
    return reply.code(204).send();
  });
};
