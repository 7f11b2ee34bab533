/** CLI commands contributed by modules (seed, replay, admin, reports): name → handler returning an exit code. */
import { adminCli } from '../commands/identity/cli.js';
import { replayCli } from '../commands/sessions/replay.js';
import { reportsCli } from '../commands/reports/regrade.js';
import { seedCommand } from '../commands/problems/seed-bank.js';
import type { AppContext } from './context.js';

export type CliCommand = (ctx: AppContext, args: string[]) => Promise<number>;

export const cliCommands: Record<string, CliCommand> = {
  seed: seedCommand,
  admin: adminCli,
  replay: replayCli,
  reports: reportsCli,
};
