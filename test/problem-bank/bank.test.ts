/**
 * The seeded problem bank: every file loads and validates, the bank covers the difficulties and topics it promises,
 * and every reference solution (problem-bank/solutions/<slug>.py) passes all of its problem's tests under python3.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_PROBLEM_BANK_DIR,
  loadProblemBank,
  ProblemBankError,
  type ProblemBankEntry,
} from '../../src/infra/problem-bank/load.js';

const SOLUTIONS_DIR = fileURLToPath(new URL('../../problem-bank/solutions/', import.meta.url));
const LANGUAGES = ['c', 'cpp', 'go', 'java', 'javascript', 'python', 'rust', 'typescript'];
const REQUIRED_TAGS = [
  'arrays', 'strings', 'hash-map', 'two-pointers', 'sliding-window', 'stack', 'queue', 'linked-list', 'trees',
  'graphs', 'bfs', 'dfs', 'binary-search', 'sorting', 'heap', 'greedy', 'dynamic-programming', 'intervals',
  'backtracking', 'math', 'bit-manipulation', 'matrix',
];
/** Python processes in flight at once while checking the reference solutions (they are short-lived). */
const CONCURRENCY = Math.max(2, Math.min(8, 2 * availableParallelism()));

/**
 * The interpreter `python3` on PATH resolves to, asked once: a version-manager shim in front of it can cost more
 * than the solution itself on every start.
 */
const PYTHON = (() => {
  const probe = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.trim() ? probe.stdout.trim() : 'python3';
})();

const bank = loadProblemBank();

describe('problem bank files', () => {
  it('holds at least 30 problems with unique slugs and titles and every difficulty', () => {
    expect(bank.length).toBeGreaterThanOrEqual(30);
    expect(new Set(bank.map((p) => p.slug)).size).toBe(bank.length);
    expect(new Set(bank.map((p) => p.title.toLowerCase())).size).toBe(bank.length);
    const byDifficulty = (d: string) => bank.filter((p) => p.difficulty === d).length;
    expect(byDifficulty('easy')).toBeGreaterThanOrEqual(8);
    expect(byDifficulty('medium')).toBeGreaterThanOrEqual(10);
    expect(byDifficulty('hard')).toBeGreaterThanOrEqual(6);
  });

  it('covers the common interview topics', () => {
    const tags = new Set(bank.flatMap((p) => p.tags));
    expect(REQUIRED_TAGS.filter((t) => !tags.has(t))).toEqual([]);
  });

  it('gives every problem examples, starter code in all 8 languages and at least 6 tests of which 3 are hidden', () => {
    const failing = (rule: (p: ProblemBankEntry) => boolean) => bank.filter((p) => !rule(p)).map((p) => p.slug);
    expect(failing((p) => p.examples.length > 0)).toEqual([]);
    expect(failing((p) => p.tags.length > 0)).toEqual([]);
    expect(failing((p) => JSON.stringify(Object.keys(p.starterCode).sort()) === JSON.stringify(LANGUAGES))).toEqual([]);
    expect(failing((p) => Object.values(p.starterCode).every((code) => code.includes('solve') && code.includes('TODO')))).toEqual([]);
    expect(failing((p) => p.testCases.length >= 6)).toEqual([]);
    expect(failing((p) => p.testCases.filter((t) => t.isHidden).length >= 3)).toEqual([]);
  });

  it('has one reference solution per problem and no other', () => {
    const solutions = readdirSync(SOLUTIONS_DIR).filter((f) => f.endsWith('.py')).map((f) => f.slice(0, -3)).sort();
    expect(solutions).toEqual(bank.map((p) => p.slug).sort());
  });

  it('shows each example among the visible tests with the same expected output', () => {
    for (const p of bank) {
      const visible = p.testCases.filter((t) => !t.isHidden);
      for (const e of p.examples) {
        const match = visible.find((t) => t.input === e.input);
        expect([p.slug, e.input, match?.expectedOutput.trimEnd()]).toEqual([p.slug, e.input, e.output.trimEnd()]);
      }
    }
  });
});

