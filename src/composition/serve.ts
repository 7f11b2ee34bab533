/**
 * `syncode serve --role <role>`: one codebase, several process roles. `all` runs everything in one process (what
 * `npm start` does): the API, the collab WebSocket under /ws on the same port, the projectors and the workers.
 */
import type { Server } from 'node:http';
import type { Config } from '../config.js';
import { startOpsServer } from '../http/ops-app.js';
import { markRunning, markStarting, markStopping } from '../infra/observability/lifecycle.js';
import type { AppContext } from './context.js';
import { closeContext, createContext } from './create-context.js';
import { wire } from './wiring.js';

export const ROLES = ['api', 'collab', 'worker', 'projector', 'all'] as const;
export type Role = (typeof ROLES)[number];

export interface RoleStarter {
  /** Start the role's part; return a stop function. `server` is the API's HTTP server when one runs in-process. */
  (ctx: AppContext, server: Server | undefined): Promise<() => Promise<void>>;
}

/**
 * Extra parts per role (seeding on start, the workers and their scheduler). Each role loads only the code it runs —
 * the API's routes, the projectors, the collab server, the workers (and the sandbox, the analysis tools and the LLM
 * clients behind them) are imported by the roles that start them: code a process loads, it keeps in memory.
 */
const roleStarters: Partial<Record<Exclude<Role, 'all'>, () => Promise<RoleStarter[]>>> = {
  api: async () => {
    const [{ seedOnStart }, { seedDemoOnStart }] = await Promise.all([import('../commands/problems/seed-bank.js'), import('./demo-seed.js')]);
    return [seedOnStart, seedDemoOnStart];
  },
  worker: async () => {
    const [scheduler, execution, reports, ai, sweeper] = await Promise.all([
      import('../workers/scheduler/schedule.js'),
      import('../workers/execution/start.js'),
      import('../workers/reports/start.js'),
      import('../workers/ai/start.js'),
      import('../workers/sweeper/start.js'),
    ]);
    return [
      (ctx) => scheduler.startScheduler(ctx),
      (ctx) => execution.startExecutionWorker(ctx),
      (ctx) => reports.startReportWorker(ctx),
      (ctx) => ai.startAiWorker(ctx),
      sweeper.startSweeper,
    ];
  },
};

const OPS_PORTS: Record<'collab' | 'worker' | 'projector', (c: Config) => number> = {
  collab: (c) => c.COLLAB_OPS_PORT,
  worker: (c) => c.WORKER_OPS_PORT,
  projector: (c) => c.PROJECTOR_OPS_PORT,
};

export interface Running {
  ctx: AppContext;
  url: string | undefined;
  stop(): Promise<void>;
}

export async function serve(config: Config, role: Role): Promise<Running> {
  const ctx = await createContext(config);
  markStarting(ctx, role);
  const collabRole = role === 'all' || role === 'collab' ? await import('./collab-role.js') : undefined;
  const embedded = role === 'all' ? collabRole!.embedCollab(ctx) : undefined;
  await wire(ctx);
  const has = (r: Exclude<Role, 'all'>) => role === 'all' || role === r;
  const stops: Array<() => Promise<void>> = [];
  let server: Server | undefined;
  let url: string | undefined;
  let closeApi: (() => Promise<void>) | undefined;
  // Roles without the API answer health probes and scrapes on a port of their own, until the very end.
  const opsPort = role === 'all' || role === 'api' ? undefined : OPS_PORTS[role](config);
  if (opsPort !== undefined) stops.push((await startOpsServer(ctx, opsPort)).close);

  if (has('projector')) {
    const { startProjections } = await import('../projections/host.js');
    const host = startProjections(
      { databaseUrl: config.DATABASE_URL, db: ctx.db, pool: ctx.pool, store: ctx.store, schema: ctx.schema, progress: ctx.progress, logger: ctx.logger, batchSize: config.PROJECTION_BATCH_SIZE, onPoison: config.PROJECTION_ON_POISON },
      ctx.projections,
    );
    stops.push(() => host.stop());
  }
  if (has('api')) {
    const [{ buildApp }, { routeModules }] = await Promise.all([import('../http/app.js'), import('../http/modules.js')]);
    const app = await buildApp(ctx, routeModules);
    if (embedded) collabRole!.attachCollabUpgrade(embedded, app.server);
    url = await app.listen({ port: config.PORT, host: config.HOST });
    server = app.server;
    closeApi = () => app.close();
  }
  if (role === 'collab') stops.push(await collabRole!.startCollabRole(ctx));
  for (const r of ['projector', 'api', 'collab', 'worker'] as const) {
    if (!has(r)) continue;
    for (const start of (await roleStarters[r]?.()) ?? []) stops.push(await start(ctx, server));
  }
  markRunning(ctx);
  ctx.logger.info({ role, url }, 'syncode started');
  return {
    ctx,
    url,
    // Readiness turns false first; the API stops accepting and finishes its in-flight requests (the projectors
    // still run, so their read-your-writes waits end); then workers finish their jobs and the rest closes.
    async stop() {
      markStopping(ctx);
      // The embedded collab closes its WebSockets (1012, clients reconnect) meanwhile: open sockets would keep the
      // API's server from closing.
      await Promise.all([
        closeApi?.().catch((err) => ctx.logger.warn({ err }, 'error while stopping the API')),
        embedded?.close().catch((err) => ctx.logger.warn({ err }, 'error while stopping the collab plane')),
      ]);
      for (const stop of stops.reverse()) await stop().catch((err) => ctx.logger.warn({ err }, 'error while stopping'));
      await closeContext(ctx);
    },
  };
}
