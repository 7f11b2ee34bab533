/**
 * A proposed match (`match-<id>`) between two queue entries: both players must accept within 30 s. The second
 * acceptance closes the proposal (`bothAccepted`); the handler then creates the room and records it here. A decline,
 * the deadline passing, or a failed claim of one of the entries ends the proposal.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import type { Language } from '../problem/content.js';
import { matchErrors } from './ticket.js';

export const PROPOSAL_TTL_MS = 30_000;

export const matchStream = (matchId: string) => `match-${matchId}`;

export type MatchProposed = DomainEvent<
  'MatchProposed',
  {
    matchId: string;
    userIds: [string, string];
    requestIds: Record<string, string>;
    hostId: string;
    language: Language;
    problemIds: string[];
    proposedAt: string;
    expiresAt: string;
  }
>;
export type MatchAccepted = DomainEvent<'MatchAccepted', { matchId: string; userId: string; bothAccepted: boolean }>;
export type MatchDeclined = DomainEvent<'MatchDeclined', { matchId: string; userId: string }>;
export type MatchExpired = DomainEvent<'MatchExpired', { matchId: string; acceptedUserIds: string[] }>;
export type MatchCancelled = DomainEvent<'MatchCancelled', { matchId: string; reason: string }>;
export type MatchRoomCreated = DomainEvent<'MatchRoomCreated', { matchId: string; roomId: string }>;
export type MatchEvent = MatchProposed | MatchAccepted | MatchDeclined | MatchExpired | MatchCancelled | MatchRoomCreated;

export const MATCH_EVENT_TYPES = [
  'MatchProposed',
  'MatchAccepted',
  'MatchDeclined',
  'MatchExpired',
  'MatchCancelled',
  'MatchRoomCreated',
] as const satisfies readonly MatchEvent['type'][];

export type MatchStatus = 'none' | 'proposed' | 'accepted' | 'confirmed' | 'declined' | 'expired' | 'cancelled';

export interface MatchState {
  status: MatchStatus;
  matchId: string | null;
  userIds: string[];
  requestIds: Record<string, string>;
  hostId: string | null;
  language: Language | null;
  problemIds: string[];
  expiresAt: string | null;
  accepted: string[];
  roomId: string | null;
}

export type MatchCommand =
  | { type: 'Propose'; data: MatchProposed['data'] }
  | { type: 'Accept'; userId: string; now: string }
  | { type: 'Decline'; userId: string; now: string }
  | { type: 'Expire'; now: string }
  | { type: 'Cancel'; reason: string }
  | { type: 'RecordRoom'; roomId: string };

const initial = (): MatchState => ({
  status: 'none',
  matchId: null,
  userIds: [],
  requestIds: {},
  hostId: null,
  language: null,
  problemIds: [],
  expiresAt: null,
  accepted: [],
  roomId: null,
});

const pastDeadline = (s: MatchState, now: string) => s.expiresAt !== null && Date.parse(now) >= Date.parse(s.expiresAt);

/** The answer to a player acting on the proposal: 404 unless it is theirs, 409 once it is no longer open. */
function requireOpen(s: MatchState, userId: string, now: string): void {
  if (s.status === 'none' || !s.userIds.includes(userId)) throw matchErrors.notFound();
  if (s.status === 'declined' || s.status === 'expired' || s.status === 'cancelled') throw matchErrors.expired();
  if (s.status === 'proposed' && pastDeadline(s, now)) throw matchErrors.expired();
}

export const matchDecider: Decider<MatchCommand, MatchState, MatchEvent> = {
  initialState: initial,
  evolve(s, e) {
    switch (e.type) {
      case 'MatchProposed':
        return {
          ...initial(),
          status: 'proposed',
          matchId: e.data.matchId,
          userIds: [...e.data.userIds],
          requestIds: { ...e.data.requestIds },
          hostId: e.data.hostId,
          language: e.data.language,
          problemIds: [...e.data.problemIds],
          expiresAt: e.data.expiresAt,
        };
      case 'MatchAccepted':
        return { ...s, accepted: [...s.accepted, e.data.userId], status: e.data.bothAccepted ? 'accepted' : s.status };
      case 'MatchDeclined':
        return { ...s, status: 'declined' };
      case 'MatchExpired':
        return { ...s, status: 'expired' };
      case 'MatchCancelled':
        return { ...s, status: 'cancelled' };
      case 'MatchRoomCreated':
        return { ...s, status: 'confirmed', roomId: e.data.roomId };
    }
  },
  decide(c, s) {
    switch (c.type) {
      case 'Propose':
        if (s.status !== 'none') return [];
        return [{ type: 'MatchProposed', data: c.data }];
      case 'Accept': {
        requireOpen(s, c.userId, c.now);
        if (s.accepted.includes(c.userId)) return [];
        const bothAccepted = s.userIds.every((u) => u === c.userId || s.accepted.includes(u));
        return [{ type: 'MatchAccepted', data: { matchId: s.matchId!, userId: c.userId, bothAccepted } }];
      }
      case 'Decline':
        requireOpen(s, c.userId, c.now);
        if (s.status !== 'proposed') throw matchErrors.alreadyAccepted();
        return [{ type: 'MatchDeclined', data: { matchId: s.matchId!, userId: c.userId } }];
      case 'Expire':
        if (s.status !== 'proposed' || !pastDeadline(s, c.now)) return [];
        return [{ type: 'MatchExpired', data: { matchId: s.matchId!, acceptedUserIds: [...s.accepted] } }];
      case 'Cancel':
        if (s.status !== 'proposed' && s.status !== 'accepted') return [];
        return [{ type: 'MatchCancelled', data: { matchId: s.matchId!, reason: c.reason } }];
      case 'RecordRoom':
        if (s.status !== 'accepted') return [];
        return [{ type: 'MatchRoomCreated', data: { matchId: s.matchId!, roomId: c.roomId } }];
    }
  },
};
