/**
 * Cost of the sandbox for the smallest possible program: `print(1)` in Python, run through runProgram (cgroup
 * setup and teardown, the launch chain, verdict) versus the same interpreter and file spawned bare with the
 * same empty environment. Runs are interleaved so background load hits both sides alike; CPU time (from
 * cgroup counters on both sides) is printed too, as it is much less affected by other tenants than wall time.
 * Goal: sandboxed median ≤ 1.3 × bare median. For the profile, the same run also times bubblewrap alone (the
 * minimal namespaces + read-only /usr, no cgroup, no limits, no seccomp, no privilege drop): the floor any
 * bwrap-based chain starts from, so "sandboxed / bwrap alone" is what the rest of the chain costs.
 * A run normally takes a sandbox built ahead of it (src/infra/sandbox/prestarted.ts); that is "sandboxed". The
 * same run with no sandbox waiting (the first run of its shape, or one right behind another) is "cold". What a run
 * leaves to do in the background (removing its box, building the next sandbox) is waited for before the next
 * measurement, so it is counted in neither column, and does not slow the bare runs either.
 * Run: node --import tsx bench/sandbox-overhead.ts   (RUNS=30 by default; root, after scripts/setup-sandbox.sh)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunCgroup, detectCgroups } from '../src/infra/sandbox/cgroup.js';
import { compile, probeSandbox, release, runProgram } from '../src/infra/sandbox/index.js';
import { TOOLS } from '../src/infra/sandbox/paths.js';
import { closePrestartedSandboxes, prestartedSettled } from '../src/infra/sandbox/prestarted.js';

const RUNS = Number(process.env.RUNS ?? 30);
const WARMUP = 3;
const GOAL_RATIO = 1.3;
const NAME = 'sandbox-overhead';

function bare(argv: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { PATH: '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end('');
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out === '1\n' ? resolve(performance.now() - started) : reject(new Error(`bare run failed: ${code} ${out}`))));
  });
}

/** The same program under bubblewrap alone (as root, new pid/net/ipc/uts/cgroup namespaces, /usr read-only). */
function bwrapOnly(argv: string[], dir: string): Promise<number> {
  const root = ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/sbin', '/sbin'];
  if (existsSync('/usr/lib64')) root.push('--symlink', 'usr/lib64', '/lib64');
  const flags = ['--proc', '/proc', '--dev', '/dev', '--bind', dir, dir, '--chdir', dir, '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts'];
  return bare([TOOLS.bwrap, ...root, ...flags, '--unshare-cgroup', '--die-with-parent', '--new-session', '--', ...argv], dir);
}

/**
 * CPU time of a bare run, from a measuring cgroup joined through the same tiny launcher the sandbox uses
 * (no limits, nothing else). Wall time on a shared machine depends on other tenants; CPU time much less.
 */
