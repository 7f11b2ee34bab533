/**
 * The syncode command line. `syncode --help` and `syncode <command> --help` answer before any configuration is
 * read or any database is opened, so they work anywhere.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';

const COMMANDS: Record<string, { summary: string; usage: string; details?: string }> = {
  serve: {
    summary: 'run a process role',
    usage: 'syncode serve [--role api|collab|worker|projector|all]',
    details:
      '  --role   what this process runs (default all: API, collab WebSocket under /ws, projectors and workers)\n' +
      'SIGTERM/SIGINT stop it gracefully: readiness turns false, in-flight requests and jobs finish, then it exits\n' +
      '(SHUTDOWN_TIMEOUT_MS is the deadline).',
  },
  migrate: { summary: 'apply pending database migrations and list them', usage: 'syncode migrate' },
  projections: {
    summary: 'inspect, rebuild or verify read models',
    usage: 'syncode projections status | rebuild [name] | verify [name]',
    details:
      '  status           position, lag and state of every projection\n' +
      '  rebuild [name]   replay the events into the read model from zero\n' +
      '  verify [name]    rebuild into a scratch schema and compare row for row with the live tables (exit 1 on a difference)',
  },
  seed: {
    summary: 'load the problem bank; --demo adds demo accounts and a finished session',
    usage: 'syncode seed [--demo]',
    details:
      '  --demo   also create an admin and two users (printed with their passwords) and a finished peer session\n' +
      '           with a run, submissions, feedback and a report, played through the API of a temporary server',
  },
  replay: { summary: 'print a session as it was at a moment', usage: 'syncode replay <sessionId> [--at <iso>] [--json] [--export <file>]' },
  admin: { summary: 'grant or revoke the admin role', usage: 'syncode admin grant <email> | syncode admin revoke <email>' },
  reports: { summary: 'regrade session reports', usage: 'syncode reports regrade <sessionId>|--all [--grader <version>]' },
  openapi: {
    summary: 'write the OpenAPI document of the API',
    usage: 'syncode openapi [--out <file>]',
    details: '  --out   file to write (default: standard output); the committed one is openapi.json',
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: syncode <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'syncode <command> --help' describes one command. Configuration comes from the environment (see .env.example).`;
}

function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  return `usage: ${c.usage}\n\n${c.summary}${c.details ? `\n\n${c.details}` : ''}`;
}

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

function usageError(name?: string): number {
  console.error(name && COMMANDS[name] ? `usage: ${COMMANDS[name].usage}` : overview());
  return 2;
}

async function serveCommand(config: Config, args: string[]): Promise<number> {
  const { ROLES, serve } = await import('./composition/serve.js');
  const { values } = parseArgs({ args, options: { role: { type: 'string', default: 'all' } } });
  const role = values.role as (typeof ROLES)[number];
  if (!ROLES.includes(role)) return usageError('serve');
  const running = await serve(config, role);
  const logger = running.ctx.logger;
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: { error: (m: unknown) => logger.error(m) } }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'fatal error, shutting down');
    else logger.info({ signal }, 'shutting down');
    await running.stop();
    logger.info('stopped');
    logger.flush();
  });
  return new Promise<number>(() => undefined);
}

async function migrateCommand(config: Config): Promise<number> {
  const { ensureDatabaseExists, ensureSchema, openDatabase } = await import('./infra/db/database.js');
  const { migrateToLatest } = await import('./infra/db/migrate.js');
  await ensureDatabaseExists(config.DATABASE_URL);
  const database = openDatabase(config.DATABASE_URL, config.DB_SCHEMA, 2);
  try {
    await ensureSchema(database.db, config.DB_SCHEMA);
    console.log(`migrating schema ${config.DB_SCHEMA}…`);
    const applied = await migrateToLatest(database.db, config.DB_SCHEMA);
    for (const name of applied) console.log(`  applied ${name}`);
    console.log(applied.length === 0 ? 'migrations up to date' : `${applied.length} migration(s) applied`);
    return 0;
  } finally {
    await database.close();
  }
}

async function openapiCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const { withContext } = await import('./composition/cli-context.js');
  const { formatOpenApi, openApiDocument } = await import('./http/openapi-document.js');
  const text = await withContext(config, async (ctx) => formatOpenApi(await openApiDocument(ctx)));
  if (values.out) {
    await writeFile(values.out, text);
    console.log(`wrote ${values.out}`);
  } else process.stdout.write(text);
  return 0;
}

async function run(command: string, config: Config, rest: string[]): Promise<number> {
  if (command === 'serve') return serveCommand(config, rest);
  if (command === 'migrate') return migrateCommand(config);
  if (command === 'openapi') return openapiCommand(config, rest);
  const { withContext, projectionsCommand, seedCli } = await import('./composition/cli-context.js');
  if (command === 'projections') return projectionsCommand(config, rest);
  if (command === 'seed') return seedCli(config, rest);
  const { cliCommands } = await import('./composition/cli-commands.js');
  const handler = cliCommands[command];
  if (!handler) return usageError();
  return withContext(config, (ctx) => handler(ctx, rest));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(overview());
    return command ? 0 : 2;
  }
  if (!COMMANDS[command]) {
    console.error(`unknown command: ${command}\n`);
    return usageError();
  }
  if (wantsHelp(rest)) {
    console.log(commandHelp(command));
    return 0;
  }
  return run(command, loadConfig(), rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
