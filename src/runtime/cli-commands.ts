/** CLI commands contributed by modules (seed, replay, admin): name → handler returning an exit code. */
import { adminCli } from '../commands/identity/cli.js';
import { replayCli } from '../commands/sessions/replay.js';
import type { AppContext } from './context.js';

export type CliCommand = (ctx: AppContext, args: string[]) => Promise<number>;

export const cliCommands: Record<string, CliCommand> = {
  admin: adminCli,
  replay: replayCli,
};
