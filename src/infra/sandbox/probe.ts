/**
 * Decides once per process whether sandboxed execution is possible, and refuses (fails closed) when it is not:
 * there is no code path that runs a submission without the full chain.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { destroyBox, createBox, sweepStaleBoxes, nameIsStale, type Box } from './box.js';
import { dropPrestarted, prestartSandbox } from './prestarted.js';
import { detectCgroups, prepareParent, sweepStaleCgroups } from './cgroup.js';
import { SANDBOX_GID, SANDBOX_PATH, SECCOMP_FILTER, STATE_DIR, TOOLS, SANDBOX_UID } from './paths.js';
import { runInSandbox, shapeOf, type SandboxHost, type SandboxSpec } from './sandboxed-process.js';
import { SandboxUnavailableError } from './types.js';

export interface SandboxProbe {
  available: boolean;
  reason?: string;
  cgroup: 'v1' | 'v2' | null;
}

/** A failed probe is retried after this long, so a machine fixed while the worker runs recovers by itself. */
const RETRY_FAILED_PROBE_MS = 5_000;

type Checked = { probe: SandboxProbe; host: SandboxHost | null };
let entry: { at: number; result: Promise<Checked>; settled?: Checked } | null = null;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with the /proc/self/status of a sandboxed process, or null when it is confined as intended. */
function confinementProblem(exitCode: number | null, status: string): string | null {
  if (exitCode !== 0) return `exit code ${exitCode}`;
  const field = (name: string) => (new RegExp(`^${name}:(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/);
  const uids = field('Uid');
  if (uids.length !== 4 || uids.some((u) => u !== String(SANDBOX_UID))) return `uid ${uids.join(' ')}`;
  if (field('CapEff')[0] !== '0000000000000000' || field('CapBnd')[0] !== '0000000000000000') return 'capabilities left';
  if (field('NoNewPrivs')[0] !== '1') return 'no_new_privs not set';
  if (field('Seccomp')[0] !== '2') return 'seccomp filter not loaded';
  return null;
}

/** Whether the launcher accepts `args`; one built before an option existed exits 125 on it. */
function launcherAccepts(args: string[], command: string[] = ['/usr/bin/true']): boolean {
  // Every descriptor up to 7 open on /dev/null: `-w` reads its command line from fd 7, here an immediate EOF.
  const devNull = openSync('/dev/null', 'r');
  try {
    const r = spawnSync(TOOLS.enter, [...args, '--', ...command], { env: { PATH: SANDBOX_PATH }, stdio: Array(8).fill(devNull), timeout: 5_000 });
    return r.status === 0;
  } finally {
    closeSync(devNull);
  }
}

/** What the installed launcher can do itself (rlimits, the privilege drop, starting ahead) instead of prlimit and setpriv. */
function launcherFeatures(): Pick<SandboxHost, 'launcherSetsLimits' | 'launcherDrops' | 'launcherWaits' | 'launcherPrestarts'> {
  const launcherSetsLimits = launcherAccepts(['-r', 'core=0:0']);
  const launcherDrops = launcherSetsLimits && launcherAccepts(['-k', '-r', 'core=0:0']) && launcherAccepts(['--drop', String(SANDBOX_UID), String(SANDBOX_GID)]);
  const launcherWaits = launcherDrops && launcherAccepts(['-w'], []);
  const launcherPrestarts = launcherWaits && launcherAccepts(['-k', '-p', '-r', 'core=0:0']) && launcherAccepts(['--wait-drop', String(SANDBOX_UID), String(SANDBOX_GID)], []);
  return { launcherSetsLimits, launcherDrops, launcherWaits, launcherPrestarts };
}

const SELF_TEST_FILE_SIZE = 1024 * 1024;

/** What is wrong with the rlimits a sandboxed process reports in /proc/self/limits, or null. */
function limitsProblem(text: string, fileSizeBytes: number): string | null {
  const limit = (name: string) => new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(text)?.slice(1, 3).join(':');
  if (limit('Max file size') !== `${fileSizeBytes}:${fileSizeBytes}`) return `file size limit ${limit('Max file size')}`;
  if (limit('Max core file size') !== '0:0') return `core file limit ${limit('Max core file size')}`;
  return null;
}

async function check(): Promise<Checked> {
  const fail = (reason: string, cgroup: SandboxProbe['cgroup'] = null) => ({
    probe: { available: false, reason, cgroup },
    host: null,
  });
  if (process.getuid?.() !== 0) return fail('the worker must run as root to create cgroups and box mounts');
  for (const tool of Object.values(TOOLS)) {
    if (!executable(tool)) return fail(`${tool} is missing (run scripts/setup-sandbox.sh)`);
  }
  if (!existsSync(SECCOMP_FILTER)) return fail(`seccomp filter ${SECCOMP_FILTER} is missing (run scripts/setup-sandbox.sh)`);
  const layout = detectCgroups();
  if (!layout) return fail('no usable cgroup hierarchy (need v2 with memory+pids, or v1 memory, pids and cpuacct)');
  try {
    prepareParent(layout);
  } catch (e) {
    return fail(`cgroups are not writable: ${(e as Error).message}`, layout.version);
  }
  try {
    mkdirSync(STATE_DIR, { recursive: true });
    await sweepStaleCgroups(layout, nameIsStale);
    await sweepStaleBoxes();
  } catch (e) {
    return fail(`cannot clean up after earlier runs: ${(e as Error).message}`, layout.version);
  }

  // End-to-end self-test: the chain must start a program, and that program must run as the sandbox uid with no
  // capabilities, no_new_privs, the seccomp filter and the rlimits in force. Anything else means a broken chain:
  // refuse. Sandboxes started ahead of their run are tested the same way; when they fail, runs start cold.
  const host: SandboxHost = { cgroups: layout, seccompFilter: SECCOMP_FILTER, ...launcherFeatures() };
  let box;
  try {
    box = await createBox({ writable: false, sizeMb: 1 });
    const problem = await selfTest(host, box, false);
    if (problem) return fail(problem, layout.version);
    if (host.launcherPrestarts && (await selfTest(host, box, true))) host.launcherPrestarts = false;
  } catch (e) {
    return fail(`sandbox self-test failed: ${(e as Error).message}`, layout.version);
  } finally {
    if (box) await destroyBox(box).catch(() => undefined);
  }
  return { probe: { available: true, cgroup: layout.version }, host };
}

/** Runs the self-test program cold, or in a sandbox started ahead for it; returns what is wrong, or null. */
async function selfTest(host: SandboxHost, box: Box, ahead: boolean): Promise<string | null> {
  const spec: SandboxSpec = {
    argv: ['/usr/bin/cat', '/proc/self/status', '/proc/self/limits'],
    box,
    ...(ahead ? { boxFile: { name: 'probe', content: '' } } : {}),
    boxWritable: false,
    cwd: '/tmp',
    cpuMs: 5_000,
    wallMs: 10_000,
    memoryBytes: 64 * 1024 * 1024,
    maxProcesses: 8,
    fileSizeBytes: SELF_TEST_FILE_SIZE,
    stackBytes: 8 * 1024 * 1024,
    tmpBytes: 1024 * 1024,
    outputBytes: 4096,
  };
  if (ahead) await prestartSandbox(host, shapeOf(spec));
  try {
    const out = await runInSandbox(host, spec);
    if (out.sandboxError) return `sandbox launch failed: ${out.sandboxError}`;
    if (ahead && !out.startedAhead) return 'the sandbox started ahead did not run the program';
    const problem = confinementProblem(out.exitCode, out.stdout) ?? limitsProblem(out.stdout, SELF_TEST_FILE_SIZE);
    return problem && `sandbox self-test failed: ${problem}`;
  } finally {
    if (ahead) await dropPrestarted(shapeOf(spec)); // no run has the self-test's shape
  }
}

function current(): Promise<Checked> {
  const retry = entry?.settled && !entry.settled.probe.available && Date.now() - entry.at > RETRY_FAILED_PROBE_MS;
  if (!entry || retry) {
    const fresh: NonNullable<typeof entry> = {
      at: Date.now(),
      result: check().catch((e: Error) => ({
        probe: { available: false, reason: `probe failed: ${e.message}`, cgroup: null },
        host: null,
      })),
    };
    void fresh.result.then((r) => {
      fresh.settled = r;
      fresh.at = Date.now();
    });
    entry = fresh;
  }
  return entry.result;
}

/** Whether the sandbox can run code on this machine, and why not. Cached; cheap after the first call. */
export async function probeSandbox(): Promise<SandboxProbe> {
  return { ...(await current()).probe };
}

/** The host configuration for a run; throws SandboxUnavailableError instead of ever running unsandboxed. */
export async function requireSandbox(): Promise<SandboxHost> {
  const { probe, host } = await current();
  if (!probe.available || !host) throw new SandboxUnavailableError(probe.reason ?? 'unknown reason');
  return host;
}

/** Removes cgroups and boxes left behind by worker processes that died mid-run (also done by the first probe). */
export async function sweepLeftovers(): Promise<void> {
  const layout = detectCgroups();
  if (layout) await sweepStaleCgroups(layout, nameIsStale);
  await sweepStaleBoxes();
}

/** Forgets the cached probe (after the machine was fixed, and in tests). */
export function resetSandboxProbe(): void {
  entry = null;
}
