/**
 * Matchmaking commands: the queue, the pairing cycle and the proposal flow.
 *
 * * A user's queue entry lives on `matchmaking-<userId>`; enqueueing, polling, leaving and expiry are commands on it.
 * * The matching cycle pairs compatible searching entries: it writes `MatchProposed` on a fresh `match-<id>`, then
 *   claims each entry on its own stream (the ticket decider refuses an entry that is no longer the same searching
 *   request, and the append carries the revision the decision was made on). A failed claim withdraws the proposal and
 *   puts the other entry back, so an entry is never part of two open proposals.
 * * Both players accept within 30 s. The acceptance that completes the pair creates the room: the interviewer side
 *   of the pairing hosts it (`createRoom`, peer mode, linked to the match), the other player joins it as candidate
 *   (`joinRoom` with the room's code), then the room is recorded on the match and both entries become `matched`.
 * * A decline ends the proposal: the decliner leaves the queue, the other player is searching again. When the
 *   deadline passes, players who had accepted are searching again and players who had not leave the queue.
 */
import { randomUUID } from 'node:crypto';
import { handleCommand } from '../handle-command.js';
import { systemMetadata, type RequestMetadata } from '../metadata.js';
import { availableProblem, createRoom, joinRoom } from '../rooms/lifecycle.js';
import { matchDecider, matchStream, PROPOSAL_TTL_MS, type MatchState } from '../../domain/matchmaking/match.js';
import { normalisePreferences, pairing, type Pairing, type PreferencesInput } from '../../domain/matchmaking/preferences.js';
import { ticketDecider, ticketStream, type RequeueReason, type TicketCommand } from '../../domain/matchmaking/ticket.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { Position } from '../../infra/eventstore/port.js';
import { findExpiredProposals, findExpiredTickets, findSearchingTickets, type TicketRow } from '../../projections/matchmaking/queries.js';
import type { Ports, SettleDeps, WriteDeps } from '../ports.js';
import { settle } from '../execute.js';

/** What a command wrote, so a route can wait for the read models (read-your-writes) once at the end. */
export class Writes {
  position: Position | undefined;
  readonly eventTypes = new Set<string>();
  add(result: { position: Position | undefined; events: ReadonlyArray<{ type: string }> }): void {
    if (result.position && (!this.position || result.position.commit >= this.position.commit)) this.position = result.position;
    for (const e of result.events) this.eventTypes.add(e.type);
  }
  async settle(ctx: SettleDeps): Promise<void> {
    await settle(ctx, this.position, [...this.eventTypes]);
  }
}

const SEARCH_BATCH = 500;
const EXPIRY_BATCH = 200;

async function onTicket(ctx: Pick<Ports, 'store'>, writes: Writes, userId: string, command: TicketCommand, metadata: RequestMetadata) {
  const result = await handleCommand(ctx.store, ticketStream(userId), ticketDecider, command, metadata);
  writes.add(result);
  return result;
}

async function onMatch(ctx: Pick<Ports, 'store'>, writes: Writes, matchId: string, command: Parameters<typeof matchDecider.decide>[0], metadata: RequestMetadata) {
  const result = await handleCommand(ctx.store, matchStream(matchId), matchDecider, command, metadata);
  writes.add(result);
  return result;
}

/** POST /matchmaking/queue: a new searching entry (409 MATCH_ALREADY_SEARCHING while one is open), then a cycle for it. */
export async function enqueue(ctx: WriteDeps & Pick<Ports, 'db'>, metadata: RequestMetadata, userId: string, input: PreferencesInput): Promise<Writes> {
  const writes = new Writes();
  const now = metadata.now.toISOString();
  await onTicket(ctx, writes, userId, { type: 'Enqueue', userId, requestId: randomUUID(), preferences: normalisePreferences(input), now }, metadata);
  await writes.settle(ctx);
  await runMatchingCycle(ctx, metadata.now, { focusUserId: userId, writes, metadata });
  return writes;
}

/** GET /matchmaking/queue: a poll keeps the entry alive, or expires it when it was not polled in time. */
export async function keepAlive(ctx: Pick<Ports, 'store'>, metadata: RequestMetadata, userId: string): Promise<Writes> {
  const writes = new Writes();
  await onTicket(ctx, writes, userId, { type: 'KeepAlive', userId, now: metadata.now.toISOString() }, metadata);
  return writes;
}

