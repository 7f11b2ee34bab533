/**
 * Sessions: history list, detail, per-user soft delete, code snapshots, timeline.
 * Visibility: history and detail show finished sessions only; snapshots and the timeline accept ongoing
 * ones too; a session a user soft-deleted is gone for that user; admins see every session.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { hideSession } from '../../commands/sessions/hide.js';
import { sessionErrors } from '../../domain/session/decider.js';
import { DomainError, type ErrorCode } from '../../domain/shared/errors.js';
import { codeAt } from '../../domain/session/timeline.js';
import { can } from '../../domain/user/capabilities.js';
import {
  findSession,
  latestSnapshot,
  listSessionParticipants,
  listSessions,
  listSnapshots,
  SESSION_SORTS,
  sessionExecutions,
  sessionViewer,
  type SessionParticipantRow,
  type SessionRow,
} from '../../projections/sessions/queries.js';
import { listTimeline } from '../../projections/timeline/queries.js';
import { completedReports, reportBody } from '../../projections/reports/queries.js';
import { sessionsWithFeedback } from '../../projections/feedback/queries.js';
import { listSessionRecordings } from '../../projections/recordings/queries.js';
import { feedbackView, visibleFeedback } from './feedback.js';
import { findUserSummaries, resolveAvatarUrl } from '../../projections/users/queries.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata } from '../command.js';
import { decodeCursor, PageQuery, pageOf, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { LanguageSchema, RoomModeSchema, RoomRoleSchema } from './room-views.js';
import { DateTime, Nullable, Uuid } from '../schemas.js';

export const SessionIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

const SessionParticipantSchema = Type.Object({
  userId: Uuid,
  username: Type.String(),
  displayName: Nullable(Type.String()),
  avatarUrl: Nullable(Type.String()),
  role: RoomRoleSchema,
});

export const SessionSummarySchema = Type.Object({
  sessionId: Uuid,
  roomId: Uuid,
  mode: RoomModeSchema,
  problemTitle: Nullable(Type.String()),
  difficulty: Nullable(Type.String()),
  language: Nullable(LanguageSchema),
  /** seconds of coding time, rounded */
  duration: Type.Integer(),
  participants: Type.Array(SessionParticipantSchema),
  overallScore: Nullable(Type.Number()),
  hasReport: Type.Boolean(),
  hasFeedback: Type.Boolean(),
  createdAt: DateTime,
  finishedAt: Nullable(DateTime),
});

const SnapshotSchema = Type.Object({
  snapshotId: Uuid,
  timestamp: DateTime,
  trigger: Type.String(),
  language: Type.String(),
  code: Type.String(),
  linesOfCode: Type.Integer(),
  phase: Nullable(Type.String()),
});

export const SessionDetailSchema = Type.Object({
  sessionId: Uuid,
  roomId: Uuid,
  mode: RoomModeSchema,
  problem: Nullable(Type.Object({ id: Uuid, title: Type.String(), difficulty: Type.String() })),
  language: Nullable(LanguageSchema),
  duration: Type.Integer(),
  participants: Type.Array(
    Type.Composite([SessionParticipantSchema, Type.Object({ joinedAt: DateTime, leftAt: Nullable(DateTime) })]),
  ),
  runs: Type.Array(Type.Object({ jobId: Type.String(), status: Type.String(), createdAt: DateTime })),
  submissions: Type.Array(Type.Object({ submissionId: Uuid, status: Type.String(), passed: Type.Integer(), total: Type.Integer(), createdAt: DateTime })),
  report: Nullable(Type.Object({}, { additionalProperties: true })),
  latestCodeSnapshot: Nullable(
    Type.Object({
      id: Uuid,
      code: Type.String(),
      language: Type.String(),
      trigger: Type.String(),
      linesOfCode: Nullable(Type.Integer()),
      createdAt: DateTime,
      phase: Nullable(Type.String()),
    }),
  ),
  peerFeedback: Type.Array(Type.Object({}, { additionalProperties: true })),
  hasReport: Type.Boolean(),
  hasFeedback: Type.Boolean(),
  hasRecording: Type.Boolean(),
  createdAt: DateTime,
  finishedAt: Nullable(DateTime),
});

export const SessionEventSchema = Type.Object({
  id: Type.String(),
  eventType: Type.String(),
  userId: Nullable(Type.String()),
  metadata: Nullable(Type.Object({}, { additionalProperties: true })),
  timestamp: DateTime,
});

const TimelineResponse = Type.Object({
  data: Type.Array(SessionEventSchema),
  /** with `?at=`: the code as it stood at that instant (from the session's code snapshots), null before the first */
  codeAt: Type.Optional(
    Nullable(Type.Object({ snapshotId: Uuid, code: Type.String(), language: Type.String(), trigger: Type.String(), takenAt: DateTime })),
  ),
});

const durationSeconds = (ms: number | null) => Math.round((ms ?? 0) / 1000);

