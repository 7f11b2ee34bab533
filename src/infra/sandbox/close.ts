/**
 * Shutdown of what the sandbox starts ahead of runs that will not come any more: the sandboxes built for the next
 * runs (prestarted.ts) and the launcher waiting in its cgroup (launcher.ts), with their cgroups and boxes.
 */
import { closeWaitingLauncher } from './launcher.js';
import { closePrestartedSandboxes } from './prestarted.js';

export async function closeSandboxesAhead(): Promise<void> {
  await Promise.all([closePrestartedSandboxes(), closeWaitingLauncher()]);
}