describe('loadProblemBank validation', () => {
  const sample = JSON.parse(readFileSync(join(DEFAULT_PROBLEM_BANK_DIR, `${bank[0]!.slug}.json`), 'utf8'));

  /** Writes the given files into a fresh directory, loads it, and returns the error it raised. */
  const loadError = (files: Record<string, unknown>): ProblemBankError => {
    const dir = mkdtempSync(join(tmpdir(), 'problem-bank-'));
    try {
      for (const [name, content] of Object.entries(files)) {
        writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
      }
      loadProblemBank(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(ProblemBankError);
      return err as ProblemBankError;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    throw new Error('expected the bank to be rejected');
  };
  const file = `${sample.slug}.json`;
  const variant = (change: (p: any) => void) => {
    const copy = structuredClone(sample);
    change(copy);
    return { [file]: copy };
  };

  it('loads a valid file from another directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'problem-bank-'));
    try {
      writeFileSync(join(dir, file), JSON.stringify(sample));
      const entries: ProblemBankEntry[] = loadProblemBank(dir);
      expect(entries.map((e) => e.slug)).toEqual([sample.slug]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['an unknown difficulty', (p: any) => { p.difficulty = 'impossible'; }, 'difficulty'],
    ['a missing starter language', (p: any) => { delete p.starterCode.rust; }, 'starterCode.rust'],
    ['an unknown language', (p: any) => { p.starterCode.cobol = 'x'; }, 'starterCode.cobol'],
    ['a blank expected output', (p: any) => { p.testCases[0].expectedOutput = '  \n'; }, 'testCases.0.expectedOutput'],
    ['a non-boolean isHidden', (p: any) => { p.testCases[1].isHidden = 'yes'; }, 'testCases.1.isHidden'],
    ['a bad tag', (p: any) => { p.tags = ['Two Pointers']; }, 'tags.0'],
    ['a time limit that is not an integer', (p: any) => { p.timeLimit = 1.5; }, 'timeLimit'],
    ['a misspelt field', (p: any) => { p.constraint = p.constraints; }, 'constraint'],
    ['a missing field', (p: any) => { delete p.examples; }, 'examples'],
    ['no examples', (p: any) => { p.examples = []; }, 'examples'],
    ['a slug that differs from the file name', (p: any) => { p.slug = 'something-else'; }, 'slug'],
    ['a statement without an output format', (p: any) => { p.description = p.description.replace(/Output format/g, 'Output'); }, 'description'],
  ])('rejects %s, naming the file and the field', (_name, change, field) => {
    const err = loadError(variant(change));
    expect(err.file.endsWith(file)).toBe(true);
    expect(err.field).toBe(field);
    expect(err.message).toContain(file);
    expect(err.message).toContain(field);
  });

  it('rejects a file that is not JSON', () => {
    const err = loadError({ 'broken.json': '{ "slug": ' });
    expect(err.message).toMatch(/broken\.json.*not valid JSON/);
  });

  it('rejects two files with the same title', () => {
    const other = { ...structuredClone(sample), slug: 'a-copy' };
    const err = loadError({ [file]: sample, 'a-copy.json': other });
    expect(err.field).toBe('title');
    expect(err.message).toContain('is also used by');
  });
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runPython(script: string, input: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a solution may exit before reading all of its input
    child.stdin.end(input);
  });
}

/** Runs the tasks with at most `limit` in flight, keeping the results in order. */
async function inPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

describe('reference solutions', () => {
  // One pool for every test of every problem, started once; each problem's case then waits for its own runs.
  let runs: Map<string, Promise<RunResult[]>>;
  beforeAll(() => {
    const tasks = bank.flatMap((p) =>
      p.testCases.map((t) => ({ slug: p.slug, run: () => runPython(join(SOLUTIONS_DIR, `${p.slug}.py`), t.input) })),
    );
    const all = inPool(tasks.map((t) => t.run), CONCURRENCY);
    runs = new Map(
      bank.map((p) => [p.slug, all.then((results) => results.filter((_, i) => tasks[i]!.slug === p.slug))]),
    );
    // A failure surfaces in the problem's own case below; keep Node from reporting it as unhandled meanwhile.
    all.catch(() => undefined);
  });

  it.each(bank.map((p) => [p.slug, p] as const))('%s passes all of its tests', async (slug, problem) => {
    expect(existsSync(join(SOLUTIONS_DIR, `${slug}.py`))).toBe(true);
    const results = await runs.get(slug)!;
    const failures = results.flatMap((run, i) => {
      const t = problem.testCases[i]!;
      if (run.code !== 0) return [`test ${i} (${t.description ?? ''}): exit ${run.code}: ${run.stderr.slice(-300)}`];
      if (run.stdout.trimEnd() !== t.expectedOutput.trimEnd()) return [`test ${i} (${t.description ?? ''}): wrong output`];
      return [];
    });
    expect(failures).toEqual([]);
  }, 300_000);
});
