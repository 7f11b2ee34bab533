/**
 * How the rooms module talks to the collab plane: the client installed on the context, best-effort calls that only
 * log (broadcasts, kicks, document creation on room create), and the mapping of collab failures for the strict ones
 * (finishing protocol, ensure).
 */
import { DomainError } from '../../domain/shared/errors.js';
import { isServiceError, ServiceUnavailableError, UpstreamTimeoutError, type ServiceError } from '../../infra/errors.js';
import type { RoomState } from '../../domain/room/state.js';
import {
  CollabTimeoutError,
  CollabUnavailableError,
  type CollabClient,
  type CreateCollabDocumentResult,
} from '../../infra/collab-client/index.js';
import { findProblem } from '../../projections/problems/queries.js';
import type { Ports } from '../ports.js';
import { loadDocSnapshot } from './room-store.js';

/** The collab client of this process; a client that always fails when none was wired (so calls fail closed). */
export function collabOf(ctx: Pick<Ports, 'collab'>): CollabClient {
  if (ctx.collab) return ctx.collab;
  const unavailable = async (): Promise<never> => {
    throw new CollabUnavailableError('collab client is not wired');
  };
  return {
    createDocument: unavailable,
    destroyDocument: unavailable,
    kick: unavailable,
    updateState: unavailable,
    participantReady: unavailable,
    changeLanguage: unavailable,
    getChat: unavailable,
    health: unavailable,
  };
}

/** Runs a best-effort collab call: failures are logged and answered with undefined. */
export async function bestEffort<T>(ctx: Pick<Ports, 'collab' | 'logger'>, operation: string, fn: (collab: CollabClient) => Promise<T>): Promise<T | undefined> {
  try {
    return await fn(collabOf(ctx));
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, operation }, 'collab call failed (best effort)');
    return undefined;
  }
}

/** A failure of a strict collab call as the error the client sees. */
export function collabFailure(err: unknown): DomainError | ServiceError {
  if (err instanceof DomainError || isServiceError(err)) return err;
  if (err instanceof CollabTimeoutError) {
    return new UpstreamTimeoutError('COLLAB', 'The collaboration service timed out', { circuit: 'collab', timeout: err.timeoutMs });
  }
  if (err instanceof CollabUnavailableError && err.retryAfterMs !== null) {
    return new ServiceUnavailableError('COLLAB', 'The collaboration service is unavailable', {
      circuit: 'collab',
      retryAfter: Math.ceil(err.retryAfterMs / 1000),
    });
  }
  return new ServiceUnavailableError('COLLAB', 'The collaboration service is unavailable', { circuit: 'collab' });
}

/**
 * Creates the room's collab document if it is not live: from the stored raw state when there is one, else seeded
 * with the problem's full starter-code map. Idempotent (`created:false` when the document already exists).
 */
export async function createCollabDocument(ctx: Pick<Ports, 'collab' | 'db'>, room: RoomState): Promise<CreateCollabDocumentResult> {
  const stored = await loadDocSnapshot(ctx.db, room.roomId);
  const base = {
    roomId: room.roomId,
    initialPhase: room.status,
    editorLocked: room.editorLocked,
    ...(room.language ? { initialLanguage: room.language } : {}),
  };
  if (stored) return collabOf(ctx).createDocument({ ...base, snapshot: Array.from(stored.state) });
  let starter: Record<string, string> | undefined;
  if (room.problemId) {
    const problem = await findProblem(ctx.db, room.problemId, { includeDrafts: true });
    if (problem?.starterCode) {
      starter = Object.fromEntries(Object.entries(problem.starterCode).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 0));
    }
  }
  return collabOf(ctx).createDocument({ ...base, ...(starter && Object.keys(starter).length > 0 ? { initialContentByLanguage: starter } : {}) });
}

/** Tells the collab plane the room's phase and lock (broadcast + snapshot on its side). Best effort. */
export async function pushRoomState(ctx: Pick<Ports, 'collab' | 'logger'>, room: RoomState, changedBy: string | null): Promise<void> {
  await bestEffort(ctx, 'updateState', (c) =>
    c.updateState(room.roomId, {
      phase: room.status,
      editorLocked: room.editorLocked,
      ...(changedBy ? { changedBy } : {}),
      ...(room.language ? { language: room.language } : {}),
    }),
  );
}
