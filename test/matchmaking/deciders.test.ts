/** Matchmaking deciders: given events / when command / then events or error. */
import { describe, expect, it } from '@jest/globals';
import { matchDecider, type MatchEvent } from '../../src/domain/matchmaking/match.js';
import { normalisePreferences, pairing } from '../../src/domain/matchmaking/preferences.js';
import { ticketDecider, type TicketEvent } from '../../src/domain/matchmaking/ticket.js';
import { answered, thrownBy } from '../support/answered.js';
import { deciderSpec } from '../support/decider-spec.js';
import { clock } from '../support/clock.js';

const T0 = '2026-01-01T10:00:00.000Z';
const at = clock(T0, 1);
const prefs = normalisePreferences({});
const requested: TicketEvent = {
  type: 'MatchmakingRequested',
  data: { userId: 'u1', requestId: 'r1', preferences: prefs, enqueuedAt: T0, expiresAt: at(300_000) },
};
const proposedTicket: TicketEvent = {
  type: 'MatchmakingProposed',
  data: { userId: 'u1', requestId: 'r1', matchId: 'm1', opponentId: 'u2', proposalExpiresAt: at(30_000) },
};

const ticket = deciderSpec(ticketDecider).when;
const match = deciderSpec(matchDecider).when;

const proposed: MatchEvent = {
  type: 'MatchProposed',
  data: { matchId: 'm1', userIds: ['u1', 'u2'], requestIds: { u1: 'r1', u2: 'r2' }, hostId: 'u1', language: 'python', problemIds: [], proposedAt: T0, expiresAt: at(30_000) },
};

describe('preferences', () => {
  it('normalises: deduplicated, canonical enum order, trimmed topics', () => {
    expect(normalisePreferences({ languages: ['go', 'python', 'go'], difficulties: ['hard', 'easy'], topics: [' graphs ', 'graphs'], roles: ['candidate', 'interviewer'] })).toEqual({
      languages: ['python', 'go'],
      difficulties: ['easy', 'hard'],
      problemIds: [],
      topics: ['graphs'],
      roles: ['interviewer', 'candidate'],
    });
  });

  it('pairs overlapping preferences and picks the host by role', () => {
    const a = normalisePreferences({ roles: ['candidate'], languages: ['go', 'java'] });
    const b = normalisePreferences({ roles: ['interviewer'], languages: ['java'] });
    expect(pairing(a, b)).toEqual({ host: 'second', language: 'java', problemIds: [] });
    expect(pairing(normalisePreferences({}), normalisePreferences({}))?.language).toBe('python');
  });

  it('refuses disjoint languages, disjoint problems, same single role and observer-only', () => {
    expect(pairing(normalisePreferences({ languages: ['go'] }), normalisePreferences({ languages: ['java'] }))).toBeUndefined();
    expect(
      pairing(
        normalisePreferences({ problemIds: ['00000000-0000-4000-8000-000000000001'] }),
        normalisePreferences({ problemIds: ['00000000-0000-4000-8000-000000000002'] }),
      ),
    ).toBeUndefined();
    expect(pairing(normalisePreferences({ roles: ['candidate'] }), normalisePreferences({ roles: ['candidate'] }))).toBeUndefined();
    expect(pairing(normalisePreferences({ roles: ['observer'] }), normalisePreferences({}))).toBeUndefined();
  });
});

