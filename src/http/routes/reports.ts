/**
 * Training reports over HTTP: the caller's report of a session (strong ETag, 304 on If-None-Match), comparison of
 * several sessions' reports, and cross-session weakness tracking. Reports are the caller's own, admins included.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DIMENSIONS, type Dimension } from '../../domain/report/types.js';
import { DomainError } from '../../domain/shared/errors.js';
import { statusOf } from '../error-status.js';
import { completedReports, findReport, reportBody, wasCandidate } from '../../projections/reports/queries.js';
import { UUID } from '../../projections/rooms/queries.js';
import { listWeaknesses } from '../../projections/weaknesses/queries.js';
import type { AppContext } from '../../composition/context.js';
import { validationError } from '../errors.js';
import { principalOf } from '../plugins/auth.js';
import { Nullable } from '../schemas.js';
import type { App } from '../types.js';
import { readableSession } from './sessions.js';
import { ifNoneMatch } from '../etag.js';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const ScoresSchema = Type.Object(Object.fromEntries(DIMENSIONS.map((d) => [d, NullableNumber])) as Record<Dimension, typeof NullableNumber>);

const EvidenceSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('code_line'), Type.Literal('code_snippet'), Type.Literal('event_timestamp')]),
    reference: Type.String(),
    description: Type.String(),
  },
  { title: 'Evidence' },
);
const ReportDimensionSchema = Type.Object({ score: NullableNumber, feedback: Type.String(), evidence: Type.Array(EvidenceSchema) }, { title: 'ReportDimension' });

/** The SessionReport shape (docs/reports.md); further fields may be added, so the object stays open. */
export const SessionReportSchema = Type.Object(
  {
    sessionId: Uuid,
    generatedAt: DateTime,
    overallScore: NullableNumber,
    dimensions: Type.Object(Object.fromEntries(DIMENSIONS.map((d) => [d, ReportDimensionSchema])) as Record<Dimension, typeof ReportDimensionSchema>),
    categoryScores: ScoresSchema,
    strengths: Type.Array(Type.String()),
    areasForImprovement: Type.Array(Type.String()),
    detailedFeedback: Type.String(),
    feedback: Type.String(),
    comparisonToHistory: Type.Union([
      Type.Object({ trend: Type.Union([Type.Literal('improving'), Type.Literal('stable'), Type.Literal('declining')]), sessionsCompared: Type.Integer(), averageScore: Type.Number() }),
      Type.Null(),
    ]),
    peerFeedbackSummary: Type.Union([
      Type.Object({
        summary: Type.String(),
        averageRating: Nullable(Type.Number()),
        wouldPairAgain: Nullable(Type.Number()),
        themes: Type.Array(Type.String()),
        reviewCount: Type.Integer(),
        ratings: Nullable(Type.Object({ problemSolving: Type.Number(), communication: Type.Number(), codeQuality: Type.Number() })),
      }),
      Type.Null(),
    ]),
    testCaseBreakdown: Type.Array(
      Type.Object({ testCaseIndex: Type.Integer(), isHidden: Type.Boolean(), passed: Type.Union([Type.Boolean(), Type.Null()]), timedOut: Type.Boolean(), verdict: Type.String() }),
    ),
  },
  { title: 'SessionReport', additionalProperties: true },
);

export const reportErrors = {
  notReady: () => new DomainError('SESSION_REPORT_NOT_READY', 'The report is not ready yet'),
  unavailable: () => new DomainError('SESSION_REPORT_UNAVAILABLE', 'Reports are written for candidates only'),
};

const MAX_COMPARE = 5;

function compareIds(raw: string): string[] {
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = ids.filter((id) => !UUID.test(id));
  if (bad.length > 0) throw validationError([{ field: 'ids', constraint: 'uuid', value: bad[0] }], 'Every id must be a session UUID');
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  if (unique.length < 2 || unique.length > MAX_COMPARE) {
    throw validationError([{ field: 'ids', constraint: 'count', value: raw }], `Compare 2 to ${MAX_COMPARE} distinct sessions`);
  }
  return unique;
}

async function readableForCompare(ctx: AppContext, request: FastifyRequest, id: string) {
  try {
    return (await readableSession(ctx, request, id, { finishedOnly: true })).session;
  } catch (err) {
    if (err instanceof DomainError && (statusOf(err) === 404 || statusOf(err) === 403)) {
      throw validationError([{ field: 'ids', constraint: 'readable', value: id }], `Session ${id} cannot be compared: ${err.message}`);
    }
    throw err;
  }
}

