/**
 * Peer feedback of one session (`feedback-<sessionId>`): after a peer session, every review participant (the
 * candidates and interviewers — observers neither give nor receive) rates each other review participant on four
 * aspects from 1 to 5 and adds free text — either may be left out, not both (a text-only review is what the
 * reference's clients send) — or skips them.
 *
 * Rules: peer sessions only (ROOM_NOT_PEER_MODE 409); accepted while the room is in `wrapup` or
 * `finished` (FEEDBACK_ROOM_NOT_FINISHED 409 before that); one submission per reviewer → target pair
 * (FEEDBACK_ALREADY_SUBMITTED 409), which may replace an earlier skip; a skip never replaces a submission (it is a
 * no-op then). Facts owned by the session and the room (mode, phase, who was a review participant) arrive inside
 * the command.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';

export const RATING_ASPECTS = ['problemSolving', 'communication', 'codeQuality', 'wouldPairAgain'] as const;
export type RatingAspect = (typeof RATING_ASPECTS)[number];
export type PeerFeedbackRatings = Record<RatingAspect, number>;

export const MIN_RATING = 1;
export const MAX_RATING = 5;
export const MAX_COMMENT_LENGTH = 2000;

export type PeerFeedbackSubmitted = DomainEvent<
  'PeerFeedbackSubmitted',
  {
    sessionId: string;
    roomId: string;
    reviewerId: string;
    targetId: string;
    /** null for a text-only review */
    ratings: PeerFeedbackRatings | null;
    /** free text, empty only when ratings were given */
    comments: string;
    submittedAt: string;
  }
>;

export type PeerFeedbackSkipped = DomainEvent<
  'PeerFeedbackSkipped',
  { sessionId: string; roomId: string; reviewerId: string; targetId: string; skippedAt: string }
>;

export type FeedbackEvent = PeerFeedbackSubmitted | PeerFeedbackSkipped;
export const FEEDBACK_EVENT_TYPES = ['PeerFeedbackSubmitted', 'PeerFeedbackSkipped'] as const satisfies readonly FeedbackEvent['type'][];

export const feedbackStream = (sessionId: string) => `feedback-${sessionId}`;

/** What the session and its room say, read by the command handler. */
export interface FeedbackContext {
  sessionId: string;
  roomId: string;
  mode: 'peer' | 'ai';
  /** the room's phase (a session's feedback opens at wrapup) */
  phase: string;
  /** the session's candidates and interviewers */
  reviewParticipants: readonly string[];
}

export type FeedbackCommand =
  | { type: 'SubmitPeerFeedback'; context: FeedbackContext; reviewerId: string; targetId: string; ratings: PeerFeedbackRatings | null; comments: string; now: string }
  | { type: 'SkipPeerFeedback'; context: FeedbackContext; reviewerId: string; targetId: string; now: string }
  | { type: 'SkipAllPeerFeedback'; context: FeedbackContext; reviewerId: string; now: string };

export type PairState = 'submitted' | 'skipped';

export interface FeedbackState {
  /** `<reviewerId>:<targetId>` → how the pair was resolved */
  pairs: Readonly<Record<string, PairState>>;
}

export const pairKey = (reviewerId: string, targetId: string) => `${reviewerId}:${targetId}`;

export const feedbackErrors = {
  notPeerMode: () => new DomainError('ROOM_NOT_PEER_MODE', 'Peer feedback exists only for peer sessions'),
  notFinished: () => new DomainError('FEEDBACK_ROOM_NOT_FINISHED', 'Feedback opens when the session reaches wrap-up'),
  notReviewer: () => new DomainError('FORBIDDEN', 'Only the candidates and interviewers of a session give feedback'),
  notReviewee: () => new DomainError('FORBIDDEN', 'Feedback can only be given to a candidate or interviewer of the session'),
  self: (targetId: string) =>
    new DomainError('VALIDATION_FAILED', 'You cannot give feedback to yourself', { fields: [{ field: 'candidateId', constraint: 'notSelf', value: targetId }] }),
  alreadySubmitted: () => new DomainError('FEEDBACK_ALREADY_SUBMITTED', 'You already gave feedback to this participant'),
  invalidRating: (aspect: string, value: unknown) =>
    new DomainError('VALIDATION_FAILED', `ratings.${aspect} must be an integer from ${MIN_RATING} to ${MAX_RATING}`, {
      fields: [{ field: `ratings.${aspect}`, constraint: 'range', value }],
    }),
  emptyReview: () =>
    new DomainError('VALIDATION_FAILED', 'Give ratings, feedback text, or both', {
      fields: [{ field: 'feedbackText', constraint: 'minLength', value: '' }],
    }),
  commentTooLong: () =>
    new DomainError('VALIDATION_FAILED', `Feedback text is limited to ${MAX_COMMENT_LENGTH} characters`, {
      fields: [{ field: 'feedbackText', constraint: 'maxLength', value: MAX_COMMENT_LENGTH }],
    }),
};

