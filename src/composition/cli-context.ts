/** CLI commands that run against a full context: projections maintenance and seeding, with progress lines. */
import type { Config } from '../config.js';
import { seedCommand } from '../commands/problems/seed-bank.js';
import { seedDemo } from './demo-seed.js';
import { createLogger } from '../infra/observability/logger.js';
import { listCheckpoints } from '../projections/checkpoints.js';
import { rebuildProjection } from '../projections/rebuild.js';
import { verifyProjection } from '../projections/verify.js';
import type { AppContext } from './context.js';
import { closeContext, createContext } from './create-context.js';
import { wire } from './wiring.js';

export async function withContext<T>(config: Config, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
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

async function status(ctx: AppContext): Promise<number> {
  const head = (await ctx.store.headPosition())?.commit ?? 0n;
  const rows = await listCheckpoints(ctx.db);
  console.table(
    ctx.projections.map((p) => {
      const row = rows.find((r) => r.name === p.name);
      return { projection: p.name, version: p.version, position: String(row?.position ?? 0n), lag: String(head - (row?.position ?? 0n)), status: row?.status ?? 'new', error: row?.lastError ?? '' };
    }),
  );
  return 0;
}

async function rebuild(ctx: AppContext, name: string | undefined): Promise<number> {
  const list = selected(ctx, name);
  for (const [i, p] of list.entries()) {
    console.log(`[${i + 1}/${list.length}] rebuilding ${p.name}…`);
    const started = Date.now();
    const r = await rebuildProjection(ctx.db, ctx.store, p);
    console.log(`[${i + 1}/${list.length}] ${p.name}: ${r.events} events replayed to position ${r.position} in ${Date.now() - started} ms`);
  }
  return 0;
}

async function verify(ctx: AppContext, name: string | undefined): Promise<number> {
  const list = selected(ctx, name);
  let failures = 0;
  for (const [i, p] of list.entries()) {
    console.log(`[${i + 1}/${list.length}] verifying ${p.name}…`);
    const r = await verifyProjection(ctx.db, ctx.schema, ctx.store, p);
    if (r.equal) console.log(`[${i + 1}/${list.length}] ${p.name}: equal (${r.events} events up to position ${r.position})`);
    else {
      failures++;
      console.log(`[${i + 1}/${list.length}] ${p.name}: DIFFERENT at position ${r.position}`);
      for (const d of r.differences) console.log(`  ${d.table}: ${d.onlyLive} rows only live, ${d.onlyRebuilt} rows only rebuilt; sample ${JSON.stringify(d.sample)}`);
    }
  }
  console.log(failures === 0 ? `all ${list.length} projection(s) equal` : `${failures} of ${list.length} projection(s) differ`);
  return failures === 0 ? 0 : 1;
}

export async function projectionsCommand(config: Config, args: string[]): Promise<number> {
  const [sub, name] = args;
  if (sub !== 'status' && sub !== 'rebuild' && sub !== 'verify') {
    console.error('usage: syncode projections status | rebuild [name] | verify [name]');
    return 2;
  }
  return withContext(config, async (ctx) => {
    if (sub === 'status') return status(ctx);
    if (sub === 'rebuild') return rebuild(ctx, name);
    return verify(ctx, name);
  });
}

export async function seedCli(config: Config, args: string[]): Promise<number> {
  const demo = args.includes('--demo');
  if (args.some((a) => a !== '--demo')) {
    console.error('usage: syncode seed [--demo]');
    return 2;
  }
  if (demo) return seedWithDemo(config);
  return withContext(config, async (ctx) => {
    await wire(ctx);
    console.log('seeding the problem bank…');
    return seedCommand(ctx);
  });
}

/** The demo plays a session through the API: run the whole system in this process on a free local port meanwhile. */
async function seedWithDemo(config: Config): Promise<number> {
  const { serve } = await import('./serve.js');
  const running = await serve({ ...config, HOST: '127.0.0.1', PORT: 0, SCHEDULER_ENABLED: false, SEED_ON_START: false, SEED_DEMO: false, LOG_LEVEL: 'warn' }, 'all');
  try {
    console.log('seeding the problem bank…');
    const code = await seedCommand(running.ctx);
    if (code !== 0) return code;
    await seedDemo(running.ctx, running.url!, (line) => console.log(line));
    return 0;
  } finally {
    await running.stop();
  }
}
