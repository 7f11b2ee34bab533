/**
 * The memory settings `bin/syncode` (the launcher of every role, in the image too) gives the Node process, read
 * from the script itself so a benchmark runs the roles as they are deployed: the environment (glibc's malloc
 * threshold), the V8 flags, and the program — the compiled build (dist/cli.js, scripts/build.sh) rather than the
 * TypeScript sources through tsx. The benchmarks start roles with `node [flags] dist/cli.js` or
 * `node --import tsx [flags] src/cli.ts` directly.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAUNCHER = path.join(ROOT, 'bin/syncode');
export const SOURCE_CLI = path.join(ROOT, 'src/cli.ts');
export const COMPILED_CLI = path.join(ROOT, 'dist/cli.js');

export function runtimeSettings(): { env: Record<string, string>; nodeArgs: string[] } {
  const script = readFileSync(LAUNCHER, 'utf8');
  const threshold = /MALLOC_MMAP_THRESHOLD_:-(\d+)/.exec(script)?.[1];
  const tunables = /GLIBC_TUNABLES:\+\$GLIBC_TUNABLES:\}([\w.=]+)"/.exec(script)?.[1];
  const flags = /SYNCODE_NODE_MEMORY_FLAGS-"([^"]*)"/.exec(script)?.[1];
  if (threshold === undefined || tunables === undefined || flags === undefined) throw new Error(`${LAUNCHER}: memory settings not found`);
  if (!script.includes('dist/cli.js')) throw new Error(`${LAUNCHER}: the compiled entry point is not found`);
  return { env: { MALLOC_MMAP_THRESHOLD_: threshold, GLIBC_TUNABLES: tunables }, nodeArgs: flags.split(' ').filter(Boolean) };
}

/** Compiles the current sources (scripts/build.sh, what `npm run build` runs) and answers the compiled entry point. */
export function buildCompiled(): string {
  execFileSync('bash', [path.join(ROOT, 'scripts/build.sh')], { cwd: ROOT, stdio: 'inherit' });
  return COMPILED_CLI;
}

/**
 * A TypeScript module to preload (`--import`) into a process that runs without tsx, as JavaScript: `file` transpiled
 * into `dir`. Its imports must be Node's own.
 */
export function preloadable(file: string, dir: string): string {
  const out = path.join(dir, `${path.basename(file, '.ts')}.mjs`);
  const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  writeFileSync(out, js.outputText);
  return out;
}
