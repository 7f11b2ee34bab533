/**
 * Peer feedback of a session: submit (ratings + free text), skip, skip-all,
 * read, progress. The SEED's room-scoped "Submit peer evaluation / Get all feedback for this room / Get my submitted
 * feedback" are these session endpoints.
 *
 * Visibility: an admin reads every submitted entry; anybody else reads what they wrote themselves until every
 * reviewer → target pair of the session is resolved (submitted or skipped), then everything. Observers neither
 * give nor receive feedback; AI sessions have none.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { REVIEW_ROLES, skipAllPeerFeedback, skipPeerFeedback, submitPeerFeedback } from '../../commands/feedback/feedback.js';
import { allPairsResolved, feedbackOpen, MAX_COMMENT_LENGTH, MAX_RATING, MIN_RATING, pairKey } from '../../domain/feedback/feedback.js';
import { sessionErrors } from '../../domain/session/decider.js';
import { listSessionFeedback, type FeedbackRow } from '../../projections/feedback/queries.js';
import { findRoom } from '../../projections/rooms/queries.js';
import { listSessionParticipants, type SessionRow } from '../../projections/sessions/queries.js';
import { findUserSummaries, resolveAvatarUrl } from '../../projections/users/queries.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata } from '../command.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { Nullable } from './room-views.js';
import { readableSession, SessionIdParams } from './sessions.js';

const DateTime = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });
const Rating = Type.Integer({ minimum: MIN_RATING, maximum: MAX_RATING });

/** SEED schema PeerFeedbackRatings: each aspect from 1 (poor) to 5 (excellent). */
export const PeerFeedbackRatingsSchema = Type.Object(
  {
    problemSolving: Rating,
    communication: Rating,
    codeQuality: Rating,
    /** 1 = would not pair again, 5 = would gladly pair again */
    wouldPairAgain: Rating,
  },
  { title: 'PeerFeedbackRatings', additionalProperties: false },
);

/** SEED schema PeerFeedbackEntry. */
export const PeerFeedbackEntrySchema = Type.Object(
  {
    id: Uuid,
    sessionId: Uuid,
    roomId: Uuid,
    status: Type.Literal('submitted'),
    reviewerId: Uuid,
    reviewerName: Type.String(),
    reviewerAvatarUrl: Nullable(Type.String()),
    candidateId: Uuid,
    candidateName: Type.String(),
    candidateAvatarUrl: Nullable(Type.String()),
    ratings: Nullable(PeerFeedbackRatingsSchema),
    feedbackText: Type.String(),
    createdAt: DateTime,
  },
  { title: 'PeerFeedbackEntry' },
);

const FeedbackList = Type.Object({ allSubmitted: Type.Boolean(), data: Type.Array(PeerFeedbackEntrySchema) });
const Progress = Type.Object({
  allSubmitted: Type.Boolean(),
  targets: Type.Array(
    Type.Object({
      candidateId: Uuid,
      candidateName: Type.String(),
      candidateAvatarUrl: Nullable(Type.String()),
      role: Type.Union([Type.Literal('candidate'), Type.Literal('interviewer')]),
      state: Type.Union([Type.Literal('pending'), Type.Literal('submitted'), Type.Literal('skipped')]),
      createdAt: Nullable(DateTime),
    }),
  ),
});

const SubmitBody = Type.Object(
  {
    candidateId: Uuid,
    /** optional: a text-only review leaves them out */
    ratings: Type.Optional(PeerFeedbackRatingsSchema),
    /** free text (REF name); `comments` is accepted as its SEED alias */
    feedbackText: Type.Optional(Type.String({ maxLength: MAX_COMMENT_LENGTH + 200 })),
    comments: Type.Optional(Type.String({ maxLength: MAX_COMMENT_LENGTH + 200 })),
  },
  { additionalProperties: false },
);

interface People {
  name(userId: string): string;
  avatar(userId: string): string | null;
}

async function people(ctx: AppContext, ids: readonly string[]): Promise<People> {
  const users = await findUserSummaries(ctx.db, [...new Set(ids)]);
  const avatars = new Map<string, string | null>();
  await Promise.all([...users.values()].map(async (u) => avatars.set(u.id, await resolveAvatarUrl(ctx, u.avatarKey))));
  return {
    name: (id) => {
      const u = users.get(id);
      return u ? (u.displayName ?? u.username) : 'unknown';
    },
    avatar: (id) => avatars.get(id) ?? null,
  };
}

export interface FeedbackView {
  reviewers: string[];
  rows: FeedbackRow[];
  allResolved: boolean;
}

/** The session's review participants and resolved pairs. */
export async function feedbackView(ctx: AppContext, sessionId: string): Promise<FeedbackView> {
  const [participants, rows] = await Promise.all([listSessionParticipants(ctx.db, [sessionId]), listSessionFeedback(ctx.db, sessionId)]);
  const reviewers = participants.filter((p) => REVIEW_ROLES.includes(p.role)).map((p) => p.userId);
  const resolved = new Set(rows.map((r) => pairKey(r.reviewerId, r.targetId)));
  return { reviewers, rows, allResolved: allPairsResolved(reviewers, (r, t) => resolved.has(pairKey(r, t))) };
}