let measuring = 0;
async function bareCpuMs(argv: string[], cwd: string): Promise<number> {
  const cg = createRunCgroup(detectCgroups()!, `${process.pid}-bench${measuring++}`, { memoryBytes: 1024 ** 3, maxProcesses: 64 });
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(TOOLS.enter, [...cg.procsFiles, '--', ...argv], { cwd, env: { PATH: '/usr/bin:/bin' } });
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    return cg.cpuNs() / 1e6;
  } finally {
    await cg.destroy();
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const summary = (xs: number[]) => ({ median: percentile(xs, 50), p10: percentile(xs, 10), p90: percentile(xs, 90), min: Math.min(...xs) });
const fmt = (n: number) => n.toFixed(1).padStart(7);

const probe = await probeSandbox();
if (!probe.available) throw new Error(`sandbox unavailable: ${probe.reason}`);

const cases = [
  { label: 'python print(1)', language: 'python' as const, file: 'code.py', code: 'print(1)\n', argv: (f: string) => ['/usr/bin/python3', '-B', f] },
  {
    label: 'node console.log(1)',
    language: 'javascript' as const,
    file: 'code.js',
    code: 'console.log(1)\n',
    argv: (f: string) => [process.execPath, '--max-old-space-size=96', '--stack-size=65500', f],
  },
];

const rows = [];
for (const c of cases) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sbx-bench-'));
  writeFileSync(path.join(dir, c.file), c.code);
  const built = await compile(c.language, c.code);
  if (!built.ok) throw new Error(built.error);
  const bareMs: number[] = [];
  const bwrapMs: number[] = [];
  const sandboxMs: number[] = [];
  const coldMs: number[] = [];
  const bareCpu: number[] = [];
  const sandboxCpu: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const b = await bare(c.argv(path.join(dir, c.file)), dir);
    const w = await bwrapOnly(c.argv(path.join(dir, c.file)), dir);
    const started = performance.now();
    const r = await runProgram(built.artifact, { timeoutMs: 5000 });
    const s = performance.now() - started;
    if (r.verdictHint !== 'OK' || r.stdout !== '1\n') throw new Error(`sandboxed run failed: ${JSON.stringify(r)}`);
    // What the run leaves to do in the background (its box removed, the next sandbox started ahead) must not
    // land in the other measurements.
    await prestartedSettled();
    await closePrestartedSandboxes(); // the next one starts cold
    const coldStarted = performance.now();
    const cold = await runProgram(built.artifact, { timeoutMs: 5000 });
    const coldElapsed = performance.now() - coldStarted;
    if (cold.verdictHint !== 'OK' || cold.stdout !== '1\n') throw new Error(`cold run failed: ${JSON.stringify(cold)}`);
    await prestartedSettled();
    const cpu = await bareCpuMs(c.argv(path.join(dir, c.file)), dir);
    if (i < WARMUP) continue;
    bareMs.push(b);
    bwrapMs.push(w);
    sandboxMs.push(s);
    coldMs.push(coldElapsed);
    bareCpu.push(cpu);
    sandboxCpu.push(r.cpuTimeMs);
  }
  await release(built.artifact);
  await closePrestartedSandboxes();
  rmSync(dir, { recursive: true, force: true });
  const row = {
    case: c.label,
    bare: summary(bareMs),
    bwrapOnly: summary(bwrapMs),
    sandboxed: summary(sandboxMs),
    cold: summary(coldMs),
    bareCpu: summary(bareCpu),
    sandboxedCpu: summary(sandboxCpu),
  };
  rows.push({
    ...row,
    ratio: row.sandboxed.median / row.bare.median,
    coldRatio: row.cold.median / row.bare.median,
    bwrapOnlyRatio: row.bwrapOnly.median / row.bare.median,
    cpuRatio: row.sandboxedCpu.median / row.bareCpu.median,
  });
}

console.log(`\nSandbox overhead (${RUNS} interleaved runs, cgroup ${probe.cgroup}, load ${loadavg()[0]!.toFixed(2)})`);
console.log(
  'wall ms                 bare med   p10   min | bwrap alone med  ratio | sandboxed med   p10   min | ratio (of mins) | cold med  ratio | CPU ms bare  sandboxed  ratio',
);
for (const r of rows) {
  console.log(
    `${r.case.padEnd(22)} ${fmt(r.bare.median)} ${fmt(r.bare.p10)} ${fmt(r.bare.min)} |     ${fmt(r.bwrapOnly.median)}  ${r.bwrapOnlyRatio.toFixed(2)}× |` +
      `     ${fmt(r.sandboxed.median)} ${fmt(r.sandboxed.p10)} ${fmt(r.sandboxed.min)} |` +
      ` ${r.ratio.toFixed(2)}× (${(r.sandboxed.min / r.bare.min).toFixed(2)}×) | ${fmt(r.cold.median)}  ${r.coldRatio.toFixed(2)}× |` +
      `   ${fmt(r.bareCpu.median)}    ${fmt(r.sandboxedCpu.median)}  ${r.cpuRatio.toFixed(2)}×`,
  );
}
const python = rows[0]!;
console.log(`goal: python sandboxed ≤ ${GOAL_RATIO}× bare → ${python.ratio <= GOAL_RATIO ? 'met' : 'NOT met'} (${python.ratio.toFixed(2)}×)`);

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, `${NAME}.json`),
  JSON.stringify({ name: NAME, date: new Date().toISOString(), runs: RUNS, cgroup: probe.cgroup, loadavg: loadavg(), goalRatio: GOAL_RATIO, rows }, null, 2),
);
console.log(`  → bench/results/${NAME}.json`);
