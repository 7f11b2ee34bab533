/**
 * A user's place in the matchmaking queue (`matchmaking-<userId>`): at most one request at a time, so the stream is
 * what makes "one active request per user" hold. Proposing a match claims the request on this stream (appended with
 * the revision the decision was made on), so two matchers can never put one request into two matches.
 *
 * idle → searching (Requested) → proposed (Proposed) → matched (Matched, room created) or back to searching
 * (Requeued) / idle (Left). A searching or matched entry expires 5 minutes after the last poll.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { Preferences } from './preferences.js';

export const QUEUE_ENTRY_TTL_MS = 5 * 60_000;
/** A poll only records a keep-alive when it moves the expiry by at least this much (bounds the stream's growth). */
export const KEEP_ALIVE_STEP_MS = 30_000;

export const ticketStream = (userId: string) => `matchmaking-${userId}`;

export type LeaveReason = 'cancelled' | 'expired' | 'declined';
export type RequeueReason = 'declined' | 'expired' | 'withdrawn';

export type MatchmakingRequested = DomainEvent<
  'MatchmakingRequested',
  { userId: string; requestId: string; preferences: Preferences; enqueuedAt: string; expiresAt: string }
>;
export type MatchmakingKeptAlive = DomainEvent<'MatchmakingKeptAlive', { userId: string; requestId: string; expiresAt: string }>;
export type MatchmakingLeft = DomainEvent<'MatchmakingLeft', { userId: string; requestId: string; reason: LeaveReason; matchId: string | null }>;
export type MatchmakingProposed = DomainEvent<
  'MatchmakingProposed',
  { userId: string; requestId: string; matchId: string; opponentId: string; proposalExpiresAt: string }
>;
export type MatchmakingRequeued = DomainEvent<
  'MatchmakingRequeued',
  { userId: string; requestId: string; matchId: string; reason: RequeueReason; expiresAt: string }
>;
export type MatchmakingMatched = DomainEvent<
  'MatchmakingMatched',
  { userId: string; requestId: string; matchId: string; roomId: string; expiresAt: string }
>;
export type TicketEvent =
  | MatchmakingRequested
  | MatchmakingKeptAlive
  | MatchmakingLeft
  | MatchmakingProposed
  | MatchmakingRequeued
  | MatchmakingMatched;

export const TICKET_EVENT_TYPES = [
  'MatchmakingRequested',
  'MatchmakingKeptAlive',
  'MatchmakingLeft',
  'MatchmakingProposed',
  'MatchmakingRequeued',
  'MatchmakingMatched',
] as const satisfies readonly TicketEvent['type'][];

export type TicketCommand =
  | { type: 'Enqueue'; userId: string; requestId: string; preferences: Preferences; now: string }
  | { type: 'KeepAlive'; userId: string; now: string }
  | { type: 'Leave'; userId: string; now: string }
  | { type: 'Expire'; userId: string; now: string }
  | { type: 'Propose'; userId: string; requestId: string; matchId: string; opponentId: string; proposalExpiresAt: string; now: string }
  | { type: 'ReleaseProposal'; userId: string; matchId: string; requeue: boolean; reason: RequeueReason; now: string }
  | { type: 'Confirm'; userId: string; matchId: string; roomId: string; now: string };

export type TicketStatus = 'idle' | 'searching' | 'proposed' | 'matched';

export interface TicketState {
  status: TicketStatus;
  requestId: string | null;
  preferences: Preferences | null;
  enqueuedAt: string | null;
  expiresAt: string | null;
  matchId: string | null;
  opponentId: string | null;
  roomId: string | null;
}

const idle = (): TicketState => ({
  status: 'idle',
  requestId: null,
  preferences: null,
  enqueuedAt: null,
  expiresAt: null,
  matchId: null,
  opponentId: null,
  roomId: null,
});

export const matchErrors = {
  alreadySearching: () => new DomainError('MATCH_ALREADY_SEARCHING', 'You are already searching for a match'),
  requestUnavailable: () => new DomainError('MATCH_REQUEST_UNAVAILABLE', 'The queue entry is no longer available for a match'),
  notFound: () => new DomainError('MATCH_NOT_FOUND', 'Match not found'),
  expired: () => new DomainError('MATCH_EXPIRED', 'The match proposal is no longer open'),
  alreadyAccepted: () => new DomainError('MATCH_ALREADY_ACCEPTED', 'Both players already accepted the match'),
};

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const expired = (s: TicketState, now: string) => s.expiresAt !== null && Date.parse(s.expiresAt) <= Date.parse(now);
/** Searching and matched entries live on polls; a proposal lives on its own 30 s deadline. */
const livesOnPolls = (s: TicketState) => s.status === 'searching' || s.status === 'matched';