export interface SessionAccessOptions {
  /** history and detail need a finished session; snapshots and timeline accept ongoing ones */
  finishedOnly: boolean;
}

/**
 * The session, if the caller may read it: 404 SESSION_NOT_FOUND when missing (or not finished where required, or
 * soft-deleted by a non-admin caller), 403 SESSION_NOT_PARTICIPANT when the caller took no part (admins bypass).
 */
export async function readableSession(ctx: AppContext, request: FastifyRequest, sessionId: string, options: SessionAccessOptions): Promise<{ session: SessionRow; isAdmin: boolean; isParticipant: boolean }> {
  const principal = principalOf(request);
  const isAdmin = can(principal.role, 'session:view-any');
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw sessionErrors.notFound();
  if (options.finishedOnly && session.status !== 'finished') throw sessionErrors.notFound();
  const viewer = await sessionViewer(ctx.db, sessionId, principal.userId);
  if (!isAdmin && viewer.hidden) throw sessionErrors.notFound();
  if (!isAdmin && !viewer.isParticipant) throw sessionErrors.notParticipant();
  return { session, isAdmin, isParticipant: viewer.isParticipant };
}

async function participantsWithUsers(ctx: AppContext, rows: readonly SessionParticipantRow[]) {
  const users = await findUserSummaries(ctx.db, rows.map((r) => r.userId));
  return Promise.all(
    rows.map(async (r) => {
      const u = users.get(r.userId);
      return {
        sessionId: r.sessionId,
        userId: r.userId,
        username: u?.username ?? 'unknown',
        displayName: u?.displayName ?? null,
        avatarUrl: await resolveAvatarUrl(ctx, u?.avatarKey),
        role: r.role,
        joinedAt: r.joinedAt.toISOString(),
        leftAt: r.leftAt?.toISOString() ?? null,
      };
    }),
  );
}

/** `[value, id]` cursors of the session history (decodeCursor checks the kind of each value; 400 otherwise). */
function sessionCursor(cursor: string | undefined, numeric: boolean): [string | number | null, string] | undefined {
  const values = decodeCursor(cursor, numeric ? ['number?', 'uuid'] : ['timestamp?', 'uuid']);
  return values && [values[0] ?? null, values[1] as string];
}

const tags = ['sessions'];

export function sessionRoutes(app: App, ctx: AppContext): void {
  registerSessionList(app, ctx);
  registerSessionDetail(app, ctx);
  registerSessionPlayback(app, ctx);
}