/** DELETE /matchmaking/queue: declines an open proposal (the opponent searches again), then leaves. */
export async function leaveQueue(ctx: Pick<Ports, 'store'>, metadata: RequestMetadata, userId: string): Promise<Writes> {
  const writes = new Writes();
  const ticket = await onTicket(ctx, writes, userId, { type: 'Leave', userId, now: metadata.now.toISOString() }, metadata);
  const left = ticket.events.find((e) => e.type === 'MatchmakingLeft');
  if (left && left.type === 'MatchmakingLeft' && left.data.matchId) await closeProposal(ctx, writes, left.data.matchId, userId, metadata);
  return writes;
}

/** A player who leaves while a proposal is open declines it; a proposal already closed is left as it is. */
async function closeProposal(ctx: Pick<Ports, 'store'>, writes: Writes, matchId: string, userId: string, metadata: RequestMetadata): Promise<void> {
  try {
    await declineMatch(ctx, metadata, userId, matchId, writes);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
  }
}

export async function acceptMatch(ctx: WriteDeps & Pick<Ports, 'collab' | 'db'>, metadata: RequestMetadata, userId: string, matchId: string): Promise<Writes> {
  const writes = new Writes();
  const result = await onMatch(ctx, writes, matchId, { type: 'Accept', userId, now: metadata.now.toISOString() }, metadata);
  const completed = result.events.some((e) => e.type === 'MatchAccepted' && e.data.bothAccepted);
  if (completed) await openRoom(ctx, writes, result.state, metadata);
  return writes;
}

export async function declineMatch(ctx: Pick<Ports, 'store'>, metadata: RequestMetadata, userId: string, matchId: string, writes = new Writes()): Promise<Writes> {
  const result = await onMatch(ctx, writes, matchId, { type: 'Decline', userId, now: metadata.now.toISOString() }, metadata);
  if (result.events.length === 0) return writes;
  for (const player of result.state.userIds) {
    await onTicket(ctx, writes, player, releaseCommand(player, matchId, player !== userId, 'declined', metadata), metadata);
  }
  return writes;
}

function releaseCommand(userId: string, matchId: string, requeue: boolean, reason: RequeueReason, metadata: RequestMetadata): TicketCommand {
  return { type: 'ReleaseProposal', userId, matchId, requeue, reason, now: metadata.now.toISOString() };
}

/**
 * Both accepted: the host creates the room, the guest joins as candidate, the room is recorded on the match and
 * both entries become matched. If the room cannot be made, the proposal is cancelled and both players search again.
 */
async function openRoom(ctx: WriteDeps & Pick<Ports, 'collab' | 'db'>, writes: Writes, match: MatchState, metadata: RequestMetadata): Promise<void> {
  const matchId = match.matchId!;
  const hostId = match.hostId!;
  const guestId = match.userIds.find((u) => u !== hostId)!;
  try {
    let problemId: string | null = null;
    for (const candidate of match.problemIds) {
      if (await availableProblem(ctx, candidate)) {
        problemId = candidate;
        break;
      }
    }
    const created = await createRoom(
      ctx,
      {
        hostId,
        mode: 'peer',
        name: 'Matchmade Interview',
        language: match.language,
        problemId,
        config: { isPrivate: false, maxParticipants: 5, maxDuration: 120 },
        matchId,
      },
      { ...metadata, actorId: hostId },
    );
    const roomId = created.state.roomId;
    await joinRoom(ctx, roomId, { userId: guestId, roomCode: created.state.code, requestedRole: 'candidate', isAdmin: false }, { ...metadata, actorId: guestId });
    await onMatch(ctx, writes, matchId, { type: 'RecordRoom', roomId }, metadata);
    for (const player of match.userIds) {
      await onTicket(ctx, writes, player, { type: 'Confirm', userId: player, matchId, roomId, now: metadata.now.toISOString() }, metadata);
    }
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, matchId }, 'matchmaking: could not open the room of an accepted match');
    await onMatch(ctx, writes, matchId, { type: 'Cancel', reason: 'room-failed' }, metadata);
    for (const player of match.userIds) await onTicket(ctx, writes, player, releaseCommand(player, matchId, true, 'withdrawn', metadata), metadata);
    throw err;
  }
}

/** Proposals past their 30 s deadline: accepted players search again, the others leave the queue. */
export async function expireProposals(ctx: Pick<Ports, 'db' | 'store'>, now = new Date(), writes = new Writes()): Promise<{ expired: string[] }> {
  const expired: string[] = [];
  for (const matchId of await findExpiredProposals(ctx.db, now, EXPIRY_BATCH)) {
    const metadata = systemMetadata(randomUUID(), now);
    const result = await onMatch(ctx, writes, matchId, { type: 'Expire', now: now.toISOString() }, metadata);
    const event = result.events.find((e) => e.type === 'MatchExpired');
    if (!event || event.type !== 'MatchExpired') continue;
    expired.push(matchId);
    for (const player of result.state.userIds) {
      await onTicket(ctx, writes, player, releaseCommand(player, matchId, event.data.acceptedUserIds.includes(player), 'expired', metadata), metadata);
    }
  }
  return { expired };
}

