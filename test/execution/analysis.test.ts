/**
 * Static analysis per run and submission (SPEC §6.5): the worker's result over HTTP, owner-only access, the
 * pending shape; and each language's linter on code with a known finding.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { analyzeCode } from '../../src/infra/analysis/index.js';
import {
  analysisResult,
  createProblem,
  createRoom,
  execHarness,
  expectError,
  newAdmin,
  run,
  runResult,
  submissionResult,
  submit,
  type ExecHarness,
  type TestRoom,
  type TestUser,
} from './support.js';

let h: ExecHarness;
let admin: TestUser;
let room: TestRoom;

beforeAll(async () => {
  h = await execHarness();
  admin = await newAdmin(h);
  room = await createRoom(h, { problemId: (await createProblem(h, admin)).id, host: admin });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const code = [
  'import os',
  'def solve(a, b):',
  '    if a > b and a > 0:',
  '        return a',
  '    elif b:',
  '        return b',
  '    return missing',
  'a, b = map(int, input().split())',
  'print(a + b)',
].join('\n');

describe('GET /execution/static-analysis/:jobId', () => {
  it('gives the owner the linter findings, complexity, duplications and tool outcomes of a run', async () => {
    const res = await run(h, room.candidate, room.roomId, { language: 'python', code, stdin: '1 2\n' });
    expect(res.body.staticAnalysisJobId).toEqual(expect.any(String));
    const report = await analysisResult(h, room.candidate, res.body.staticAnalysisJobId);
    expect(report).toMatchObject({
      jobId: res.body.staticAnalysisJobId,
      source: 'run',
      runId: res.body.jobId,
      submissionId: null,
      language: 'python',
      status: 'completed',
      error: null,
      completedAt: expect.any(String),
    });
    expect(report.toolResults.map((t: any) => [t.tool, t.status])).toEqual([
      ['pyflakes', 'completed'],
      ['syncode-complexity', 'completed'],
      ['syncode-duplication', 'completed'],
    ]);
    expect(report.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: 'pyflakes', rule: 'unused-import', severity: 'warning', line: 1, file: 'Main.py' }),
        expect.objectContaining({ tool: 'pyflakes', rule: 'undefined-name', severity: 'error', line: 7 }),
      ]),
    );
    expect(report.complexity).toEqual([
      { tool: 'syncode-complexity', functionName: 'solve', file: 'Main.py', startLine: 2, endLine: 7, cyclomaticComplexity: 4 },
    ]);
    expect(report.summary).toEqual({
      diagnosticCount: 2,
      errorCount: 1,
      warningCount: 1,
      maxCyclomaticComplexity: 4,
      highComplexityCount: 0,
      duplicationCount: 0,
      toolFailureCount: 0,
    });
    await runResult(h, room.candidate, res.body.jobId);
  });

  it('belongs to its owner only: 404 ANALYSIS_JOB_NOT_FOUND for others (admins too) and unknown jobs', async () => {
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code });
    const report = await analysisResult(h, room.candidate, res.body.staticAnalysisJobId);
    expect(report).toMatchObject({ source: 'submission', submissionId: res.body.submissionId, runId: null, status: 'completed' });
    const url = `/execution/static-analysis/${res.body.staticAnalysisJobId}`;
    expectError(await h.request({ method: 'GET', url, token: admin.token }), 404, 'ANALYSIS_JOB_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: `/execution/static-analysis/${randomUUID()}`, token: room.candidate.token }), 404, 'ANALYSIS_JOB_NOT_FOUND');
    expectError(await h.request({ method: 'GET', url: '/execution/static-analysis/xyz', token: room.candidate.token }), 400, 'VALIDATION_FAILED');
    await submissionResult(h, room.candidate, res.body.submissionId);
  });

  it('answers the pending shape until the worker is done; the row exists as soon as the run is accepted', async () => {
    await h.stopWorker();
    try {
      const res = await run(h, room.candidate, room.roomId, { language: 'python', code: 'print(1)' });
      const pending = await h.request({ method: 'GET', url: `/execution/static-analysis/${res.body.staticAnalysisJobId}`, token: room.candidate.token });
      expect(pending.body).toEqual({
        jobId: res.body.staticAnalysisJobId,
        source: 'run',
        runId: res.body.jobId,
        submissionId: null,
        language: 'python',
        createdAt: expect.any(String),
        completedAt: null,
        status: 'pending',
      });
    } finally {
      await h.startWorker();
    }
  });
});

describe('linters per language (trusted tools reading the code, never running it)', () => {
  // [language, tool, rule it must find, code]
  const SAMPLES: Array<[string, string, string, string]> = [
    ['python', 'pyflakes', 'undefined-name', 'import os\nprint(undefined_thing)\n'],
    ['javascript', 'eslint', 'no-undef', 'function f(a) { return b; }\nf(1);\n'],
    ['typescript', 'eslint', 'prefer-const', 'let x: number = 1;\nconsole.log(x);\n'],
    ['java', 'javac-lint', 'rawtypes', 'import java.util.*;\npublic class Solution { public static void main(String[] a) { List l = new ArrayList(); System.out.println(l); } }\n'],
    ['cpp', 'cppcheck', 'uninitvar', '#include <cstdio>\nint main() { int x; printf("%d", x); return 0; }\n'],
    ['c', 'cppcheck', 'arrayIndexOutOfBounds', '#include <stdio.h>\nint main(void) { int a[3]; a[3] = 1; printf("%d", a[0]); return 0; }\n'],
    ['go', 'go-vet', 'printf', 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Printf("%s\\n", 42)\n}\n'],
    ['rust', 'clippy', 'unused_variables', 'fn main() {\n    let unused = 5;\n    println!("hi");\n}\n'],
  ];

  it.each(SAMPLES)('%s: %s finds %s', async (language, tool, rule, source) => {
    const report = await analyzeCode({ language, code: source, timeoutMs: 60_000 });
    const linter = report.toolResults[0]!;
    expect(linter.tool).toBe(tool);
    if (linter.status === 'skipped') return; // not installed on this machine: reported, not failed
    expect(linter.status).toBe('completed');
    expect(report.diagnostics.map((d) => d.rule)).toContain(rule);
    expect(report.diagnostics.every((d) => d.file === report.diagnostics[0]!.file && d.line !== null)).toBe(true);
  }, 90_000);

  it('does not let a compiler read other files for the code, and never runs the code', async () => {
    const c = await analyzeCode({ language: 'c', code: '#include "/etc/passwd"\nint main(void) { return 0; }\n', timeoutMs: 30_000 });
    expect(c.toolResults[0]).toMatchObject({ tool: 'cppcheck', status: 'skipped', error: expect.stringContaining('#include "/etc/passwd"') });
    expect(JSON.stringify(c)).not.toContain('root:');
    for (const sneaky of ['#include <../../etc/passwd>', '%:include "/etc/passwd"', '#/* */include "/etc/passwd"', '#inc\\\nlude "/etc/passwd"', '#include HEADER']) {
      const cpp = await analyzeCode({ language: 'cpp', code: `${sneaky}\nint main() {}\n`, timeoutMs: 30_000 });
      expect({ sneaky, status: cpp.toolResults[0]!.status }).toEqual({ sneaky, status: 'skipped' });
    }
    const fine = await analyzeCode({ language: 'cpp', code: '#include <bits/stdc++.h>\nint main() {}\n', timeoutMs: 30_000 });
    expect(fine.toolResults[0]!.status).toBe('completed');
    const renamed = await analyzeCode({ language: 'rust', code: 'use std::include_str as x;\nfn main() { println!("{}", x!("/etc/passwd")); }\n', timeoutMs: 30_000 });
    expect(renamed.toolResults[0]!.status).toBe('skipped');
    const rust = await analyzeCode({ language: 'rust', code: 'fn main() { compile_error!(concat!(include_str!("/etc/passwd"))); }\n', timeoutMs: 30_000 });
    expect(rust.toolResults[0]).toMatchObject({ status: 'skipped', error: expect.stringContaining('include') });
    expect(JSON.stringify(rust)).not.toContain('root:');
    // complexity and duplication still run
    expect(rust.toolResults.slice(1).map((t) => t.status)).toEqual(['completed', 'completed']);
    const python = await analyzeCode({ language: 'python', code: 'open("/tmp/syncode-analysis-ran", "w").write("x")\n', timeoutMs: 30_000 });
    expect(python.status).toBe('completed');
    const { existsSync } = await import('node:fs');
    expect(existsSync('/tmp/syncode-analysis-ran')).toBe(false);
  });

  it('an invalid request is a failed analysis with the reason', async () => {
    expect(await analyzeCode({ language: 'cobol', code: 'x', timeoutMs: 1000 })).toMatchObject({ status: 'failed', error: 'Unsupported language: cobol', toolResults: [] });
    expect(await analyzeCode({ language: 'python', code: '   ', timeoutMs: 1000 })).toMatchObject({ status: 'failed', error: 'Code is empty' });
  });
});