/** The caller's history of finished sessions (admins: everyone's), filtered, sorted and paged. */
function registerSessionList(app: App, ctx: AppContext): void {
  app.get(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Finished sessions I took part in (admins: all)',
        querystring: Type.Object(
          {
            ...PageQuery,
            sortOrder: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
            sortBy: Type.Unsafe<(typeof SESSION_SORTS)[number]>({ type: 'string', enum: [...SESSION_SORTS], default: 'createdAt' }),
            mode: Type.Optional(RoomModeSchema),
            fromDate: Type.Optional(DateTime),
            toDate: Type.Optional(DateTime),
            problemId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(SessionSummarySchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const numeric = q.sortBy === 'duration' || q.sortBy === 'overallScore';
      const rows = await listSessions(ctx.db, {
        viewerId: principal.userId,
        isAdmin: can(principal.role, 'session:view-any'),
        limit: q.limit,
        sortBy: q.sortBy,
        sortOrder: q.sortOrder,
        mode: q.mode,
        problemId: q.problemId,
        fromDate: q.fromDate,
        toDate: q.toDate,
        after: sessionCursor(q.cursor, numeric),
      });
      const page = toPage(rows, q.limit, (r) => r, (r) => [r.sortValue ?? null, r.id]);
      const participants = await participantsWithUsers(ctx, await listSessionParticipants(ctx.db, page.data.map((r) => r.id)));
      const withFeedback = await sessionsWithFeedback(ctx.db, page.data.map((r) => r.id));
      return {
        pagination: page.pagination,
        data: page.data.map((r) => ({
          sessionId: r.id,
          roomId: r.roomId,
          mode: r.mode,
          problemTitle: r.problemTitle,
          difficulty: r.problemDifficulty,
          language: r.language,
          duration: durationSeconds(r.durationMs),
          participants: participants.filter((p) => p.sessionId === r.id),
          overallScore: r.overallScore,
          hasReport: r.hasReport,
          hasFeedback: withFeedback.has(r.id),
          createdAt: r.startedAt.toISOString(),
          finishedAt: r.finishedAt?.toISOString() ?? null,
        })),
      };
    },
  );
}

/** One session: its detail, and removing it from the caller's history. */
function registerSessionDetail(app: App, ctx: AppContext): void {
  app.get(
    '/sessions/:id',
    { schema: { tags, summary: 'Session detail', params: SessionIdParams, response: { 200: SessionDetailSchema } } },
    async (request) => {
      const { session, isAdmin } = await readableSession(ctx, request, request.params.id, { finishedOnly: true });
      const [participants, latest, executions, feedback, recordings] = await Promise.all([
        listSessionParticipants(ctx.db, [session.id]).then((rows) => participantsWithUsers(ctx, rows)),
        latestSnapshot(ctx.db, session.id),
        sessionExecutions(ctx.db, session.roomId),
        feedbackView(ctx, session.id),
        listSessionRecordings(ctx.db, session.id),
      ]);
      const peerFeedback = session.mode === 'peer' ? await visibleFeedback(ctx, feedback, principalOf(request).userId, isAdmin) : [];
      const myReport = (await completedReports(ctx.db, [session.id], principalOf(request).userId)).get(session.id);
      return {
        sessionId: session.id,
        roomId: session.roomId,
        mode: session.mode,
        problem: session.problemId && session.problemTitle ? { id: session.problemId, title: session.problemTitle, difficulty: session.problemDifficulty ?? '' } : null,
        language: session.language,
        duration: durationSeconds(session.durationMs),
        participants: participants.map(({ sessionId: _s, ...p }) => p),
        runs: executions.runs.map((r) => ({ jobId: r.jobId, status: r.status, createdAt: r.createdAt.toISOString() })),
        submissions: executions.submissions.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
        report: myReport && myReport.report ? reportBody(myReport) : null,
        latestCodeSnapshot: latest
          ? { id: latest.id, code: latest.code, language: latest.language, trigger: latest.trigger, linesOfCode: latest.linesOfCode, createdAt: latest.createdAt.toISOString(), phase: latest.phase }
          : null,
        peerFeedback,
        hasReport: myReport !== undefined,
        hasFeedback: feedback.rows.some((r) => r.status === 'submitted'),
        hasRecording: recordings.length > 0,
        createdAt: session.startedAt.toISOString(),
        finishedAt: session.finishedAt?.toISOString() ?? null,
      };
    },
  );

  app.delete(
    '/sessions/:id',
    { schema: { tags, summary: 'Remove a session from my history (others keep it)', params: SessionIdParams } },
    async (request, reply) => {
      const principal = principalOf(request);
      await hideSession(ctx, request.params.id, principal.userId, can(principal.role, 'session:view-any'), requestMetadata(request));
      return reply.status(204).send();
    },
  );
}

/** What replays a session: its code snapshots and its timeline (with the code at a given instant). */
function registerSessionPlayback(app: App, ctx: AppContext): void {
  app.get(
    '/sessions/:id/snapshots',
    {
      schema: {
        tags,
        summary: 'Code snapshots of a session, oldest first',
        params: SessionIdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: pageOf(SnapshotSchema) },
      },
    },
    async (request) => {
      const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      const { limit, cursor } = request.query;
      const after = sessionCursor(cursor, false) as [string, string] | undefined;
      const rows = await listSnapshots(ctx.db, session.id, limit, after);
      return toPage(
        rows,
        limit,
        (r) => ({ snapshotId: r.id, timestamp: r.createdAt.toISOString(), trigger: r.trigger, language: r.language, code: r.code, linesOfCode: r.linesOfCode, phase: r.phase }),
        (r) => [r.createdAt.toISOString(), r.id],
      );
    },
  );

  app.get(
    '/sessions/:id/timeline',
    {
      schema: {
        tags,
        summary: 'Everything that happened in the session, in order (optionally up to `at`, with the code at that instant)',
        params: SessionIdParams,
        querystring: Type.Object({ at: Type.Optional(DateTime) }, { additionalProperties: false }),
        response: { 200: TimelineResponse },
      },
    },
    async (request) => {
      const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      const at = request.query.at ? new Date(request.query.at) : undefined;
      const rows = await listTimeline(ctx.db, session.roomId, at);
      const data = rows.map((r) => ({ id: r.id, eventType: r.eventType, userId: r.userId, metadata: r.metadata, timestamp: r.timestamp.toISOString() }));
      if (!at) return { data };
      const snapshots = await listSnapshots(ctx.db, session.id, 100_000);
      const code = codeAt(
        snapshots.map((s) => ({ snapshotId: s.id, code: s.code, language: s.language, trigger: s.trigger, takenAt: s.createdAt.toISOString() })),
        at.toISOString(),
      );
      return { data, codeAt: code };
    },
  );
}

/**
 * Session artefacts other modules produce (AI conversation, recordings, whiteboard export). Until those
 * modules serve them, the endpoints exist with their access checks and answer their "not there" codes. A module
 * taking one over removes it here.
 */
export function sessionPendingRoutes(app: App, ctx: AppContext): void {
  // GET /sessions/:id/ai-messages is served by the AI history routes (src/http/routes/ai-history.ts).
  const artefacts: Array<[string, ErrorCode, string]> = [];
  for (const [path, code, message] of artefacts) {
    app.get(`/sessions/:id/${path}`, { schema: { tags, params: SessionIdParams } }, async (request) => {
      await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      throw new DomainError(code, message);
    });
  }
}
