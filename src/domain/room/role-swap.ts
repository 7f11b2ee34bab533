/**
 * Role swaps of peer rooms: requested by an active participant towards another active participant with a different
 * role, accepted only by the target, declined by either side, answered within 30 s; allowed while roles may still
 * trade (`waiting`, `warmup`, `coding`).
 */
import type { ExpireRoleSwaps, RequestRoleSwap, RespondToRoleSwap } from './commands.js';
import { ROLE_SWAP_TTL_MS, type RoomStatus } from './constants.js';
import { roomErrors } from './errors.js';
import type { RoomEvent } from './events.js';
import { requireNotFinished, requireRoom } from './guards.js';
import { requireActive } from './rules.js';
import type { RoomState } from './state.js';

export const SWAP_PHASES: readonly RoomStatus[] = ['waiting', 'warmup', 'coding'];

function assertSwapPhase(s: RoomState): void {
  if (!SWAP_PHASES.includes(s.status)) throw roomErrors.cannotChangeRole('Roles cannot be swapped once the session is wrapping up');
}

export function requestSwap(c: RequestRoleSwap, s: RoomState): RoomEvent[] {
  requireRoom(s);
  if (s.mode !== 'peer') throw roomErrors.notPeerMode();
  if (s.roleSwaps[c.swapId]) return [];
  assertSwapPhase(s);
  const requester = requireActive(s, c.by);
  if (c.targetUserId === c.by) throw roomErrors.validation('targetUserId', 'You cannot swap roles with yourself', c.targetUserId);
  const target = s.participants[c.targetUserId];
  if (!target || !target.isActive) throw roomErrors.participantNotFound();
  if (target.role === requester.role) throw roomErrors.cannotChangeRole('You and the target already hold the same role');
  return [
    {
      type: 'RoleSwapRequested',
      data: {
        swapId: c.swapId,
        requesterId: c.by,
        targetUserId: c.targetUserId,
        requesterRole: requester.role,
        targetRole: target.role,
        requestedAt: c.now,
        expiresAt: new Date(Date.parse(c.now) + ROLE_SWAP_TTL_MS).toISOString(),
      },
    },
  ];
}

export function respondSwap(c: RespondToRoleSwap, s: RoomState): RoomEvent[] {
  requireRoom(s);
  const swap = s.roleSwaps[c.swapId];
  if (!swap) throw roomErrors.swapNotFound();
  if (c.accept) assertSwapPhase(s);
  else requireNotFinished(s);
  const mayRespond = c.by === swap.targetUserId || (c.by === swap.requesterId && !c.accept);
  if (!mayRespond) throw roomErrors.permissionDenied('Only the requested participant can accept this swap');
  if (swap.status === 'expired') throw roomErrors.swapExpired();
  if ((swap.status === 'accepted' && c.accept) || (swap.status === 'declined' && !c.accept)) return [];
  if (swap.status !== 'pending') throw roomErrors.swapNotFound();
  if (Date.parse(c.now) > Date.parse(swap.expiresAt)) throw roomErrors.swapExpired();
  if (!c.accept) return [{ type: 'RoleSwapDeclined', data: { swapId: swap.swapId, declinedBy: c.by, respondedAt: c.now } }];
  assertSwapPhase(s);
  const requester = s.participants[swap.requesterId];
  const target = s.participants[swap.targetUserId];
  if (!requester?.isActive || !target?.isActive || requester.role !== swap.requesterRole || target.role !== swap.targetRole) {
    throw roomErrors.cannotChangeRole('The participants or their roles changed since the swap was requested');
  }
  return [
    {
      type: 'RoleSwapAccepted',
      data: {
        swapId: swap.swapId,
        requesterId: swap.requesterId,
        targetUserId: swap.targetUserId,
        requesterRole: swap.targetRole,
        targetRole: swap.requesterRole,
        respondedAt: c.now,
      },
    },
  ];
}

export function expireSwaps(c: ExpireRoleSwaps, s: RoomState): RoomEvent[] {
  if (!s.exists || s.destroyed) return [];
  return Object.values(s.roleSwaps)
    .filter((swap) => swap.status === 'pending' && Date.parse(swap.expiresAt) <= Date.parse(c.now))
    .map((swap) => ({ type: 'RoleSwapExpired', data: { swapId: swap.swapId, expiredAt: c.now } }));
}
