/**
 * The authenticator installed as `ctx.authenticate`: verifies the access token (HS256, signature, expiry,
 * tokenType 'access'; anything else is 401 UNAUTHORIZED) and loads the caller from the `users` read model:
 * deleted → 401 UNAUTHORIZED, banned → 403 USER_BANNED.
 *
 * The caller's row is kept in memory while the `users` projection has not moved (src/projections/read-cache.ts),
 * so a read costs no lookup, yet a deletion, a ban or a role change takes effect at once: it reaches the table
 * through that projection, and every process drops its cached rows when it hears the projection's progress —
 * before the ban's own answer in the process that served it (that answer waits for the same progress). If the
 * notification connection is down, a cached row lives at most PRINCIPAL_CACHE_MAX_AGE_MS.
 */
import { DomainError } from '../../domain/shared/errors.js';
import { createReadCache } from '../../projections/read-cache.js';
import { findAuthUser, type AuthUser } from '../../projections/users/queries.js';
import type { Ports } from '../ports.js';
import type { Authenticator, Principal } from '../../composition/principal.js';
import { unauthorized, verifyAccessToken } from './tokens.js';

/** The principal plus the sign-in session its token belongs to. */
export interface SessionPrincipal extends Principal {
  sessionId?: string;
}

export const PRINCIPAL_CACHE_MAX_AGE_MS = 5_000;

export function createAuthenticator(ctx: Pick<Ports, 'config' | 'db' | 'progress'>): Authenticator {
  const users = createReadCache<AuthUser | undefined>(ctx.progress, { projections: ['users'], maxAgeMs: PRINCIPAL_CACHE_MAX_AGE_MS, maxEntries: 50_000 });
  return async (token: string): Promise<SessionPrincipal> => {
    const claims = verifyAccessToken(ctx.config, token);
    const user = await users.get(claims.sub, () => findAuthUser(ctx.db, claims.sub));
    if (!user || user.deletedAt) throw unauthorized('Account no longer exists');
    if (user.bannedAt) throw new DomainError('USER_BANNED', 'This account is banned');
    return {
      userId: user.id,
      email: user.email,
      username: user.username,
      role: user.role,
      ...(typeof claims.sid === 'string' ? { sessionId: claims.sid } : {}),
    };
  };
}
