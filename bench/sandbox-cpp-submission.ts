/**
 * A realistic judged submission: a C++ program with 10 tests, judged through judgeSubmission (one sandboxed
 * compile, ten sandboxed runs, verdicts) versus the same work done bare (one g++ with the same flags, ten
 * spawns of the binary). Rounds are interleaved so background load hits both sides alike. CPU time is compared
 * too (cgroup counters on both sides; the bare processes join a measuring cgroup through the sandbox's tiny
 * launcher and nothing else), as it is much less affected by other tenants than wall time.
 * Goal: sandboxed median ≤ 1.3 × bare median.
 * Run: node --import tsx bench/sandbox-cpp-submission.ts   (ROUNDS=7 by default; root, after scripts/setup-sandbox.sh)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunCgroup, detectCgroups, type RunCgroup } from '../src/infra/sandbox/cgroup.js';
import { judgeSubmission, probeSandbox } from '../src/infra/sandbox/index.js';
import { TOOLS } from '../src/infra/sandbox/paths.js';
import { median } from './lib/report.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const GOAL_RATIO = 1.3;
const NAME = 'sandbox-cpp-submission';

/** Two-sum style task: read n numbers and a target, print the indices of the first pair that adds up. */
const CODE = `
#include <bits/stdc++.h>
using namespace std;
int main() {
  ios::sync_with_stdio(false);
  int n; long long target;
  cin >> n >> target;
  vector<long long> a(n);
  for (auto &x : a) cin >> x;
  unordered_map<long long, int> seen;
  for (int i = 0; i < n; i++) {
    auto it = seen.find(target - a[i]);
    if (it != seen.end()) { cout << it->second << " " << i << "\\n"; return 0; }
    seen[a[i]] = i;
  }
  cout << "-1 -1\\n";
}
`;

function makeTests() {
  const tests = [];
  for (let t = 0; t < 10; t++) {
    const n = 1000 * (t + 1);
    const a = Array.from({ length: n }, (_, i) => 2 * i + 1); // all odd: no pair sums to an odd target...
    a[n - 1] = 4 * n; // ...until the last element, which pairs with a[0] = 1
    tests.push({ input: `${n} ${4 * n + 1}\n${a.join(' ')}\n`, expectedOutput: `0 ${n - 1}` });
  }
  return tests;
}

function exec(argv: string[], cwd: string, cg: RunCgroup, stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(TOOLS.enter, [...cg.procsFiles, '--', ...argv], { cwd, env: { PATH: '/usr/bin:/bin' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv[0]} exited ${code}: ${err}`))));
  });
}

let measuring = 0;
async function bareSubmission(tests: ReturnType<typeof makeTests>): Promise<{ ms: number; cpuMs: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sbx-bench-cpp-'));
  const cg = createRunCgroup(detectCgroups()!, `${process.pid}-bench${measuring++}`, { memoryBytes: 4 * 1024 ** 3, maxProcesses: 512 });
  try {
    const started = performance.now();
    writeFileSync(path.join(dir, 'code.cpp'), CODE);
    await exec(['/usr/bin/g++', '-std=gnu++17', '-O2', '-pipe', '-o', 'code.out', 'code.cpp'], dir, cg);
    for (const t of tests) {
      const out = await exec([path.join(dir, 'code.out')], dir, cg, t.input);
      if (out.trim() !== t.expectedOutput) throw new Error(`bare: wrong output ${out}`);
    }
    return { ms: performance.now() - started, cpuMs: cg.cpuNs() / 1e6 };
  } finally {
    await cg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sandboxedSubmission(
  tests: ReturnType<typeof makeTests>,
): Promise<{ ms: number; cpuMs: number; compileMs: number; runMs: number[] }> {
  const started = performance.now();
  const r = await judgeSubmission({ language: 'cpp', code: CODE, tests, timeoutMs: 5000, memoryMb: 256 });
  const ms = performance.now() - started;
  if (r.verdict !== 'AC') throw new Error(`sandboxed: ${r.verdict} ${JSON.stringify(r.tests.find((t) => t.verdict !== 'AC'))}`);
  const cpuMs = r.compile.cpuTimeMs + r.tests.reduce((sum, t) => sum + t.cpuTimeMs, 0);
  return { ms, cpuMs, compileMs: r.compile.durationMs, runMs: r.tests.map((t) => t.durationMs) };
}


const probe = await probeSandbox();
if (!probe.available) throw new Error(`sandbox unavailable: ${probe.reason}`);
const tests = makeTests();
await bareSubmission(tests); // warm the page cache for g++ and its headers on both sides
await sandboxedSubmission(tests);

const bare: number[] = [];
const sandboxed: number[] = [];
const bareCpu: number[] = [];
const sandboxedCpu: number[] = [];
const compileMs: number[] = [];
const runMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const b = await bareSubmission(tests);
  bare.push(b.ms);
  bareCpu.push(b.cpuMs);
  const s = await sandboxedSubmission(tests);
  sandboxed.push(s.ms);
  sandboxedCpu.push(s.cpuMs);
  compileMs.push(s.compileMs);
  runMs.push(...s.runMs);
}

const ratio = median(sandboxed) / median(bare);
const cpuRatio = median(sandboxedCpu) / median(bareCpu);
console.log(`\nC++ submission, compile + 10 tests (${ROUNDS} interleaved rounds, cgroup ${probe.cgroup}, load ${loadavg()[0]!.toFixed(2)})`);
console.log('side        wall median     min     max | CPU median   (ms)');
const line = (label: string, wall: number[], cpu: number[]) =>
  `${label.padEnd(10)} ${median(wall).toFixed(0).padStart(12)} ${Math.min(...wall).toFixed(0).padStart(7)} ${Math.max(...wall).toFixed(0).padStart(7)} | ${median(cpu).toFixed(0).padStart(10)}`;
console.log(line('bare', bare, bareCpu));
console.log(line('sandboxed', sandboxed, sandboxedCpu));
console.log(`  of which: sandboxed compile median ${median(compileMs).toFixed(0)} ms, sandboxed run median ${median(runMs).toFixed(1)} ms`);
console.log(`ratio ${ratio.toFixed(2)}× wall (min/min ${(Math.min(...sandboxed) / Math.min(...bare)).toFixed(2)}×), ${cpuRatio.toFixed(2)}× CPU — goal ≤ ${GOAL_RATIO}× ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}`);

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, `${NAME}.json`),
  JSON.stringify(
    {
      name: NAME,
      date: new Date().toISOString(),
      rounds: ROUNDS,
      cgroup: probe.cgroup,
      loadavg: loadavg(),
      goalRatio: GOAL_RATIO,
      bareMs: { median: median(bare), all: bare },
      sandboxedMs: { median: median(sandboxed), all: sandboxed },
      bareCpuMs: { median: median(bareCpu), all: bareCpu },
      sandboxedCpuMs: { median: median(sandboxedCpu), all: sandboxedCpu },
      cpuRatio,
      sandboxedCompileMedianMs: median(compileMs),
      sandboxedRunMedianMs: median(runMs),
      ratio,
    },
    null,
    2,
  ),
);
console.log(`  → bench/results/${NAME}.json`);
