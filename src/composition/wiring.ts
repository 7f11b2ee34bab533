/**
 * Module wiring that must happen for every role: each module that needs adapters beyond the core (identity's
 * authenticator, the collab client, queues, storage) installs them on the context here.
 */
import { aiWiring } from '../commands/ai/wiring.js';
import { identityWiring } from '../commands/identity/wiring.js';
import { reportsWiring } from '../commands/reports/wiring.js';
import { roomsWiring } from '../commands/rooms/wiring.js';
import type { AppContext } from './context.js';

export type Wiring = (ctx: AppContext) => void | Promise<void>;

export const wirings: readonly Wiring[] = [identityWiring, roomsWiring, reportsWiring, aiWiring];

export async function wire(ctx: AppContext): Promise<void> {
  for (const w of wirings) await w(ctx);
}
