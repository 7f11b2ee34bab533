/** The peer-feedback decider: given feedback events, when a command, then events or an error. */
import { describe, expect, it } from '@jest/globals';
import { fold } from '../../src/domain/shared/decider.js';
import {
  allPairsResolved,
  feedbackDecider,
  type FeedbackCommand,
  type FeedbackContext,
  type FeedbackEvent,
  type PeerFeedbackRatings,
} from '../../src/domain/feedback/feedback.js';
import { deciderSpec } from '../support/decider-spec.js';
import { clock } from '../support/clock.js';

const at = clock();
const ctx = (o: Partial<FeedbackContext> = {}): FeedbackContext => ({
  sessionId: 's1',
  roomId: 'r1',
  mode: 'peer',
  phase: 'finished',
  reviewParticipants: ['ann', 'ben', 'cat'],
  ...o,
});
const ratings: PeerFeedbackRatings = { problemSolving: 4, communication: 5, codeQuality: 3, wouldPairAgain: 5 };
const submit = (reviewerId: string, targetId: string, o: Partial<FeedbackContext> = {}, r: PeerFeedbackRatings | null = ratings, comments = ' Clear thinking. '): FeedbackCommand =>
  ({ type: 'SubmitPeerFeedback', context: ctx(o), reviewerId, targetId, ratings: r, comments, now: at(1) });
const skip = (reviewerId: string, targetId: string): FeedbackCommand => ({ type: 'SkipPeerFeedback', context: ctx(), reviewerId, targetId, now: at(2) });
const skipAll = (reviewerId: string, o: Partial<FeedbackContext> = {}): FeedbackCommand => ({ type: 'SkipAllPeerFeedback', context: ctx(o), reviewerId, now: at(3) });

const { history: given, when, errorOf } = deciderSpec(feedbackDecider);

describe('submit', () => {
  it('records the four ratings and the trimmed text for the pair', () => {
    expect(when([], submit('ann', 'ben'))).toEqual([
      {
        type: 'PeerFeedbackSubmitted',
        data: { sessionId: 's1', roomId: 'r1', reviewerId: 'ann', targetId: 'ben', ratings, comments: 'Clear thinking.', submittedAt: at(1) },
      },
    ]);
  });

  it('one submission per reviewer → target pair; the reverse pair and other targets stay open', () => {
    const history = given(submit('ann', 'ben'));
    expect(errorOf(history, submit('ann', 'ben'))).toBe('409 FEEDBACK_ALREADY_SUBMITTED');
    expect(when(history, submit('ben', 'ann'))).toHaveLength(1);
    expect(when(history, submit('ann', 'cat'))).toHaveLength(1);
  });

  it('a submission may replace a skip', () => {
    expect(when(given(skip('ann', 'ben')), submit('ann', 'ben'))[0]!.type).toBe('PeerFeedbackSubmitted');
  });

  it('rules in order: AI session 409, before wrapup 409, reviewer not a candidate/interviewer 403, self 400, target 403', () => {
    expect(errorOf([], submit('ann', 'ben', { mode: 'ai', phase: 'coding' }))).toBe('409 ROOM_NOT_PEER_MODE');
    expect(errorOf([], submit('ann', 'ben', { phase: 'coding' }))).toBe('409 FEEDBACK_ROOM_NOT_FINISHED');
    expect(errorOf([], submit('ann', 'ben', { phase: 'wrapup' }))).toBe('ok');
    expect(errorOf([], submit('obs', 'ben'))).toBe('403 FORBIDDEN');
    expect(errorOf([], submit('ann', 'ann'))).toBe('400 VALIDATION_FAILED');
    expect(errorOf([], submit('ann', 'obs'))).toBe('403 FORBIDDEN');
  });

  it('ratings are integers from 1 to 5; the text is at most 2000 characters', () => {
    expect(errorOf([], submit('ann', 'ben', {}, { ...ratings, communication: 0 }))).toBe('400 VALIDATION_FAILED');
    expect(errorOf([], submit('ann', 'ben', {}, { ...ratings, codeQuality: 6 }))).toBe('400 VALIDATION_FAILED');
    expect(errorOf([], submit('ann', 'ben', {}, { ...ratings, wouldPairAgain: 2.5 }))).toBe('400 VALIDATION_FAILED');
    expect(errorOf([], submit('ann', 'ben', {}, ratings, 'x'.repeat(2001)))).toBe('400 VALIDATION_FAILED');
    expect(errorOf([], submit('ann', 'ben', {}, ratings, ''))).toBe('ok');
  });

  it('a text-only review has null ratings; a review with neither ratings nor text is refused', () => {
    expect(when([], submit('ann', 'ben', {}, null, ' Good questions. '))[0]!.data).toMatchObject({ ratings: null, comments: 'Good questions.' });
    expect(errorOf([], submit('ann', 'ben', {}, null, '   '))).toBe('400 VALIDATION_FAILED');
  });
});

describe('skip and skip-all', () => {
  it('a skip resolves a pair once and never replaces a submission', () => {
    expect(when([], skip('ann', 'ben'))).toEqual([
      { type: 'PeerFeedbackSkipped', data: { sessionId: 's1', roomId: 'r1', reviewerId: 'ann', targetId: 'ben', skippedAt: at(2) } },
    ]);
    expect(when(given(skip('ann', 'ben')), skip('ann', 'ben'))).toEqual([]);
    expect(when(given(submit('ann', 'ben')), skip('ann', 'ben'))).toEqual([]);
    expect(errorOf([], skip('ann', 'ann'))).toBe('400 VALIDATION_FAILED');
    expect(errorOf([], skip('obs', 'ann'))).toBe('403 FORBIDDEN');
  });

  it('skip-all skips every target not yet resolved, and only the caller\'s', () => {
    const history = given(submit('ann', 'ben'), skip('cat', 'ann'));
    expect(when(history, skipAll('ann'))).toEqual([
      { type: 'PeerFeedbackSkipped', data: { sessionId: 's1', roomId: 'r1', reviewerId: 'ann', targetId: 'cat', skippedAt: at(3) } },
    ]);
    expect(when(given(skipAll('ann')), skipAll('ann'))).toEqual([]);
    expect(errorOf([], skipAll('ann', { phase: 'warmup' }))).toBe('409 FEEDBACK_ROOM_NOT_FINISHED');
  });

  it('a late skip folded after a submission leaves the pair submitted', () => {
    const submitted = given(submit('ann', 'ben'));
    const lateSkip: FeedbackEvent = { type: 'PeerFeedbackSkipped', data: { sessionId: 's1', roomId: 'r1', reviewerId: 'ann', targetId: 'ben', skippedAt: at(9) } };
    expect(fold(feedbackDecider, [...submitted, lateSkip]).pairs).toEqual({ 'ann:ben': 'submitted' });
  });
});

describe('every pair resolved', () => {
  it('needs n·(n−1) resolved pairs; one reviewer or none is trivially resolved', () => {
    const done = new Set(['a:b', 'b:a', 'a:c', 'c:a', 'b:c']);
    const resolved = (r: string, t: string) => done.has(`${r}:${t}`);
    expect(allPairsResolved(['a', 'b', 'c'], resolved)).toBe(false);
    done.add('c:b');
    expect(allPairsResolved(['a', 'b', 'c'], resolved)).toBe(true);
    expect(allPairsResolved(['a'], () => false)).toBe(true);
    expect(allPairsResolved([], () => false)).toBe(true);
  });
});