describe('ticket decider', () => {
  it('enqueues from idle', () => {
    expect(ticket([], { type: 'Enqueue', userId: 'u1', requestId: 'r1', preferences: prefs, now: T0 })).toEqual([requested]);
  });

  it('refuses a second enqueue while searching or proposed', () => {
    expect(answered(thrownBy(() => ticket([requested], { type: 'Enqueue', userId: 'u1', requestId: 'r2', preferences: prefs, now: at(1000) })))).toMatchObject(
      { code: 'MATCH_ALREADY_SEARCHING', status: 409 },
    );
    expect(() => ticket([requested, proposedTicket], { type: 'Enqueue', userId: 'u1', requestId: 'r2', preferences: prefs, now: at(1000) })).toThrow(
      expect.objectContaining({ code: 'MATCH_ALREADY_SEARCHING' }),
    );
  });

  it('replaces an expired entry', () => {
    const events = ticket([requested], { type: 'Enqueue', userId: 'u1', requestId: 'r2', preferences: prefs, now: at(301_000) });
    expect(events.map((e) => e.type)).toEqual(['MatchmakingLeft', 'MatchmakingRequested']);
  });

  it('keeps alive only when the expiry moves by 30 s or more, and expires an unpolled entry', () => {
    expect(ticket([requested], { type: 'KeepAlive', userId: 'u1', now: at(10_000) })).toEqual([]);
    expect(ticket([requested], { type: 'KeepAlive', userId: 'u1', now: at(60_000) })).toEqual([
      { type: 'MatchmakingKeptAlive', data: { userId: 'u1', requestId: 'r1', expiresAt: at(360_000) } },
    ]);
    expect(ticket([requested], { type: 'KeepAlive', userId: 'u1', now: at(300_000) })[0]?.type).toBe('MatchmakingLeft');
    expect(ticket([requested], { type: 'Expire', userId: 'u1', now: at(299_000) })).toEqual([]);
  });

  it('claims a searching request once: a second proposal is refused', () => {
    const cmd = { type: 'Propose' as const, userId: 'u1', requestId: 'r1', matchId: 'm2', opponentId: 'u3', proposalExpiresAt: at(30_000), now: T0 };
    expect(ticket([requested], cmd)[0]?.type).toBe('MatchmakingProposed');
    expect(() => ticket([requested, proposedTicket], cmd)).toThrow(expect.objectContaining({ code: 'MATCH_REQUEST_UNAVAILABLE' }));
    expect(() => ticket([requested], { ...cmd, requestId: 'other' })).toThrow(expect.objectContaining({ code: 'MATCH_REQUEST_UNAVAILABLE' }));
  });

  it('requeues or leaves when the proposal ends, only for that proposal', () => {
    const release = { type: 'ReleaseProposal' as const, userId: 'u1', matchId: 'm1', requeue: true, reason: 'declined' as const, now: at(5000) };
    expect(ticket([requested, proposedTicket], release)[0]?.type).toBe('MatchmakingRequeued');
    expect(ticket([requested, proposedTicket], { ...release, requeue: false })[0]).toMatchObject({ type: 'MatchmakingLeft', data: { reason: 'declined' } });
    expect(ticket([requested, proposedTicket], { ...release, matchId: 'other' })).toEqual([]);
  });
});

describe('match decider', () => {
  it('accepts; the second acceptance completes the pair', () => {
    expect(match([proposed], { type: 'Accept', userId: 'u1', now: at(1000) })).toEqual([
      { type: 'MatchAccepted', data: { matchId: 'm1', userId: 'u1', bothAccepted: false } },
    ]);
    const first: MatchEvent = { type: 'MatchAccepted', data: { matchId: 'm1', userId: 'u1', bothAccepted: false } };
    expect(match([proposed, first], { type: 'Accept', userId: 'u1', now: at(2000) })).toEqual([]);
    expect(match([proposed, first], { type: 'Accept', userId: 'u2', now: at(2000) })).toEqual([
      { type: 'MatchAccepted', data: { matchId: 'm1', userId: 'u2', bothAccepted: true } },
    ]);
  });

  it('404 for strangers and unknown matches, 409 MATCH_EXPIRED past the deadline or after a decline', () => {
    expect(answered(thrownBy(() => match([], { type: 'Accept', userId: 'u1', now: T0 })))).toMatchObject({ code: 'MATCH_NOT_FOUND', status: 404 });
    expect(() => match([proposed], { type: 'Accept', userId: 'u9', now: T0 })).toThrow(expect.objectContaining({ code: 'MATCH_NOT_FOUND' }));
    expect(answered(thrownBy(() => match([proposed], { type: 'Accept', userId: 'u1', now: at(30_000) })))).toMatchObject({ code: 'MATCH_EXPIRED', status: 409 });
    const declined: MatchEvent = { type: 'MatchDeclined', data: { matchId: 'm1', userId: 'u2' } };
    expect(() => match([proposed, declined], { type: 'Accept', userId: 'u1', now: at(1000) })).toThrow(expect.objectContaining({ code: 'MATCH_EXPIRED' }));
  });

  it('expires only past the deadline, reporting who had accepted', () => {
    expect(match([proposed], { type: 'Expire', now: at(29_000) })).toEqual([]);
    const first: MatchEvent = { type: 'MatchAccepted', data: { matchId: 'm1', userId: 'u2', bothAccepted: false } };
    expect(match([proposed, first], { type: 'Expire', now: at(31_000) })).toEqual([{ type: 'MatchExpired', data: { matchId: 'm1', acceptedUserIds: ['u2'] } }]);
  });
});
