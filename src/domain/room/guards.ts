/** Guards every room command starts with. */
import { roomErrors } from './errors.js';
import type { RoomState } from './state.js';

export function requireRoom(state: RoomState): void {
  if (!state.exists || state.destroyed) throw roomErrors.notFound();
}

export function requireNotFinished(state: RoomState): void {
  if (state.status === 'finished') throw roomErrors.finished();
}
