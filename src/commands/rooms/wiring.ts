/** The rooms module's part of every role: the collab client, and its numbers in the users endpoints. */
import { collabWiring } from '../../infra/collab-callbacks/index.js';
import { registerSessionUsage } from '../../projections/sessions/usage.js';
import type { AppContext } from '../../runtime/context.js';

export function roomsWiring(ctx: AppContext): void {
  collabWiring(ctx);
  registerSessionUsage();
}
