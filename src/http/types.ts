import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Principal } from '../composition/principal.js';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Per-route options read by the platform hooks. */
export interface RouteConfig {
  /** No access token required (auth routes, health, internal callbacks with their own secret). */
  public?: boolean;
  /** Extra rate-limit scope applied per IP before the handler (e.g. `auth`). */
  ipRateLimit?: { scope: string; limit: number; windowSeconds: number };
  /** Skip the global per-user limit (polling endpoints, docs/api.md "Rate limits"). */
  skipGlobalRateLimit?: boolean;
  /** Body text with NUL or lone surrogates: refused with a 400 (default) or stored with them replaced by U+FFFD. */
  textRule?: 'reject' | 'replace';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The matched route's URL pattern (`unmatched` for none), set by its first hook: the metrics label. */
    routeUrl: string;
  }
  // Declaration merging needs an interface; it adds RouteConfig's members to fastify's route config.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends RouteConfig {}
}
