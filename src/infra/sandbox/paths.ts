/** Where the sandbox keeps its state on the host, and the fixed identities it runs code under. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();

/** Built by scripts/setup-sandbox.sh; also holds the per-run boxes. */
export const STATE_DIR = process.env.SANDBOX_STATE_DIR || path.join(PROJECT_ROOT, '.data', 'sandbox');
export const SECCOMP_FILTER = path.join(STATE_DIR, 'seccomp.bpf');
export const BOXES_DIR = path.join(STATE_DIR, 'boxes');
/** Boxes of sandboxes started ahead of their run (prestarted.ts): pool members, not any run's yet. */
export const PRESTARTED_BOXES_DIR = path.join(STATE_DIR, 'boxes-ahead');

/**
 * Host uid/gid of sandboxed code. No account needs to exist for it; a high number keeps it clear of system
 * users. All runs share it: processes are limited per run by the pids cgroup, and runs cannot see each other
 * (separate pid namespaces), so a shared uid gives them no handle on one another.
 */
export const SANDBOX_UID = 60990;
export const SANDBOX_GID = 60990;

/** Name of the cgroup (under each controller) that holds one child cgroup per run. */
export const CGROUP_PARENT = 'syncode-sandbox';

/**
 * Absolute paths of the launch chain (never looked up on PATH). Mutable only so tests can point one at a
 * missing file and check that the sandbox then refuses to run anything.
 */
export const TOOLS = {
  /** Joins the run's cgroup and closes leaked descriptors; built by scripts/setup-sandbox.sh. */
  enter: path.join(STATE_DIR, 'sandbox-enter'),
  prlimit: '/usr/bin/prlimit',
  bwrap: '/usr/bin/bwrap',
  setpriv: '/usr/bin/setpriv',
  mount: '/usr/bin/mount',
  umount: '/usr/bin/umount',
};

/** The sandbox sees only PATH among host variables; everything else is set explicitly per language. */
export const SANDBOX_PATH = '/usr/bin:/bin';

/** Native esbuild binary shipped in node_modules (a dependency of tsx); strips TypeScript types in the sandbox. */
export function esbuildBinary(): string | null {
  const require = createRequire(import.meta.url);
  const pkg = `@esbuild/${process.platform}-${process.arch}/bin/esbuild`;
  for (const from of [PROJECT_ROOT, path.join(PROJECT_ROOT, 'node_modules', 'tsx')]) {
    try {
      return require.resolve(pkg, { paths: [from] });
    } catch {
      /* try the next location */
    }
  }
  return null;
}