/** Submitted entries the viewer may read (see the module comment), in the entry shape. */
export async function visibleFeedback(ctx: AppContext, view: FeedbackView, viewerId: string, isAdmin: boolean) {
  const submitted = view.rows.filter((r) => r.status === 'submitted');
  const visible = isAdmin || view.allResolved ? submitted : submitted.filter((r) => r.reviewerId === viewerId);
  const who = await people(ctx, visible.flatMap((r) => [r.reviewerId, r.targetId]));
  return visible.map((r) => ({
    id: r.id,
    sessionId: r.sessionId,
    roomId: r.roomId,
    status: 'submitted' as const,
    reviewerId: r.reviewerId,
    reviewerName: who.name(r.reviewerId),
    reviewerAvatarUrl: who.avatar(r.reviewerId),
    candidateId: r.targetId,
    candidateName: who.name(r.targetId),
    candidateAvatarUrl: who.avatar(r.targetId),
    ratings: r.ratings,
    feedbackText: r.comments ?? '',
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The session if feedback may be read: readable by the caller, and its room at wrap-up or later (else 404). */
async function sessionWithOpenFeedback(ctx: AppContext, request: FastifyRequest, sessionId: string) {
  const access = await readableSession(ctx, request, sessionId, { finishedOnly: false });
  if (access.session.status !== 'finished') {
    const room = await findRoom(ctx.db, access.session.roomId);
    if (!room || !feedbackOpen(room.status)) throw sessionErrors.notFound();
  }
  return access;
}

async function feedbackList(ctx: AppContext, session: SessionRow, viewerId: string, isAdmin: boolean) {
  if (session.mode !== 'peer') return { allSubmitted: true, data: [] };
  const view = await feedbackView(ctx, session.id);
  return { allSubmitted: view.allResolved, data: await visibleFeedback(ctx, view, viewerId, isAdmin) };
}

async function progressOf(ctx: AppContext, session: SessionRow, viewerId: string) {
  const view = await feedbackView(ctx, session.id);
  if (session.mode !== 'peer' || !view.reviewers.includes(viewerId)) return { allSubmitted: true, targets: [] };
  const participants = await listSessionParticipants(ctx.db, [session.id]);
  const targets = participants.filter((p) => p.userId !== viewerId && REVIEW_ROLES.includes(p.role));
  const who = await people(ctx, targets.map((t) => t.userId));
  const mine = new Map(view.rows.filter((r) => r.reviewerId === viewerId).map((r) => [r.targetId, r]));
  const out = targets.map((t) => {
    const row = mine.get(t.userId);
    return {
      candidateId: t.userId,
      candidateName: who.name(t.userId),
      candidateAvatarUrl: who.avatar(t.userId),
      role: t.role as 'candidate' | 'interviewer',
      state: row?.status ?? ('pending' as const),
      createdAt: row?.createdAt.toISOString() ?? null,
    };
  });
  return { allSubmitted: out.every((t) => t.state !== 'pending'), targets: out };
}

export function feedbackRoutes(app: App, ctx: AppContext): void {
  const tags = ['peer feedback'];

  app.post(
    '/sessions/:id/feedback',
    {
      schema: {
        tags,
        summary: 'Rate another candidate or interviewer of a peer session (once per person, from wrap-up on)',
        params: SessionIdParams,
        body: SubmitBody,
        response: { 201: FeedbackList },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { candidateId, ratings, feedbackText, comments } = request.body;
      await submitPeerFeedback(ctx, requestMetadata(request), request.params.id, principal.userId, {
        targetId: candidateId,
        ratings: ratings ?? null,
        comments: feedbackText ?? comments ?? '',
      });
      const { session, isAdmin } = await sessionWithOpenFeedback(ctx, request, request.params.id);
      return reply.status(201).send(await feedbackList(ctx, session, principal.userId, isAdmin));
    },
  );

  app.post(
    '/sessions/:id/feedback/skip',
    {
      schema: {
        tags,
        summary: 'Skip giving feedback to one participant (never replaces submitted feedback)',
        params: SessionIdParams,
        body: Type.Object({ candidateId: Uuid }, { additionalProperties: false }),
        response: { 200: Progress },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await skipPeerFeedback(ctx, requestMetadata(request), request.params.id, principal.userId, request.body.candidateId);
      const { session } = await sessionWithOpenFeedback(ctx, request, request.params.id);
      return progressOf(ctx, session, principal.userId);
    },
  );

  app.post(
    '/sessions/:id/feedback/skip-all',
    { schema: { tags, summary: 'Skip every participant not yet given feedback', params: SessionIdParams, response: { 200: Progress } } },
    async (request) => {
      const principal = principalOf(request);
      await skipAllPeerFeedback(ctx, requestMetadata(request), request.params.id, principal.userId);
      const { session } = await sessionWithOpenFeedback(ctx, request, request.params.id);
      return progressOf(ctx, session, principal.userId);
    },
  );

  app.get(
    '/sessions/:id/feedback',
    { schema: { tags, summary: 'Peer feedback of a session, as far as the caller may see it', params: SessionIdParams, response: { 200: FeedbackList } } },
    async (request) => {
      const principal = principalOf(request);
      const { session, isAdmin } = await sessionWithOpenFeedback(ctx, request, request.params.id);
      return feedbackList(ctx, session, principal.userId, isAdmin);
    },
  );

  app.get(
    '/sessions/:id/feedback/progress',
    { schema: { tags, summary: "The caller's feedback to give: pending, submitted or skipped per participant", params: SessionIdParams, response: { 200: Progress } } },
    async (request) => {
      const principal = principalOf(request);
      const { session, isParticipant } = await sessionWithOpenFeedback(ctx, request, request.params.id);
      if (!isParticipant) throw sessionErrors.notParticipant();
      return progressOf(ctx, session, principal.userId);
    },
  );
}
