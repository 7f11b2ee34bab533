/**
 * `CollabClient` for role `all`: the control plane calls the collab service in the same process, with the same
 * typed errors as the HTTP client (so callers handle both alike).
 */
import type { CollabClient } from '../infra/collab-client/port.js';
import {
  CollabNotFoundError,
  CollabRequestError,
  CollabUnavailableError,
} from '../infra/collab-client/errors.js';
import { CollabServiceError, type CollabService } from './service.js';

async function mapped<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CollabServiceError) {
      const message = `collab ${operation}: ${err.message}`;
      if (err.statusCode === 404) throw new CollabNotFoundError(message, 404, err.code);
      if (err.statusCode < 500) throw new CollabRequestError(message, err.statusCode, err.code);
      throw new CollabUnavailableError(message, err.statusCode, err.code);
    }
    throw new CollabUnavailableError(`collab ${operation} failed: ${String((err as Error)?.message ?? err)}`, 500);
  }
}

export function inProcessCollabClient(service: CollabService): CollabClient {
  return {
    createDocument: (input) => mapped('createDocument', () => service.createDocument(input)),
    destroyDocument: (roomId) => mapped('destroyDocument', () => service.destroyDocument(roomId)),
    kick: (roomId, userId, reason) => mapped('kick', () => service.kick(roomId, userId, reason)),
    updateState: (roomId, input) => mapped('updateState', () => service.updateState(roomId, input)),
    participantReady: (roomId, userId, isReady) =>
      mapped('participantReady', () => service.participantReady(roomId, userId, isReady)),
    changeLanguage: (roomId, language, changedBy) =>
      mapped('changeLanguage', () => service.changeLanguage(roomId, language, changedBy)),
    getChat: (roomId, limit) => mapped('getChat', () => service.getChat(roomId, limit)),
    exportWhiteboard: (roomId) => mapped('exportWhiteboard', () => service.exportWhiteboard(roomId)),
    health: async () => service.health(),
  };
}