function leave(s: TicketState, userId: string, reason: LeaveReason): MatchmakingLeft {
  return { type: 'MatchmakingLeft', data: { userId, requestId: s.requestId!, reason, matchId: s.matchId } };
}

export const ticketDecider: Decider<TicketCommand, TicketState, TicketEvent> = {
  initialState: idle,
  evolve(s, e) {
    switch (e.type) {
      case 'MatchmakingRequested':
        return { ...idle(), status: 'searching', requestId: e.data.requestId, preferences: e.data.preferences, enqueuedAt: e.data.enqueuedAt, expiresAt: e.data.expiresAt };
      case 'MatchmakingKeptAlive':
        return { ...s, expiresAt: e.data.expiresAt };
      case 'MatchmakingLeft':
        return idle();
      case 'MatchmakingProposed':
        return { ...s, status: 'proposed', matchId: e.data.matchId, opponentId: e.data.opponentId };
      case 'MatchmakingRequeued':
        return { ...s, status: 'searching', matchId: null, opponentId: null, expiresAt: e.data.expiresAt };
      case 'MatchmakingMatched':
        return { ...s, status: 'matched', roomId: e.data.roomId, expiresAt: e.data.expiresAt };
    }
  },
  decide(c, s) {
    switch (c.type) {
      case 'Enqueue': {
        const events: TicketEvent[] = [];
        if (s.status === 'proposed' || (s.status === 'searching' && !expired(s, c.now))) throw matchErrors.alreadySearching();
        if (s.status !== 'idle') events.push(leave(s, c.userId, s.status === 'searching' ? 'expired' : 'cancelled'));
        events.push({
          type: 'MatchmakingRequested',
          data: { userId: c.userId, requestId: c.requestId, preferences: c.preferences, enqueuedAt: c.now, expiresAt: plus(c.now, QUEUE_ENTRY_TTL_MS) },
        });
        return events;
      }
      case 'KeepAlive': {
        if (!livesOnPolls(s)) return [];
        if (expired(s, c.now)) return [leave(s, c.userId, 'expired')];
        const next = plus(c.now, QUEUE_ENTRY_TTL_MS);
        if (Date.parse(next) - Date.parse(s.expiresAt!) < KEEP_ALIVE_STEP_MS) return [];
        return [{ type: 'MatchmakingKeptAlive', data: { userId: c.userId, requestId: s.requestId!, expiresAt: next } }];
      }
      case 'Leave':
        return s.status === 'idle' ? [] : [leave(s, c.userId, 'cancelled')];
      case 'Expire':
        return livesOnPolls(s) && expired(s, c.now) ? [leave(s, c.userId, 'expired')] : [];
      case 'Propose':
        if (s.status !== 'searching' || s.requestId !== c.requestId || expired(s, c.now)) throw matchErrors.requestUnavailable();
        return [
          {
            type: 'MatchmakingProposed',
            data: { userId: c.userId, requestId: c.requestId, matchId: c.matchId, opponentId: c.opponentId, proposalExpiresAt: c.proposalExpiresAt },
          },
        ];
      case 'ReleaseProposal':
        if (s.status !== 'proposed' || s.matchId !== c.matchId) return [];
        if (!c.requeue) return [leave(s, c.userId, c.reason === 'withdrawn' ? 'cancelled' : c.reason)];
        return [
          {
            type: 'MatchmakingRequeued',
            data: { userId: c.userId, requestId: s.requestId!, matchId: c.matchId, reason: c.reason, expiresAt: plus(c.now, QUEUE_ENTRY_TTL_MS) },
          },
        ];
      case 'Confirm':
        if (s.status !== 'proposed' || s.matchId !== c.matchId) return [];
        return [
          {
            type: 'MatchmakingMatched',
            data: { userId: c.userId, requestId: s.requestId!, matchId: c.matchId, roomId: c.roomId, expiresAt: plus(c.now, QUEUE_ENTRY_TTL_MS) },
          },
        ];
    }
  },
};
