/**
 * The worker side of the AI aggregate: read what was asked, record the answer or the failure. Each is one decider
 * command, so a retried or duplicated job answers nothing twice.
 */
import { aiDecider, type AiCommand, type AiState } from '../../domain/ai/decider.js';
import type { AiEvent } from '../../domain/ai/events.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { StreamNotFoundError } from '../../infra/eventstore/port.js';
import { handleCommand } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';

export interface StreamRead {
  state: AiState;
  events: AiEvent[];
}

export async function readAiStream(store: EventStore, stream: string): Promise<StreamRead> {
  let state = aiDecider.initialState();
  const events: AiEvent[] = [];
  try {
    for await (const recorded of store.readStream(stream)) {
      const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
      events.push(event);
      state = aiDecider.evolve(state, event);
    }
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
  }
  return { state, events };
}

/** The event that asked for `requestId` (HintRequested, InterviewerMessageSent, CodeAnalysisRequested, CodeReviewRequested). */
export function requestEvent(events: readonly AiEvent[], requestId: string): AiEvent | undefined {
  return events.find((e) => {
    const d = e.data as { requestId?: string; jobId?: string };
    return (e.type === 'HintRequested' && d.requestId === requestId) || (e.type !== 'HintRequested' && e.type.endsWith('Requested') && d.jobId === requestId) || (e.type === 'InterviewerMessageSent' && d.jobId === requestId);
  });
}

/** The text of a given hint. */
export function givenHintText(events: readonly AiEvent[], requestId: string): string | null {
  const given = events.find((e) => e.type === 'HintGiven' && e.data.requestId === requestId);
  return given?.type === 'HintGiven' ? given.data.hint : null;
}

/** Record an answer (or a failure) now: its events' `occurredAt` and time fields agree. */
export function recordAnswer(store: EventStore, meta: RequestMetadata, stream: string, command: (now: string) => AiCommand) {
  const now = new Date();
  return handleCommand(store, stream, aiDecider, command(now.toISOString()), { ...meta, now });
}