/** Feedback is given from wrap-up on. */
export function feedbackOpen(phase: string): boolean {
  return phase === 'wrapup' || phase === 'finished';
}

/** The checks every command shares, in the order a client meets them. */
function assertReviewer(context: FeedbackContext, reviewerId: string): void {
  if (context.mode !== 'peer') throw feedbackErrors.notPeerMode();
  if (!feedbackOpen(context.phase)) throw feedbackErrors.notFinished();
  if (!context.reviewParticipants.includes(reviewerId)) throw feedbackErrors.notReviewer();
}

function assertTarget(context: FeedbackContext, reviewerId: string, targetId: string): void {
  if (targetId === reviewerId) throw feedbackErrors.self(targetId);
  if (!context.reviewParticipants.includes(targetId)) throw feedbackErrors.notReviewee();
}

function assertRatings(ratings: PeerFeedbackRatings): void {
  for (const aspect of RATING_ASPECTS) {
    const v = ratings[aspect];
    if (!Number.isInteger(v) || v < MIN_RATING || v > MAX_RATING) throw feedbackErrors.invalidRating(aspect, v);
  }
}

function skipped(context: FeedbackContext, reviewerId: string, targetId: string, now: string): PeerFeedbackSkipped {
  return { type: 'PeerFeedbackSkipped', data: { sessionId: context.sessionId, roomId: context.roomId, reviewerId, targetId, skippedAt: now } };
}

export function decideFeedback(command: FeedbackCommand, state: FeedbackState): FeedbackEvent[] {
  const { context, reviewerId } = command;
  assertReviewer(context, reviewerId);
  switch (command.type) {
    case 'SubmitPeerFeedback': {
      assertTarget(context, reviewerId, command.targetId);
      if (command.ratings) assertRatings(command.ratings);
      const comments = command.comments.trim();
      if (comments.length > MAX_COMMENT_LENGTH) throw feedbackErrors.commentTooLong();
      if (!command.ratings && comments.length === 0) throw feedbackErrors.emptyReview();
      if (state.pairs[pairKey(reviewerId, command.targetId)] === 'submitted') throw feedbackErrors.alreadySubmitted();
      const given = command.ratings;
      const ratings = given ? (Object.fromEntries(RATING_ASPECTS.map((a) => [a, given[a]])) as PeerFeedbackRatings) : null;
      return [
        {
          type: 'PeerFeedbackSubmitted',
          data: { sessionId: context.sessionId, roomId: context.roomId, reviewerId, targetId: command.targetId, ratings, comments, submittedAt: command.now },
        },
      ];
    }
    case 'SkipPeerFeedback':
      assertTarget(context, reviewerId, command.targetId);
      if (state.pairs[pairKey(reviewerId, command.targetId)]) return [];
      return [skipped(context, reviewerId, command.targetId, command.now)];
    case 'SkipAllPeerFeedback':
      return context.reviewParticipants
        .filter((t) => t !== reviewerId && !state.pairs[pairKey(reviewerId, t)])
        .map((t) => skipped(context, reviewerId, t, command.now));
  }
}

export function evolveFeedback(state: FeedbackState, event: FeedbackEvent): FeedbackState {
  const key = pairKey(event.data.reviewerId, event.data.targetId);
  if (event.type === 'PeerFeedbackSubmitted') return { pairs: { ...state.pairs, [key]: 'submitted' } };
  if (state.pairs[key] === 'submitted') return state;
  return { pairs: { ...state.pairs, [key]: 'skipped' } };
}

export const feedbackDecider: Decider<FeedbackCommand, FeedbackState, FeedbackEvent> = {
  initialState: () => ({ pairs: {} }),
  evolve: evolveFeedback,
  decide: decideFeedback,
};

/**
 * Whether every reviewer → target pair among `reviewers` is resolved (submitted or skipped): the moment reviewees
 * may read what others wrote about them. One reviewer or none resolves trivially.
 */
export function allPairsResolved(reviewers: readonly string[], resolved: (reviewerId: string, targetId: string) => boolean): boolean {
  for (const r of reviewers) for (const t of reviewers) if (r !== t && !resolved(r, t)) return false;
  return true;
}
