/** The caller's matchmaking status (with the `MatchOpponent` of a pending proposal), from the read models. */
import type { Preferences } from '../../domain/matchmaking/preferences.js';
import type { AppContext } from '../../composition/context.js';
import { findUserSummaries, resolveAvatarUrl } from '../users/queries.js';
import { findTicket, queuePosition } from './queries.js';

export interface MatchOpponent {
  userId: string;
  username: string;
  displayName: string | null;
  avatarUrl: string | null;
}

export type MatchmakingStatus =
  | { status: 'idle' }
  | { status: 'searching'; requestId: string; queuePosition: number; expiresAt: string; preferences: Preferences }
  | {
      status: 'matched';
      requestId: string;
      matchId: string;
      roomId: string | null;
      opponent: MatchOpponent;
      expiresAt: string;
      preferences: Preferences;
      accepted: boolean;
    };

/**
 * `searching` while in the queue; `matched` from the proposal on (`roomId` null and `expiresAt` the acceptance
 * deadline until both accepted; then the room, and the entry's own expiry); `idle` otherwise.
 */
export async function matchmakingStatus(ctx: AppContext, userId: string, now = new Date()): Promise<MatchmakingStatus> {
  const ticket = await findTicket(ctx.db, userId);
  if (!ticket || (ticket.status !== 'proposed' && ticket.expiresAt.getTime() <= now.getTime())) return { status: 'idle' };
  if (ticket.status === 'searching') {
    return {
      status: 'searching',
      requestId: ticket.requestId,
      queuePosition: await queuePosition(ctx.db, ticket, now),
      expiresAt: ticket.expiresAt.toISOString(),
      preferences: ticket.preferences,
    };
  }
  const opponentId = ticket.opponentId!;
  const summary = (await findUserSummaries(ctx.db, [opponentId])).get(opponentId);
  return {
    status: 'matched',
    requestId: ticket.requestId,
    matchId: ticket.matchId!,
    roomId: ticket.roomId,
    opponent: {
      userId: opponentId,
      username: summary?.username ?? 'deleted-user',
      displayName: summary?.displayName ?? null,
      avatarUrl: await resolveAvatarUrl(ctx, summary?.avatarKey),
    },
    expiresAt: (ticket.status === 'proposed' ? ticket.proposalExpiresAt! : ticket.expiresAt).toISOString(),
    preferences: ticket.preferences,
    accepted: ticket.accepted,
  };
}
