/** Commands with read-your-writes: the generic handler, then a bounded wait for the read models to show the write. */
import type { Decider, DomainEvent } from '../domain/shared/decider.js';
import type { Position } from '../infra/eventstore/port.js';
import type { SettleDeps, WriteDeps } from './ports.js';
import { handleCommand, type CommandResult } from './handle-command.js';
import type { RequestMetadata } from './metadata.js';
import { waitForProjections } from './read-your-writes.js';

/** Waits (bounded) for the read models to show the write; false when they did not in time. */
export async function settle(ctx: SettleDeps, position: Position | undefined, eventTypes: readonly string[]): Promise<boolean> {
  return waitForProjections(
    { progress: ctx.progress, projections: ctx.projections, logger: ctx.logger, timeoutMs: ctx.config.READ_YOUR_WRITES_TIMEOUT_MS },
    position,
    eventTypes,
  );
}

/**
 * Run a command against one stream and return once the read models reflect it, or once the wait timed out
 * (`settled: false`): the caller then answers from the result's events and state rather than from the read model.
 */
export async function execute<Command, State, Event extends DomainEvent>(
  ctx: WriteDeps,
  metadata: RequestMetadata,
  stream: string,
  decider: Decider<Command, State, Event>,
  command: Command | ((state: State, exists: boolean) => Command),
): Promise<CommandResult<State, Event> & { settled: boolean }> {
  const result = await handleCommand(ctx.store, stream, decider, command, metadata);
  const settled = await settle(ctx, result.position, result.events.map((e) => e.type));
  return { ...result, settled };
}
