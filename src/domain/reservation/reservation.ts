/**
 * Uniqueness without read-model lookups: a value (an email, a username, a title, a room code) is taken by
 * appending to its own reservation stream. Optimistic concurrency on that stream makes exactly one claimant win.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';

export type ReservationEvent =
  | DomainEvent<'ReservationClaimed', { ownerId: string }>
  | DomainEvent<'ReservationReleased', { ownerId: string }>;

export type ReservationCommand =
  | { type: 'Claim'; ownerId: string; conflict: DomainError }
  | { type: 'Release'; ownerId: string };

export interface ReservationState {
  ownerId: string | null;
}

export const reservationDecider: Decider<ReservationCommand, ReservationState, ReservationEvent> = {
  initialState: () => ({ ownerId: null }),
  evolve(state, event) {
    switch (event.type) {
      case 'ReservationClaimed':
        return { ownerId: event.data.ownerId };
      case 'ReservationReleased':
        return state.ownerId === event.data.ownerId ? { ownerId: null } : state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'Claim':
        if (state.ownerId === command.ownerId) return [];
        if (state.ownerId !== null) throw command.conflict;
        return [{ type: 'ReservationClaimed', data: { ownerId: command.ownerId } }];
      case 'Release':
        if (state.ownerId !== command.ownerId) return [];
        return [{ type: 'ReservationReleased', data: { ownerId: command.ownerId } }];
    }
  },
};