const tags = ['sessions'];

function reportRoute(app: App, ctx: AppContext): void {
  app.get(
    '/sessions/:sessionId/report',
    {
      schema: {
        tags,
        summary: "The caller's training report for a session (strong ETag)",
        params: Type.Object({ sessionId: Uuid }, { additionalProperties: false }),
        response: { 200: SessionReportSchema },
      },
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const { session } = await readableSession(ctx, request, request.params.sessionId, { finishedOnly: false });
      const row = await findReport(ctx.db, session.id, userId);
      if (!row) throw (await wasCandidate(ctx.db, session.id, userId)) ? reportErrors.notReady() : reportErrors.unavailable();
      if (row.status !== 'completed' || !row.report || !row.etag) throw reportErrors.notReady();
      const r = reply as unknown as FastifyReply;
      r.header('ETag', row.etag);
      r.header('Cache-Control', 'private, no-cache');
      if (ifNoneMatch(request.headers['if-none-match'], row.etag)) return r.status(304).send();
      // The stored body was built by the grader in exactly this shape.
      return reportBody(row) as unknown as Static<typeof SessionReportSchema>;
    },
  );
}

function compareRoute(app: App, ctx: AppContext): void {
  app.get(
    '/sessions/compare',
    {
      schema: {
        tags,
        summary: 'Compare the reports of 2–5 of my sessions, oldest first, with per-dimension deltas (newest − oldest)',
        querystring: Type.Object({ ids: Type.String({ minLength: 1, maxLength: 400 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                sessionId: Uuid,
                finishedAt: Type.Union([DateTime, Type.Null()]),
                problemTitle: Type.Union([Type.String(), Type.Null()]),
                overallScore: NullableNumber,
                hasReport: Type.Boolean(),
                categoryScores: ScoresSchema,
              }),
            ),
            deltas: Type.Object({ ...ScoresSchema.properties, overallScore: NullableNumber }),
          }),
        },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const ids = compareIds(request.query.ids);
      const sessions = [];
      for (const id of ids) sessions.push(await readableForCompare(ctx, request, id));
      const reports = await completedReports(ctx.db, ids, userId);
      const data = sessions
        .sort((a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0) || a.id.localeCompare(b.id))
        .map((s) => {
          const report = reports.get(s.id);
          const scores = (report?.report?.categoryScores ?? {}) as Partial<Record<Dimension, number | null>>;
          return {
            sessionId: s.id,
            finishedAt: s.finishedAt?.toISOString() ?? null,
            problemTitle: s.problemTitle,
            overallScore: report?.overallScore ?? null,
            hasReport: report !== undefined,
            categoryScores: Object.fromEntries(DIMENSIONS.map((d) => [d, scores[d] ?? null])) as Record<Dimension, number | null>,
          };
        });
      const delta = (pick: (x: (typeof data)[number]) => number | null) => {
        const values = data.map(pick).filter((v): v is number => v !== null);
        return values.length < 2 ? null : Math.round((values[values.length - 1]! - values[0]!) * 10) / 10;
      };
      const deltas = { ...Object.fromEntries(DIMENSIONS.map((d) => [d, delta((x) => x.categoryScores[d])])), overallScore: delta((x) => x.overallScore) };
      return { data, deltas: deltas as Record<Dimension | 'overallScore', number | null> };
    },
  );
}

function weaknessesRoute(app: App, ctx: AppContext): void {
  app.get(
    '/users/me/weaknesses',
    {
      schema: {
        tags: ['users'],
        summary: 'Weakness categories seen across my sessions, most frequent first',
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Uuid,
                category: Type.String(),
                description: Type.String(),
                frequency: Type.Integer(),
                trend: Type.String(),
                lastSeenAt: DateTime,
                sessions: Type.Array(Type.Object({ sessionId: Uuid, problemName: Type.Union([Type.String(), Type.Null()]), reportedAt: DateTime, score: NullableNumber })),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ data: await listWeaknesses(ctx.db, principalOf(request).userId) }),
  );
}

export function reportRoutes(app: App, ctx: AppContext): void {
  reportRoute(app, ctx);
  compareRoute(app, ctx);
  weaknessesRoute(app, ctx);
}
