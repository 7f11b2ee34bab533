/**
 * matchmaking from `matchmaking-<userId>` and `match-<id>`: one row per user holding their current queue entry
 * (`idle` entries are deleted) and one row per proposal. Ticket rows are guarded by the user stream's revision, match
 * rows by the match stream's; the acceptance flag a match event sets on a ticket is only set on the ticket of that
 * very match, so replays leave the same rows.
 */
import { sql } from 'kysely';
import { MATCH_EVENT_TYPES, type MatchEvent } from '../../domain/matchmaking/match.js';
import { TICKET_EVENT_TYPES, type TicketEvent } from '../../domain/matchmaking/ticket.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { occurredAt, type Projection, type Trx } from '../projection.js';

async function applyTicket(trx: Trx, event: RecordedEvent): Promise<void> {
  const e = { type: event.type, data: event.data } as unknown as TicketEvent;
  const rev = event.revision.toString();
  const guard = sql`user_id = ${e.data.userId} AND last_revision < ${rev}`;
  switch (e.type) {
    case 'MatchmakingRequested':
      await sql`
        INSERT INTO matchmaking_tickets (user_id, request_id, status, preferences, enqueued_at, expires_at, last_revision)
        VALUES (${e.data.userId}, ${e.data.requestId}, 'searching', ${JSON.stringify(e.data.preferences)}::jsonb, ${e.data.enqueuedAt},
                ${e.data.expiresAt}, ${rev})
        ON CONFLICT (user_id) DO UPDATE SET request_id = EXCLUDED.request_id, status = 'searching', preferences = EXCLUDED.preferences,
          enqueued_at = EXCLUDED.enqueued_at, expires_at = EXCLUDED.expires_at, match_id = NULL, opponent_id = NULL, room_id = NULL,
          accepted = false, proposal_expires_at = NULL, last_revision = EXCLUDED.last_revision
        WHERE matchmaking_tickets.last_revision < EXCLUDED.last_revision`.execute(trx);
      return;
    case 'MatchmakingKeptAlive':
      await sql`UPDATE matchmaking_tickets SET expires_at = ${e.data.expiresAt}, last_revision = ${rev} WHERE ${guard}`.execute(trx);
      return;
    case 'MatchmakingLeft':
      await sql`DELETE FROM matchmaking_tickets WHERE ${guard}`.execute(trx);
      return;
    case 'MatchmakingProposed':
      await sql`
        UPDATE matchmaking_tickets SET status = 'proposed', match_id = ${e.data.matchId}, opponent_id = ${e.data.opponentId}, accepted = false,
          proposal_expires_at = ${e.data.proposalExpiresAt}, last_revision = ${rev}
        WHERE ${guard}`.execute(trx);
      return;
    case 'MatchmakingRequeued':
      await sql`
        UPDATE matchmaking_tickets SET status = 'searching', match_id = NULL, opponent_id = NULL, accepted = false, proposal_expires_at = NULL,
          expires_at = ${e.data.expiresAt}, last_revision = ${rev}
        WHERE ${guard}`.execute(trx);
      return;
    case 'MatchmakingMatched':
      await sql`
        UPDATE matchmaking_tickets SET status = 'matched', room_id = ${e.data.roomId}, accepted = true, expires_at = ${e.data.expiresAt},
          last_revision = ${rev}
        WHERE ${guard}`.execute(trx);
      return;
  }
}

async function applyMatch(trx: Trx, event: RecordedEvent): Promise<void> {
  const e = { type: event.type, data: event.data } as unknown as MatchEvent;
  const rev = event.revision.toString();
  const guard = sql`match_id = ${e.data.matchId} AND last_revision < ${rev}`;
  switch (e.type) {
    case 'MatchProposed':
      await sql`
        INSERT INTO matchmaking_matches (match_id, status, user_ids, host_id, expires_at, accepted, created_at, last_revision)
        VALUES (${e.data.matchId}, 'proposed', ${JSON.stringify(e.data.userIds)}::jsonb, ${e.data.hostId}, ${e.data.expiresAt}, '[]'::jsonb,
                ${occurredAt(event)}, ${rev})
        ON CONFLICT (match_id) DO NOTHING`.execute(trx);
      return;
    case 'MatchAccepted':
      await sql`
        UPDATE matchmaking_matches SET accepted = accepted || ${JSON.stringify([e.data.userId])}::jsonb,
          status = CASE WHEN ${e.data.bothAccepted} THEN 'accepted' ELSE status END, last_revision = ${rev}
        WHERE ${guard}`.execute(trx);
      await sql`UPDATE matchmaking_tickets SET accepted = true WHERE user_id = ${e.data.userId} AND match_id = ${e.data.matchId}`.execute(trx);
      return;
    case 'MatchDeclined':
    case 'MatchExpired':
    case 'MatchCancelled': {
      const status = e.type === 'MatchDeclined' ? 'declined' : e.type === 'MatchExpired' ? 'expired' : 'cancelled';
      await sql`UPDATE matchmaking_matches SET status = ${status}, last_revision = ${rev} WHERE ${guard}`.execute(trx);
      return;
    }
    case 'MatchRoomCreated':
      await sql`UPDATE matchmaking_matches SET status = 'confirmed', room_id = ${e.data.roomId}, last_revision = ${rev} WHERE ${guard}`.execute(trx);
      return;
  }
}

const ticketTypes: readonly string[] = TICKET_EVENT_TYPES;

export const matchmakingProjection: Projection = {
  name: 'matchmaking',
  version: 1,
  eventTypes: [...TICKET_EVENT_TYPES, ...MATCH_EVENT_TYPES],
  tables: ['matchmaking_tickets', 'matchmaking_matches'],
  async apply(trx, event) {
    if (ticketTypes.includes(event.type)) await applyTicket(trx, event);
    else await applyMatch(trx, event);
  },
};