/** Searching or matched entries not polled for 5 minutes leave the queue. */
export async function expireQueueEntries(ctx: Pick<Ports, 'db' | 'store'>, now = new Date(), writes = new Writes()): Promise<{ expired: string[] }> {
  const expired: string[] = [];
  for (const userId of await findExpiredTickets(ctx.db, now, EXPIRY_BATCH)) {
    const r = await onTicket(ctx, writes, userId, { type: 'Expire', userId, now: now.toISOString() }, systemMetadata(randomUUID(), now));
    if (r.events.length > 0) expired.push(userId);
  }
  return { expired };
}

export interface CycleOptions {
  /** Only look for a partner of this user (the synchronous cycle of an enqueue). */
  focusUserId?: string;
  writes?: Writes;
  metadata?: RequestMetadata;
}

/**
 * Pairing over the live searching entries, oldest first: for each entry the first compatible later entry
 * wins. Entries come from the read model; every proposal is re-checked against the entries' streams.
 */
export async function runMatchingCycle(ctx: WriteDeps & Pick<Ports, 'db'>, now = new Date(), options: CycleOptions = {}): Promise<{ proposed: string[] }> {
  const writes = options.writes ?? new Writes();
  const metadata = options.metadata ?? systemMetadata(randomUUID(), now);
  if (!options.focusUserId) {
    await expireQueueEntries(ctx, now, writes);
    await expireProposals(ctx, now, writes);
    await writes.settle(ctx);
  }
  const tickets = await findSearchingTickets(ctx.db, now, SEARCH_BATCH);
  const used = new Set<string>();
  const proposed: string[] = [];
  for (let i = 0; i < tickets.length; i++) {
    for (let j = i + 1; j < tickets.length; j++) {
      const a = tickets[i]!;
      const b = tickets[j]!;
      if (used.has(a.userId)) break;
      if (used.has(b.userId)) continue;
      if (options.focusUserId && a.userId !== options.focusUserId && b.userId !== options.focusUserId) continue;
      const pair = pairing(a.preferences, b.preferences);
      if (!pair) continue;
      const outcome = await propose(ctx, writes, a, b, pair, now, metadata);
      if (outcome === 'proposed') {
        used.add(a.userId).add(b.userId);
        proposed.push(a.userId, b.userId);
      } else if (outcome === 'first-unavailable') {
        used.add(a.userId);
      } else {
        used.add(b.userId);
      }
    }
  }
  return { proposed };
}

type ProposeOutcome = 'proposed' | 'first-unavailable' | 'second-unavailable';

async function propose(
  ctx: Pick<Ports, 'store'>,
  writes: Writes,
  a: TicketRow,
  b: TicketRow,
  pair: Pairing,
  now: Date,
  metadata: RequestMetadata,
): Promise<ProposeOutcome> {
  const matchId = randomUUID();
  const expiresAt = new Date(now.getTime() + PROPOSAL_TTL_MS).toISOString();
  await onMatch(
    ctx,
    writes,
    matchId,
    {
      type: 'Propose',
      data: {
        matchId,
        userIds: [a.userId, b.userId],
        requestIds: { [a.userId]: a.requestId, [b.userId]: b.requestId },
        hostId: pair.host === 'first' ? a.userId : b.userId,
        language: pair.language,
        problemIds: pair.problemIds,
        proposedAt: now.toISOString(),
        expiresAt,
      },
    },
    metadata,
  );
  const claim = async (t: TicketRow, opponent: TicketRow) => {
    try {
      await onTicket(
        ctx,
        writes,
        t.userId,
        { type: 'Propose', userId: t.userId, requestId: t.requestId, matchId, opponentId: opponent.userId, proposalExpiresAt: expiresAt, now: now.toISOString() },
        metadata,
      );
      return true;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'MATCH_REQUEST_UNAVAILABLE') return false;
      throw err;
    }
  };
  if (!(await claim(a, b))) {
    await onMatch(ctx, writes, matchId, { type: 'Cancel', reason: 'withdrawn' }, metadata);
    return 'first-unavailable';
  }
  if (!(await claim(b, a))) {
    await onTicket(ctx, writes, a.userId, releaseCommand(a.userId, matchId, true, 'withdrawn', metadata), metadata);
    await onMatch(ctx, writes, matchId, { type: 'Cancel', reason: 'withdrawn' }, metadata);
    return 'second-unavailable';
  }
  return 'proposed';
}
