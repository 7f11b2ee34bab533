/**
 * The memory settings `bin/syncode` (the launcher of every role, in the image too) gives the Node process, read
 * from the script itself so a benchmark runs the roles as they are deployed: the environment (glibc's malloc
 * threshold) and the V8 flags. The benchmarks start roles with `node --import tsx src/cli.ts` directly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/syncode');

export function runtimeSettings(): { env: Record<string, string>; nodeArgs: string[] } {
  const script = readFileSync(LAUNCHER, 'utf8');
  const threshold = /MALLOC_MMAP_THRESHOLD_:-(\d+)/.exec(script)?.[1];
  const flags = /SYNCODE_NODE_MEMORY_FLAGS-"([^"]*)"/.exec(script)?.[1];
  if (threshold === undefined || flags === undefined) throw new Error(`${LAUNCHER}: memory settings not found`);
  return { env: { MALLOC_MMAP_THRESHOLD_: threshold }, nodeArgs: flags.split(' ').filter(Boolean) };
}
