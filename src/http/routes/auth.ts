/**
 * /auth: register, login, refresh, logout, change / forgot / reset password. The refresh token travels only in
 * the `refreshToken` cookie (HttpOnly; production: Secure, SameSite=Strict, Path=/auth; elsewhere SameSite=Lax,
 * Path=/). Register and login are limited per client IP (`RATE_LIMIT_AUTH_PER_MIN`, default 5/min, shared).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  changePassword,
  login,
  logout,
  refresh,
  register,
  requestPasswordReset,
  resetPassword,
} from '../../commands/identity/auth.js';
import type { SessionPrincipal } from '../../commands/identity/authenticate.js';
import { DomainError } from '../../domain/shared/errors.js';
import { statusOf } from '../error-status.js';
import type { AppContext } from '../../composition/context.js';
import { requestMetadata, settle } from '../command.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';
import { profileAfter, UserProfileSchema, Username } from './users.js';

export const REFRESH_COOKIE = 'refreshToken';

const Password = Type.String({ minLength: 8, maxLength: 128 });
const AuthResponse = Type.Object({ accessToken: Type.String(), user: UserProfileSchema });

function cookieOptions(ctx: AppContext) {
  const production = ctx.config.NODE_ENV === 'production';
  return {
    httpOnly: true,
    secure: production,
    sameSite: production ? ('strict' as const) : ('lax' as const),
    path: production ? '/auth' : '/',
  };
}

function setRefreshCookie(ctx: AppContext, reply: FastifyReply, token: string): void {
  reply.setCookie(REFRESH_COOKIE, token, { ...cookieOptions(ctx), maxAge: ctx.config.REFRESH_TOKEN_TTL_SECONDS });
}

function clearRefreshCookie(ctx: AppContext, reply: FastifyReply): void {
  reply.setCookie(REFRESH_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0, expires: new Date(0) });
}

const refreshCookieOf = (request: FastifyRequest) => request.cookies[REFRESH_COOKIE] || undefined;

/** Emails are compared trimmed and lower-cased; trim before the format check so " A@B.io " is accepted. */
async function trimEmail(request: FastifyRequest): Promise<void> {
  const body = request.body as { email?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.email === 'string') body.email = body.email.trim();
}

const tags = ['auth'];

export function authRoutes(app: App, ctx: AppContext): void {
  registerSignIn(app, ctx);
  registerTokenRoutes(app, ctx);
  registerPasswordRoutes(app, ctx);
}

/** Registration and login: both sign the user in (access token + refresh cookie), limited per IP. */
function registerSignIn(app: App, ctx: AppContext): void {
  const authLimit = { scope: 'auth', limit: ctx.config.RATE_LIMIT_AUTH_PER_MIN, windowSeconds: 60 };

  app.post(
    '/auth/register',
    {
      config: { public: true, ipRateLimit: authLimit },
      preValidation: trimEmail,
      schema: {
        tags,
        security: [],
        body: Type.Object(
          { username: Username, email: Type.String({ format: 'email', maxLength: 255 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 201: AuthResponse },
      },
    },
    async (request, reply) => {
      const signed = await register(ctx, requestMetadata(request), request.body);
      const { profile } = await profileAfter(ctx, signed.userId, signed.written);
      setRefreshCookie(ctx, reply, signed.refreshToken);
      return reply.status(201).send({ accessToken: signed.accessToken, user: profile });
    },
  );

  app.post(
    '/auth/login',
    {
      config: { public: true, ipRateLimit: authLimit },
      schema: {
        tags,
        security: [],
        body: Type.Object(
          { identifier: Type.String({ minLength: 1, maxLength: 255 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: AuthResponse },
      },
    },
    async (request, reply) => {
      const signed = await login(ctx, requestMetadata(request), { identifier: request.body.identifier.trim(), password: request.body.password });
      const { profile } = await profileAfter(ctx, signed.userId, signed.written);
      setRefreshCookie(ctx, reply, signed.refreshToken);
      return { accessToken: signed.accessToken, user: profile };
    },
  );
}

/** The refresh cookie's life: exchanged for a new access token, or given up at logout. */
function registerTokenRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/auth/refresh',
    { config: { public: true }, schema: { tags, security: [], response: { 200: Type.Object({ accessToken: Type.String() }) } } },
    async (request, reply) => {
      try {
        const next = await refresh(ctx, requestMetadata(request), refreshCookieOf(request));
        setRefreshCookie(ctx, reply, next.refreshToken);
        return { accessToken: next.accessToken };
      } catch (err) {
        // A refused refresh token never works again: drop it from the browser (but keep it on a server failure).
        if (err instanceof DomainError && (statusOf(err) === 401 || statusOf(err) === 403)) clearRefreshCookie(ctx, reply);
        throw err;
      }
    },
  );

  app.post(
    '/auth/logout',
    { config: { public: true }, schema: { tags, security: [] } },
    async (request, reply) => {
      try {
        const w = await logout(ctx, requestMetadata(request), refreshCookieOf(request));
        await settle(ctx, w.position, w.eventTypes);
      } finally {
        clearRefreshCookie(ctx, reply);
      }
      return reply.status(204).send();
    },
  );
}

/** Changing a known password, and resetting a forgotten one by email (limited per IP). */
function registerPasswordRoutes(app: App, ctx: AppContext): void {
  const resetLimit = { scope: 'password-reset', limit: ctx.config.RATE_LIMIT_AUTH_PER_MIN, windowSeconds: 60 };

  app.post(
    '/auth/change-password',
    {
      schema: {
        tags,
        body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Password }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request) as SessionPrincipal;
      const w = await changePassword(ctx, requestMetadata(request), { userId: principal.userId, sessionId: principal.sessionId }, request.body);
      await settle(ctx, w.position, w.eventTypes);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/forgot-password',
    {
      config: { public: true, ipRateLimit: resetLimit },
      preValidation: trimEmail,
      schema: {
        tags,
        security: [],
        body: Type.Object({ email: Type.String({ format: 'email', maxLength: 255 }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ message: Type.String() }) },
      },
    },
    async (request, reply) => {
      // Not awaited: the answer (and its timing) must be the same whether or not the email has an account.
      const metadata = requestMetadata(request);
      void requestPasswordReset(ctx, metadata, request.body.email).catch((err) => request.log.error({ err }, 'password reset request failed'));
      return reply.status(202).send({ message: 'If an account exists for this email, a reset link has been sent' });
    },
  );

  app.post(
    '/auth/reset-password',
    {
      config: { public: true, ipRateLimit: resetLimit },
      schema: {
        tags,
        security: [],
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }), newPassword: Password }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const w = await resetPassword(ctx, requestMetadata(request), request.body);
      await settle(ctx, w.position, w.eventTypes);
      return reply.status(204).send();
    },
  );
}
