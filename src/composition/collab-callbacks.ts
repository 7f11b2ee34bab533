/**
 * The collab plane's `ControlPlaneCallbacks` port answered by the control plane's own command handlers, with no
 * HTTP hop (role `all`, and tests that mount the collab server). Part of the composition root: it joins two
 * planes that do not know each other.
 */
import type { ControlPlaneCallbacks } from '../collab/control-plane-port.js';
import { authorizeJoin, docSnapshot, heartbeat, snapshotReady, userDisconnected } from '../commands/rooms/collab-callbacks.js';
import type { AppContext } from './context.js';

export function inProcessControlPlaneCallbacks(ctx: AppContext): ControlPlaneCallbacks {
  return {
    authorizeJoin: (roomId, userId) => authorizeJoin(ctx, roomId, userId),
    snapshot: (payload) => snapshotReady(ctx, payload),
    async userDisconnected(payload) {
      await userDisconnected(ctx, payload);
    },
    async heartbeat(payload) {
      await heartbeat(ctx, payload);
    },
    docSnapshot: (roomId, state) => docSnapshot(ctx, roomId, state),
  };
}
