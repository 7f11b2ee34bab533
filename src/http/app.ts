/**
 * Builds the REST control plane: fastify 5 with TypeBox schemas on every route, the error envelope for every
 * failure (framework ones included), trace ids, CORS, body limits, OpenAPI at /docs, /metrics and /health.
 * Modules contribute routes as plain `(app, ctx) => void` functions.
 */
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../composition/context.js';
import { envelope, isEnvelopePayload, sendError, statusEnvelope } from './errors.js';
import { registerJsonBodyParser } from './json-body.js';
import { namedSchemas } from './openapi-components.js';
import { describeRoute, INTERNAL_SECURITY_SCHEME, publishNamedSchemas } from './openapi-contract.js';
import { configureCursorSigning } from './pagination.js';
import { authHookFor } from './plugins/auth.js';
import { securityHeaders } from './plugins/security-headers.js';
import { traceIdOf } from './plugins/trace.js';
import { clientErrorHandler, guardServer, serverTimeouts } from './server-guards.js';
import { rejectUnstorableText, validatorCompiler } from './validation.js';
import { healthRoutes } from './routes/health.js';
import type { App } from './types.js';

export type RouteModule = (app: App, ctx: AppContext) => void | Promise<void>;

/** API answers are JSON: nothing may run or be framed from them. HSTS is left to the TLS-terminating proxy. */
const helmetOptions = {
  contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], upgradeInsecureRequests: null } },
  hsts: false,
};
const PAGE_PREFIXES = ['/docs', '/replay'];
/** The route label of a request that matched no route. */
const UNMATCHED = 'unmatched';
const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'unsafe-inline'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  workerSrc: ["'self'", 'blob:'],
  frameAncestors: ["'self'"],
  upgradeInsecureRequests: null,
};

function trustProxy(value: string): boolean | string[] {
  if (!value) return false;
  if (value === 'true' || value === '*') return true;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * One metrics sample and log line per request, the error envelope on plugin errors. The hooks take a callback
 * rather than returning a promise: they run on every request and never wait, so a promise and a microtask each
 * would be pure overhead. The route's URL comes from its own hooks (routeHooks), not fastify's `routeOptions`
 * getter, which builds a new object on every call.
 */
function addRequestHooks(app: App, ctx: AppContext): void {
  app.decorateRequest('routeUrl', UNMATCHED);
  const logRequests = ctx.config.NODE_ENV !== 'test';
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeUrl;
    ctx.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (logRequests) request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode < 400) {
      done(null, payload);
      return;
    }
    const answered = envelopeErrors(request, reply, payload);
    if (typeof answered === 'string' && answered.startsWith('{')) {
      const code = (JSON.parse(answered) as { code?: string }).code ?? 'UNKNOWN';
      ctx.metrics.httpErrors.inc({ method: request.method, route: request.routeUrl, code });
    }
    done(null, answered);
  });
}

type Headers = ReadonlyArray<readonly [string, string]>;

/** The trace id and the security headers every answer carries; `url` names the route in metrics. */
function answerHeaders(url: string, headers: Headers): onRequestHookHandler {
  return (request, reply, done) => {
    request.routeUrl = url;
    reply.header('X-Trace-Id', request.id);
    for (const [name, value] of headers) reply.header(name, value);
    done();
  };
}

/**
 * Each route's own first hooks, built once when it is registered from what its URL and config say: its answer
 * headers, then authentication and rate limits (plugins/auth.ts). A request to no route gets the API's headers
 * from a global hook instead (route hooks do not run for it).
 */
function routeHooks(app: App, ctx: AppContext, headers: { api: Headers; page: Headers }): void {
  app.addHook('onRoute', (route) => {
    // Public routes say so in the OpenAPI document (no bearer needed), so clients and the fuzz test can tell.
    if (route.config?.public) route.schema = { ...(route.schema ?? {}), security: [] };
    const page = PAGE_PREFIXES.some((p) => route.url.startsWith(p));
    const auth = authHookFor(ctx, route.url, route.config ?? {});
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [answerHeaders(route.url, page ? headers.page : headers.api), ...(auth ? [auth] : []), ...own];
  });
  const unmatched = answerHeaders(UNMATCHED, headers.api);
  app.addHook('onRequest', (request, reply, done) => (request.is404 ? unmatched.call(app, request, reply, done) : done()));
}

/**
 * Answers produced outside the error handler (plugins such as CORS or the docs' static files) get the envelope
 * too: every error of the API has a code and a trace id.
 */
function envelopeErrors(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (isEnvelopePayload(payload)) return payload;
  reply.header('X-Trace-Id', request.id);
  reply.removeHeader('content-length');
  reply.type('application/json; charset=utf-8');
  const body = statusEnvelope(reply.statusCode);
  reply.status(body.statusCode); // an unexpected 5xx of a plugin is answered as INTERNAL_ERROR (500)
  return JSON.stringify(body);
}

export async function buildApp(ctx: AppContext, modules: readonly RouteModule[]): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    genReqId: traceIdOf,
    requestIdHeader: false,
    bodyLimit: ctx.config.BODY_LIMIT_BYTES,
    trustProxy: trustProxy(ctx.config.TRUSTED_PROXIES),
    // One line per request, written when it completes (addRequestHooks), instead of fastify's two.
    logController: new LogController({ requestIdLogLabel: 'traceId', disableRequestLogging: true }),
    ...serverTimeouts(ctx.config),
    clientErrorHandler,
    // Router errors (a URL that is not validly percent-encoded, a path parameter over the length limit).
    frameworkErrors: (err, request, reply) => sendError(reply, request, err),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  guardServer(app.server, ctx.config, ctx.logger);
  configureCursorSigning(ctx.config.CURSOR_SIGNING_SECRET || `cursor:${ctx.config.AUTH_JWT_SECRET}`);
  registerJsonBodyParser(app);

  addRequestHooks(app, ctx);
  // Helmet's headers, computed once per configuration (plugins/security-headers.ts). The documentation and replay
  // pages run scripts and styles of their own: a page CSP for them only.
  const api = await securityHeaders(helmetOptions);
  const page = await securityHeaders({ ...helmetOptions, contentSecurityPolicy: { directives: PAGE_CSP } });
  routeHooks(app, ctx, { api, page });

  app.setValidatorCompiler(validatorCompiler());
  app.addHook('preValidation', rejectUnstorableText);
  app.setErrorHandler((err, request, reply) => sendError(reply, request, err));
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(envelope(404, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });

  await app.register(cookie);
  await app.register(cors, {
    origin: ctx.config.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    credentials: true,
    exposedHeaders: ['X-Trace-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', 'ETag'],
  });
  await app.register(swagger, {
    transform: describeRoute,
    transformObject: publishNamedSchemas,
    openapi: {
      openapi: '3.0.3',
      info: { title: 'SynCode API', version: '1.0.0', description: 'Control plane of SynCode: rooms, problems, sessions, execution, AI coaching.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, internalSecret: INTERNAL_SECURITY_SCHEME }, schemas: namedSchemas },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(async (scoped) => {
    healthRoutes(scoped as App, ctx);
    for (const module of modules) await module(scoped as App, ctx);
  });
  return app;
}
