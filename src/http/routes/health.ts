/**
 * Health for people and orchestrators, and metrics:
 *   GET /health        deep check of every wired dependency; always 200, `ok` or `degraded` (the public contract)
 *   GET /health/live   the process answers (liveness: restart me if this fails)
 *   GET /health/ready  200 only while running with migrations applied, core dependencies reachable and the
 *                      projections caught up; 503 while starting and again once a shutdown began (readiness)
 *   GET /metrics       Prometheus; projection lag and queue depth are measured at each scrape
 * Every role serves these: the API on its port, the other roles on their ops port (README, "Operations").
 */
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config.js';
import { ANALYSIS_QUEUE, EXECUTION_QUEUE } from '../../commands/execution/jobs.js';
import { listCheckpoints } from '../../projections/checkpoints.js';
import type { AppContext } from '../../composition/context.js';
import { envelope } from '../errors.js';
import { ErrorResponseSchema } from '../openapi-contract.js';
import type { App } from '../types.js';

const PROBE_TIMEOUT_MS = 2000;
/** Dependencies a role cannot serve without; the others (AI, collab, storage…) only degrade /health. */
const CORE_DEPENDENCIES = ['database', 'cache', 'eventStore'];
/** Roles whose answers read projections: not ready until these have caught up. */
const READS_PROJECTIONS = new Set(['api', 'all', 'projector']);
/** Probes that refresh gauges; run at every scrape. */
const GAUGE_PROBES = ['projections', 'queue'];

async function probe(check: () => Promise<void>): Promise<'ok' | 'fail'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch {
    return 'fail';
  } finally {
    clearTimeout(timer);
  }
}

/** 'ok' when every projection exists, is not faulted and is at most `maxLag` positions behind the head. */
async function projectionsCaughtUp(ctx: AppContext): Promise<void> {
  const head = (await ctx.store.headPosition())?.commit ?? 0n;
  const rows = await listCheckpoints(ctx.db);
  for (const p of ctx.projections) {
    const row = rows.find((r) => r.name === p.name);
    const lag = head - (row?.position ?? 0n);
    if (row?.status === 'faulted') throw new Error(`${p.name} faulted`);
    if (lag > BigInt(ctx.config.READY_MAX_PROJECTION_LAG)) throw new Error(`${p.name} is ${lag} behind`);
  }
}

export async function readiness(ctx: AppContext): Promise<{ ready: boolean; phase: string; checks: Record<string, 'ok' | 'fail'> }> {
  const lifecycle = ctx.lifecycle;
  const checks: Record<string, () => Promise<void>> = {};
  for (const name of CORE_DEPENDENCIES) {
    const check = ctx.health.get(name);
    if (check) checks[name] = check;
  }
  if (READS_PROJECTIONS.has(lifecycle.role)) checks.projections = () => projectionsCaughtUp(ctx);
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((n) => probe(checks[n]!)));
  const byName = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  return { ready: lifecycle.phase === 'running' && results.every((r) => r === 'ok'), phase: lifecycle.phase, checks: byName };
}

/** Refresh the gauges computed from the database and the queues, then render the registry. */
export async function scrape(ctx: AppContext): Promise<string> {
  await Promise.all(GAUGE_PROBES.map((name) => ctx.health.get(name)).filter((p) => p !== undefined).map((p) => probe(p)));
  return ctx.metrics.registry.metrics();
}

/** The AI client answers: the local coach is in-process; an OpenAI-compatible server must answer its model list. */
async function aiClientHealth(config: Config): Promise<void> {
  if (config.LLM_PROVIDER === 'local') return;
  const res = await fetch(`${config.OPENAI_BASE_URL.replace(/\/+$/, '')}/models`, {
    headers: config.OPENAI_API_KEY ? { authorization: `Bearer ${config.OPENAI_API_KEY}` } : {},
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  await res.body?.cancel();
  // 404: a server without the model list still answered.
  if (!res.ok && res.status !== 404) throw new Error(`AI client: ${res.status}`);
}

/** The services the contract's /health names, where no module registered its own probe. */
function contractProbes(ctx: AppContext): void {
  if (!ctx.health.has('execution')) {
    ctx.health.set('execution', async () => {
      for (const name of [EXECUTION_QUEUE, ANALYSIS_QUEUE]) await ctx.queues.queue(name).getJobCounts('waiting', 'active');
    });
  }
  if (!ctx.health.has('ai')) ctx.health.set('ai', () => aiClientHealth(ctx.config));
}

const ops = { config: { public: true, skipGlobalRateLimit: true } } as const;
const CheckStatus = Type.Union([Type.Literal('ok'), Type.Literal('fail')]);

export function healthRoutes(app: App, ctx: AppContext): void {
  contractProbes(ctx);
  app.get(
    '/health',
    {
      ...ops,
      schema: {
        tags: ['health'],
        summary: 'Deep health check of every dependency (always 200)',
        security: [],
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
            services: Type.Record(Type.String(), CheckStatus),
            timestamp: Type.String(),
          }),
        },
      },
    },
    async () => {
      const names = [...ctx.health.keys()];
      const results = await Promise.all(names.map((n) => probe(ctx.health.get(n)!)));
      const services = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
      return { status: results.every((r) => r === 'ok') ? ('ok' as const) : ('degraded' as const), services, timestamp: new Date().toISOString() };
    },
  );

  app.get(
    '/health/live',
    { ...ops, schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      ...ops,
      schema: {
        tags: ['health'],
        summary: 'Readiness: migrated, core dependencies reachable, projections caught up, not shutting down',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), phase: Type.String(), checks: Type.Record(Type.String(), CheckStatus) }),
          503: ErrorResponseSchema,
        },
      },
    },
    async (_request, reply) => {
      const r = await readiness(ctx);
      if (r.ready) return { status: 'ready' as const, phase: r.phase, checks: r.checks };
      const why = r.phase === 'stopping' ? 'Shutting down' : r.phase === 'starting' ? 'Starting' : 'A dependency is not ready';
      return reply.status(503).send(envelope(503, 'SERVICE_NOT_READY', why, { phase: r.phase, checks: r.checks }));
    },
  );

  app.get('/metrics', { ...ops, schema: { hide: true } }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.registry.contentType);
    return scrape(ctx);
  });
}
