/**
 * Peer feedback commands: the facts the feedback rules need — the session's mode and
 * review participants, the room's phase — are read from the session and room streams themselves (not from read
 * models that may lag), then the feedback decider decides on `feedback-<sessionId>`.
 */
import { handleCommand, readAggregate } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { settleWrites, written } from '../rooms/room-commands.js';
import {
  feedbackDecider,
  feedbackStream,
  type FeedbackCommand,
  type FeedbackContext,
  type PeerFeedbackRatings,
} from '../../domain/feedback/feedback.js';
import { roomDecider } from '../../domain/room/decider.js';
import { roomStream } from '../../domain/room/events.js';
import { sessionDecider, sessionErrors } from '../../domain/session/decider.js';
import { sessionStream } from '../../domain/session/events.js';
import type { Ports, WriteDeps } from '../ports.js';

/** Roles that give and receive peer feedback. */
export const REVIEW_ROLES: readonly string[] = ['candidate', 'interviewer'];

/** The session and room facts of a feedback command; 404 SESSION_NOT_FOUND when the session does not exist. */
export async function feedbackContext(ctx: Pick<Ports, 'store'>, sessionId: string): Promise<FeedbackContext> {
  const session = await readAggregate(ctx.store, sessionStream(sessionId), sessionDecider);
  const s = session.state;
  if (!s.exists || s.discarded) throw sessionErrors.notFound();
  const room = await readAggregate(ctx.store, roomStream(s.roomId), roomDecider);
  // A session outlives nothing but its room: a finished session's room says `finished`.
  const phase = s.status === 'finished' ? 'finished' : room.state.status;
  return {
    sessionId,
    roomId: s.roomId,
    mode: s.mode,
    phase,
    reviewParticipants: Object.entries(s.participants)
      .filter(([, p]) => REVIEW_ROLES.includes(p.role))
      .map(([userId]) => userId),
  };
}

async function run(ctx: WriteDeps, metadata: RequestMetadata, sessionId: string, build: (context: FeedbackContext) => FeedbackCommand): Promise<void> {
  const context = await feedbackContext(ctx, sessionId);
  const result = await handleCommand(ctx.store, feedbackStream(sessionId), feedbackDecider, build(context), metadata);
  await settleWrites(ctx, [written(result)]);
}

export interface FeedbackInput {
  targetId: string;
  ratings: PeerFeedbackRatings | null;
  comments: string;
}

export async function submitPeerFeedback(ctx: WriteDeps, metadata: RequestMetadata, sessionId: string, reviewerId: string, input: FeedbackInput): Promise<void> {
  await run(ctx, metadata, sessionId, (context) => ({
    type: 'SubmitPeerFeedback',
    context,
    reviewerId,
    targetId: input.targetId,
    ratings: input.ratings,
    comments: input.comments,
    now: metadata.now.toISOString(),
  }));
}

export async function skipPeerFeedback(ctx: WriteDeps, metadata: RequestMetadata, sessionId: string, reviewerId: string, targetId: string): Promise<void> {
  await run(ctx, metadata, sessionId, (context) => ({ type: 'SkipPeerFeedback', context, reviewerId, targetId, now: metadata.now.toISOString() }));
}

export async function skipAllPeerFeedback(ctx: WriteDeps, metadata: RequestMetadata, sessionId: string, reviewerId: string): Promise<void> {
  await run(ctx, metadata, sessionId, (context) => ({ type: 'SkipAllPeerFeedback', context, reviewerId, now: metadata.now.toISOString() }));
}
