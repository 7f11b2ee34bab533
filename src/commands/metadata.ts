/** Metadata stamped on every appended event: who, when, from where, and how it relates to other messages. */
export interface EventMetadata {
  actorId: string | null;
  traceId: string;
  correlationId: string;
  causationId: string | null;
  ip?: string | null;
  occurredAt: string;
  [key: string]: unknown;
}

export interface RequestMetadata {
  actorId: string | null;
  traceId: string;
  ip?: string | null;
  now: Date;
  /** Set when the command is a reaction to another message (process managers, scheduled jobs). */
  causationId?: string | null;
  correlationId?: string;
}

export function eventMetadata(m: RequestMetadata): EventMetadata {
  return {
    actorId: m.actorId,
    traceId: m.traceId,
    correlationId: m.correlationId ?? m.traceId,
    causationId: m.causationId ?? null,
    ip: m.ip ?? null,
    occurredAt: m.now.toISOString(),
  };
}

/** Metadata for work the system does on its own (scheduler, CLI). */
export function systemMetadata(traceId: string, now = new Date(), causationId: string | null = null): RequestMetadata {
  return { actorId: null, traceId, now, causationId, ip: null };
}
