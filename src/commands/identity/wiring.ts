/** Identity's part of every role: the authenticator, object storage, and their health probe. */
import { storageOf } from '../../infra/storage/index.js';
import type { AppContext } from '../../composition/context.js';
import { createAuthenticator } from './authenticate.js';

export function identityWiring(ctx: AppContext): void {
  ctx.authenticate = createAuthenticator(ctx);
  const storage = storageOf(ctx);
  ctx.health.set('storage', () => storage.ping());
}
