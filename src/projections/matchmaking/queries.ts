/** Reads of the matchmaking read models (queue entries and proposals). */
import { sql } from 'kysely';
import type { Preferences } from '../../domain/matchmaking/preferences.js';
import type { TicketStatus } from '../../domain/matchmaking/ticket.js';
import type { Db } from '../../infra/db/database.js';

export interface TicketRow {
  userId: string;
  requestId: string;
  status: Exclude<TicketStatus, 'idle'>;
  preferences: Preferences;
  enqueuedAt: Date;
  expiresAt: Date;
  matchId: string | null;
  opponentId: string | null;
  roomId: string | null;
  accepted: boolean;
  proposalExpiresAt: Date | null;
}

const columns = sql`user_id AS "userId", request_id AS "requestId", status, preferences, enqueued_at AS "enqueuedAt", expires_at AS "expiresAt",
  match_id AS "matchId", opponent_id AS "opponentId", room_id AS "roomId", accepted, proposal_expires_at AS "proposalExpiresAt"`;

export async function findTicket(db: Db, userId: string): Promise<TicketRow | undefined> {
  const { rows } = await sql<TicketRow>`SELECT ${columns} FROM matchmaking_tickets WHERE user_id = ${userId}`.execute(db);
  return rows[0];
}

/** 1 + the live searching entries created before this one (ties by request id). */
export async function queuePosition(db: Db, ticket: Pick<TicketRow, 'enqueuedAt' | 'requestId'>, now: Date): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM matchmaking_tickets
    WHERE status = 'searching' AND expires_at > ${now} AND (enqueued_at, request_id) < (${ticket.enqueuedAt}, ${ticket.requestId})`.execute(db);
  return 1 + Number(rows[0]?.n ?? 0);
}

/** Live searching entries, oldest first. */
export async function findSearchingTickets(db: Db, now: Date, limit: number): Promise<TicketRow[]> {
  const { rows } = await sql<TicketRow>`
    SELECT ${columns} FROM matchmaking_tickets WHERE status = 'searching' AND expires_at > ${now}
    ORDER BY enqueued_at, request_id LIMIT ${limit}`.execute(db);
  return rows;
}

/** Users whose searching or matched entry was not polled in time. */
export async function findExpiredTickets(db: Db, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ userId: string }>`
    SELECT user_id AS "userId" FROM matchmaking_tickets WHERE status IN ('searching', 'matched') AND expires_at <= ${now}
    ORDER BY expires_at LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.userId);
}

/** Proposals still open past their deadline. */
export async function findExpiredProposals(db: Db, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ matchId: string }>`
    SELECT match_id AS "matchId" FROM matchmaking_matches WHERE status = 'proposed' AND expires_at <= ${now}
    ORDER BY expires_at LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.matchId);
}
