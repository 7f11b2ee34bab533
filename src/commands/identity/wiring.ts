/** Identity's part of every role: the authenticator, object storage, and their health probe. */
import { createStorage } from '../../infra/storage/index.js';
import type { AppContext } from '../../runtime/context.js';
import { createAuthenticator } from './authenticate.js';

export function identityWiring(ctx: AppContext): void {
  ctx.authenticate = createAuthenticator(ctx);
  ctx.storage ??= createStorage(ctx.config, (m) => ctx.logger.warn(m));
  const storage = ctx.storage;
  ctx.health.set('storage', () => storage.ping());
}
