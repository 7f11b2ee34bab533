/** The library surface: probing, versions, compile-once artifacts, validation, and failing closed. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import {
  closeSandboxesAhead,
  compile,
  executeRun,
  judgeSubmission,
  languageVersions,
  outputMatches,
  probeSandbox,
  release,
  resetSandboxProbe,
  runProgram,
  SandboxUnavailableError,
} from '../../src/infra/sandbox/index.js';
import { javaTypes } from '../../src/infra/sandbox/languages.js';
import { createBox, destroyBox, type Box } from '../../src/infra/sandbox/box.js';
import { BOXES_DIR, TOOLS } from '../../src/infra/sandbox/paths.js';
import { requireSandbox } from '../../src/infra/sandbox/probe.js';
import { runInSandbox, type SandboxSpec } from '../../src/infra/sandbox/sandboxed-process.js';
import { runVerdict } from '../../src/infra/sandbox/verdict.js';


afterAll(() => closeSandboxesAhead());
describe('probe and versions', () => {
  it('reports the sandbox available on this machine, with the cgroup version in use', async () => {
    const probe = await probeSandbox();
    expect(probe).toEqual({ available: true, cgroup: expect.stringMatching(/^v[12]$/) });
  }, 30_000);

  it('knows the version of all eight toolchains', async () => {
    const versions = await languageVersions();
    expect(versions.map((v) => v.language)).toEqual(['python', 'javascript', 'typescript', 'java', 'cpp', 'c', 'go', 'rust']);
    for (const v of versions) expect(`${v.language} ${v.version}`).toMatch(/ \d+\.\d+/);
  }, 30_000);
});

describe('artifacts', () => {
  it('compiles once and runs the same binary for every input; runs cannot modify it', async () => {
    const built = await compile('cpp', '#include <cstdio>\nint main(){ long a; if (scanf("%ld", &a) != 1) return 1; printf("%ld\\n", a * 2);\n FILE *f = fopen("/box/code.out", "w"); return f ? 3 : 0; }');
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.durationMs).toBeGreaterThan(0);
    const outs = [];
    for (const n of [1, 2, 3]) outs.push(await runProgram(built.artifact, { stdin: `${n}\n`, timeoutMs: 5000 }));
    expect(outs.map((o) => [o.verdictHint, o.stdout.trim()])).toEqual([['OK', '2'], ['OK', '4'], ['OK', '6']]);
    await release(built.artifact);
    await release(built.artifact); // idempotent
    expect(existsSync(built.artifact.box.dir)).toBe(false);
    await expect(runProgram(built.artifact)).rejects.toThrow(/released/);
  }, 60_000);

  it('treats compiling an interpreted language as preparing the source only', async () => {
    const built = await compile('python', 'print(input()[::-1])');
    expect(built).toMatchObject({ ok: true, durationMs: 0, stderr: '' });
    if (!built.ok) return;
    const r = await runProgram(built.artifact, { stdin: 'abc\n' });
    expect(r.stdout).toBe('cba\n');
    expect(r).toMatchObject({ status: 'completed', exitCode: 0, timedOut: false, outputTruncated: false, verdictHint: 'OK' });
    expect(r.cpuTimeMs).toBeGreaterThan(0);
    expect(r.memoryUsageMb).toBeGreaterThan(0);
    await release(built.artifact);
  }, 60_000);

  it('reports RE with the signal for a crashing native program', async () => {
    const r = await executeRun({ language: 'c', code: 'int main(void){ volatile int *p = 0; return *p; }' });
    expect(r).toMatchObject({ status: 'failed', verdictHint: 'RE', signal: 'SIGSEGV', exitCode: 139 });
  }, 60_000);

  it('gives the run only what compiling left of the timeout', async () => {
    const r = await executeRun({ language: 'python', code: 'while True: pass', timeoutMs: 700 });
    expect(r.verdictHint).toBe('TLE');
    expect(r.timedOut).toBe(true);
  }, 60_000);

  it('leaves no boxes behind', () => {
    const mine = (existsSync(BOXES_DIR) ? readdirSync(BOXES_DIR) : []).filter((n) => n.startsWith(`${process.pid}-`));
    expect(mine).toEqual([]);
  });
});

describe('internal errors', () => {
  const spec = (box: Box, over: Partial<SandboxSpec>): SandboxSpec => ({
    argv: ['/usr/bin/true'],
    box,
    boxWritable: false,
    cwd: '/tmp',
    cpuMs: 5000,
    wallMs: 10_000,
    memoryBytes: 64 * 1024 * 1024,
    maxProcesses: 8,
    fileSizeBytes: 1024 * 1024,
    stackBytes: 8 * 1024 * 1024,
    tmpBytes: 1024 * 1024,
    outputBytes: 4096,
    ...over,
  });

  it('is IE when the sandbox cannot start the program, and a program cannot fake one', async () => {
    const host = await requireSandbox();
    const box = await createBox({ writable: false, sizeMb: 1 });
    try {
      const broken = await runInSandbox(host, spec(box, { binds: [{ host: '/nonexistent/toolchain', sandbox: '/opt/toolchain' }] }));
      expect(broken.sandboxError).toContain('/nonexistent/toolchain');
      expect(runVerdict(broken, 5000)).toBe('IE');

      const forger = await runInSandbox(host, spec(box, { argv: ['/bin/sh', '-c', 'echo "bwrap: Can\'t find source path" >&2; exit 1'] }));
      expect(forger.sandboxError).toBeNull();
      expect(runVerdict(forger, 5000)).toBe('RE');
    } finally {
      await destroyBox(box);
    }
  }, 30_000);
});

describe('validation and judging', () => {
  it('rejects unknown languages and blank code without running anything', async () => {
    expect(await executeRun({ language: 'cobol', code: 'x' })).toMatchObject({ status: 'failed', exitCode: -1, durationMs: 0, timedOut: false, error: 'Unsupported language: cobol', verdictHint: 'CE' });
    expect(await executeRun({ language: 'python', code: '  \n' })).toMatchObject({ status: 'failed', error: 'Code is empty' });
    const judged = await judgeSubmission({ language: 'cobol', code: 'x', tests: [{ input: '', expectedOutput: '' }] });
    expect(judged.verdict).toBe('CE');
  });

  it('compares trimmed output with CRLF and LF treated alike', () => {
    expect(outputMatches('1 2\r\n3\r\n\r\n', '1 2\n3')).toBe(true);
    expect(outputMatches('1 2 \n3', '1 2\n3')).toBe(false); // only trailing whitespace at the very end is ignored
    expect(outputMatches('', '')).toBe(true);
  });

  it('aggregates per-test verdicts', async () => {
    const r = await judgeSubmission({
      language: 'python',
      code: 'n = int(input())\nprint(n * n if n != 3 else 0)\nif n == 4: raise SystemExit(2)',
      tests: [
        { input: '2', expectedOutput: '4' },
        { input: '3', expectedOutput: '9' },
        { input: '4', expectedOutput: '16' },
      ],
    });
    expect(r.tests.map((t) => t.verdict)).toEqual(['AC', 'WA', 'RE']);
    expect(r).toMatchObject({ verdict: 'WA', passed: 1, failed: 1, errors: 1, compile: { ok: true } });
  }, 60_000);

  it('finds the class Java should start, ignoring comments and strings', () => {
    expect(javaTypes('// class Fake\nimport x;\nclass Helper {}\npublic final class Answer { String s = "class Nope"; class Inner {} }')).toEqual({
      first: 'Helper',
      publicType: 'Answer',
    });
    expect(javaTypes('/* public class X */ record Point(int x) {}')).toEqual({ first: 'Point', publicType: null });
  });
});

describe('failing closed', () => {
  const realBwrap = TOOLS.bwrap;
  afterAll(() => {
    TOOLS.bwrap = realBwrap;
    resetSandboxProbe();
  });

  it('refuses to run anything when bubblewrap is missing, and says why', async () => {
    TOOLS.bwrap = '/nonexistent/bwrap';
    resetSandboxProbe();
    const probe = await probeSandbox();
    expect(probe.available).toBe(false);
    expect(probe.reason).toContain('/nonexistent/bwrap');
    await expect(executeRun({ language: 'python', code: 'print(1)' })).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(compile('cpp', 'int main(){}')).rejects.toThrow(/sandbox unavailable/);
    await expect(judgeSubmission({ language: 'python', code: 'print(1)', tests: [{ input: '', expectedOutput: '1' }] })).rejects.toThrow(SandboxUnavailableError);
  }, 30_000);

  it('recovers once the machine is fixed', async () => {
    TOOLS.bwrap = realBwrap;
    resetSandboxProbe();
    expect((await probeSandbox()).available).toBe(true);
    expect((await executeRun({ language: 'python', code: 'print(1)' })).stdout).toBe('1\n');
  }, 30_000);
});
