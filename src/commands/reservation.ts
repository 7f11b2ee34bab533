import { createHash } from 'node:crypto';
import { reservationDecider } from '../domain/reservation/reservation.js';
import type { DomainError } from '../domain/shared/errors.js';
import type { EventStore } from '../infra/eventstore/port.js';
import { handleCommand } from './handle-command.js';
import type { RequestMetadata } from './metadata.js';

/** `unique-<kind>-<sha256(value)>`: the value itself (an email) never appears in a stream name. */
export function reservationStream(kind: string, value: string): string {
  return `unique-${kind}-${createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

export async function claimUnique(
  store: EventStore,
  kind: string,
  value: string,
  ownerId: string,
  conflict: DomainError,
  metadata: RequestMetadata,
): Promise<void> {
  await handleCommand(store, reservationStream(kind, value), reservationDecider, { type: 'Claim', ownerId, conflict }, metadata);
}

export async function releaseUnique(
  store: EventStore,
  kind: string,
  value: string,
  ownerId: string,
  metadata: RequestMetadata,
): Promise<void> {
  await handleCommand(store, reservationStream(kind, value), reservationDecider, { type: 'Release', ownerId }, metadata);
}
