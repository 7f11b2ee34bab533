/**
 * The syncode command line.
 *   serve --role api|collab|worker|projector|all
 *   migrate
 *   projections status | rebuild [name] | verify [name]
 *   seed                      load the problem bank (idempotent)
 *   replay <sessionId> [--at <iso>]
 *   admin grant <email>
 */
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { listCheckpoints } from './projections/checkpoints.js';
import { rebuildProjection } from './projections/rebuild.js';
import { verifyProjection } from './projections/verify.js';
import type { AppContext } from './runtime/context.js';
import { closeContext, createContext } from './runtime/create-context.js';
import { cliCommands } from './runtime/cli-commands.js';
import { ROLES, serve, type Role } from './runtime/serve.js';
import { createLogger } from './infra/observability/logger.js';

function usage(): never {
  console.error('usage: syncode serve --role <api|collab|worker|projector|all> | migrate | projections <status|rebuild [name]|verify [name]> | seed | replay <sessionId> [--at iso] | admin grant <email>');
  process.exit(2);
}

async function withContext<T>(config: Config, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  try {
    return await fn(ctx);
  } finally {
    await closeContext(ctx);
  }
}

function selected(ctx: AppContext, name: string | undefined) {
  const list = name ? ctx.projections.filter((p) => p.name === name) : ctx.projections;
  if (name && list.length === 0) throw new Error(`Unknown projection ${name}; known: ${ctx.projections.map((p) => p.name).join(', ')}`);
  return list;
}

async function projectionsCommand(config: Config, args: string[]): Promise<number> {
  const [sub, name] = args;
  return withContext(config, async (ctx) => {
    if (sub === 'status') {
      const head = (await ctx.store.headPosition())?.commit ?? 0n;
      const rows = await listCheckpoints(ctx.db);
      console.table(ctx.projections.map((p) => {
        const row = rows.find((r) => r.name === p.name);
        return { projection: p.name, version: p.version, position: String(row?.position ?? 0n), lag: String(head - (row?.position ?? 0n)), status: row?.status ?? 'new', error: row?.lastError ?? '' };
      }));
      return 0;
    }
    if (sub === 'rebuild') {
      for (const p of selected(ctx, name)) {
        const started = Date.now();
        const r = await rebuildProjection(ctx.db, ctx.store, p);
        console.log(`${p.name}: ${r.events} events replayed to position ${r.position} in ${Date.now() - started} ms`);
      }
      return 0;
    }
    if (sub === 'verify') {
      let failures = 0;
      for (const p of selected(ctx, name)) {
        const r = await verifyProjection(ctx.db, ctx.schema, ctx.store, p);
        if (r.equal) console.log(`${p.name}: equal (${r.events} events up to position ${r.position})`);
        else {
          failures++;
          console.log(`${p.name}: DIFFERENT at position ${r.position}`);
          for (const d of r.differences) console.log(`  ${d.table}: ${d.onlyLive} rows only live, ${d.onlyRebuilt} rows only rebuilt; sample ${JSON.stringify(d.sample)}`);
        }
      }
      return failures === 0 ? 0 : 1;
    }
    return usage();
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { role: { type: 'string', default: 'all' } } });
      const role = values.role as Role;
      if (!ROLES.includes(role)) usage();
      const running = await serve(config, role);
      const shutdown = () => {
        running.ctx.logger.info('shutting down');
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return new Promise<number>(() => undefined);
    }
    case 'migrate':
      return withContext(config, async () => {
        console.log('migrations up to date');
        return 0;
      });
    case 'projections':
      return projectionsCommand(config, rest);
    default: {
      const handler = command ? cliCommands[command] : undefined;
      if (!handler) return usage();
      return withContext(config, (ctx) => handler(ctx, rest));
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
