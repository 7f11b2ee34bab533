/**
 * The authenticator installed as `ctx.authenticate`: verifies the access token (HS256, signature, expiry,
 * tokenType 'access'; anything else is 401 UNAUTHORIZED) and loads the caller from the `users` read model on
 * every request, so a deletion or a ban takes effect at once: deleted → 401 UNAUTHORIZED, banned → 403
 * USER_BANNED.
 */
import { DomainError } from '../../domain/shared/errors.js';
import { findAuthUser } from '../../projections/users/queries.js';
import type { AppContext } from '../../runtime/context.js';
import type { Authenticator, Principal } from '../../runtime/principal.js';
import { unauthorized, verifyAccessToken } from './tokens.js';

/** The principal plus the sign-in session its token belongs to. */
export interface SessionPrincipal extends Principal {
  sessionId?: string;
}

export function createAuthenticator(ctx: AppContext): Authenticator {
  return async (token: string): Promise<SessionPrincipal> => {
    const claims = verifyAccessToken(ctx.config, token);
    const user = await findAuthUser(ctx.db, claims.sub);
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
