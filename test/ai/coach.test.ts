/**
 * The local coach depends on the session: the verdict class of the latest execution, the line it points at, nested
 * loops, the phase. Every line it names exists in the candidate's code. Also the hidden-value scrubber.
 */
import { describe, expect, it } from '@jest/globals';
import { scrubHidden, secretsOf, leaksHidden } from '../../src/domain/ai/hidden.js';
import { createLocalCoach } from '../../src/infra/llm/index.js';
import type { CoachContext, ExecutionFacts, HintRequest, InterviewRequest } from '../../src/infra/llm/port.js';

const coach = createLocalCoach();
const LADDER = { subtle: 'Rung one.', moderate: 'Rung two: a hash map.', direct: 'Rung three: store value to index.' };

const NESTED = [
  'import sys',
  '',
  'def solve(nums, target):',
  '    for i in range(len(nums)):',
  '        for j in range(i + 1, len(nums)):',
  '            if nums[i] + nums[j] == target:',
  '                return [i, j]',
  '    return []',
].join('\n');

function ctx(code: string, execution: ExecutionFacts | null, o: Partial<CoachContext> = {}): CoachContext {
  return {
    language: 'python',
    code,
    problem: { title: 'Two Sum', description: 'Find two indices.', constraints: '- `2 <= n <= 10^4`', difficulty: 'easy', tags: [], examples: [], ladder: LADDER },
    execution,
    analysis: null,
    phase: 'coding',
    previousHints: [],
    conversation: [],
    ...o,
  };
}

const exec = (o: Partial<ExecutionFacts>): ExecutionFacts => ({
  source: 'submission', id: 'x', at: '2026-01-01T00:00:00.000Z', verdict: 'AC', passed: 0, total: 0, sameCode: true, failedVisible: [], hiddenFailures: {},
  compileError: null, stderr: null, stdin: null, stdout: null, ...o,
});

const hintReq = (c: CoachContext, level: 'subtle' | 'moderate' | 'direct', o: Partial<HintRequest> = {}): HintRequest => ({
  ...c, level, stage: 'initial', iteration: 1, previousHint: null, reflection: null, ...o,
});

/** Every "line N" in the text is a line of the code. */
function linesAreReal(text: string, code: string): void {
  const n = code.split('\n').length;
  for (const m of text.matchAll(/\bline (\d+)/g)) expect(Number(m[1])).toBeLessThanOrEqual(n);
}

describe('hints follow the latest verdict', () => {
  it('TLE: the complexity hint names the nested loop by its lines; the direct hint names the change', async () => {
    const c = ctx(NESTED, exec({ verdict: 'TLE', passed: 3, total: 6, hiddenFailures: { TLE: 3 } }));
    const subtle = (await coach.hint(hintReq(c, 'subtle'))).result.hint;
    const moderate = (await coach.hint(hintReq(c, 'moderate'))).result.hint;
    const direct = (await coach.hint(hintReq(c, 'direct'))).result.hint;
    expect(subtle).toMatch(/too slow/);
    expect(subtle).toContain('line 5');
    expect(moderate).toMatch(/loop on line 5 .*loop on line 4/);
    expect(moderate).toContain('Rung two');
    expect(direct).toMatch(/O\(n²\)/);
    expect(direct).toContain('line 5');
    expect(direct).toContain('Rung three');
    expect(new Set([subtle, moderate, direct]).size).toBe(3);
    for (const t of [subtle, moderate, direct]) linesAreReal(t, NESTED);
  });

  it('RE: the exception and the line, from the traceback of a run', async () => {
    const code = 'def solve(nums):\n    total = 0\n    for i in range(len(nums) + 1):\n        total += nums[i]\n    return total\nprint(solve([1, 2]))\n';
    const stderr = 'Traceback (most recent call last):\n  File "/box/code.py", line 6, in <module>\n    print(solve([1, 2]))\n  File "/box/code.py", line 4, in solve\n    total += nums[i]\nIndexError: list index out of range\n';
    const c = ctx(code, exec({ source: 'run', verdict: 'RE', stderr }));
    const moderate = (await coach.hint(hintReq(c, 'moderate'))).result.hint;
    expect(moderate).toContain('IndexError');
    expect(moderate).toContain('list index out of range');
    expect(moderate).toContain('line 4 (`total += nums[i]`)');
    const reply = (await coach.interview({ ...c, trigger: 'proactive', userMessage: null, codeContext: null, signals: { reason: 'code_ran', elapsedSeconds: 60, secondsSinceLastEditorActivity: 5, secondsSinceLastUserMessage: null, hintCount: 0 } })).result;
    expect(reply.message).toContain('IndexError');
    expect(reply.codeAnnotations).toEqual([{ line: 4, comment: 'IndexError is raised here.' }]);
  });

  it('RE in Java and JavaScript frames point at the candidate’s line', async () => {
    const java = 'public class Main {\n  public static void main(String[] a) {\n    int[] x = new int[2];\n    System.out.println(x[5]);\n  }\n}\n';
    const jerr = 'Exception in thread "main" java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 2\n\tat Main.main(Main.java:4)\n';
    const h = (await coach.hint(hintReq(ctx(java, exec({ source: 'run', verdict: 'RE', stderr: jerr }), { language: 'java' }), 'direct'))).result.hint;
    expect(h).toContain('ArrayIndexOutOfBoundsException');
    expect(h).toContain('line 4');
    const js = 'const a = null;\nconsole.log(a.length);\n';
    const jserr = '/box/code.js:2\nconsole.log(a.length);\n              ^\n\nTypeError: Cannot read properties of null (reading \'length\')\n    at Object.<anonymous> (/box/code.js:2:15)\n';
    const h2 = (await coach.hint(hintReq(ctx(js, exec({ source: 'run', verdict: 'RE', stderr: jserr }), { language: 'javascript' }), 'moderate'))).result.hint;
    expect(h2).toContain('TypeError');
    expect(h2).toContain('line 2');
  });

  it('CE: the compiler message and its line', async () => {
    const code = '#include <stdio.h>\nint main() {\n  int x = 1\n  return 0;\n}\n';
    const err = "/box/code.c: In function 'main':\n/box/code.c:3:12: error: expected ',' or ';' before 'return'\n";
    const h = (await coach.hint(hintReq(ctx(code, exec({ verdict: 'CE', compileError: err }), { language: 'c' }), 'moderate'))).result.hint;
    expect(h).toContain("expected ',' or ';' before 'return'");
    expect(h).toContain('line 3');
  });

  it('WA on a visible edge case names the case; a hidden-only WA says nothing about the hidden data', async () => {
    const wrong = exec({ verdict: 'WA', passed: 1, total: 4, failedVisible: [{ number: 2, verdict: 'WA', input: '2\n5 5\n10\n', expected: '0 1', actual: '0 0', stderr: null }], hiddenFailures: { WA: 2 } });
    const h = (await coach.hint(hintReq(ctx(NESTED, wrong), 'moderate'))).result.hint;
    expect(h).toContain('visible test 2');
    expect(h).toContain('an edge case');
    expect(h).toContain('expected "0 1" but got "0 0"');
    expect(h).toContain('Hidden tests: 2 wrong answers.');
    const hiddenOnly = exec({ verdict: 'WA', passed: 2, total: 4, hiddenFailures: { WA: 2 } });
    const h2 = (await coach.hint(hintReq(ctx(NESTED, hiddenOnly), 'moderate'))).result.hint;
    expect(h2).toMatch(/hidden tests fail/);
  });

  it('all tests passed: no bug is claimed and no reflection is asked', async () => {
    const solved = (await coach.hint(hintReq(ctx(NESTED, exec({ verdict: 'AC', passed: 5, total: 5 })), 'moderate'))).result;
    expect(solved.hint).toMatch(/All 5 tests pass/);
    expect(solved.hint).not.toMatch(/wrong|crash|fails/i);
    expect(solved.reflectionPrompt).toBeNull();
  });

  it('the same facts give the same hint (deterministic)', async () => {
    const c = ctx(NESTED, exec({ verdict: 'TLE', passed: 3, total: 6 }));
    expect((await coach.hint(hintReq(c, 'direct'))).result).toEqual((await coach.hint(hintReq(c, 'direct'))).result);
  });
});

describe('the interviewer follows the phase', () => {
  const turn = (c: CoachContext, o: Partial<InterviewRequest> = {}): InterviewRequest => ({
    ...c, trigger: 'user_message', userMessage: 'ok', codeContext: null,
    signals: { reason: null, elapsedSeconds: 0, secondsSinceLastEditorActivity: null, secondsSinceLastUserMessage: null, hintCount: 0 }, ...o,
  });

  it('warmup: restate the problem and its constraints', async () => {
    const r = (await coach.interview(turn(ctx('', null, { phase: 'warmup' })))).result;
    expect(r.message).toMatch(/restate Two Sum/);
    expect(r.followUpQuestion).toContain('2 <= n <= 10^4');
  });

  it('coding: complexity after a passing run, edge cases after a wrong answer, a nudge after a long idle', async () => {
    const passed = (await coach.interview(turn(ctx(NESTED, exec({ verdict: 'AC', passed: 4, total: 4 })), { trigger: 'proactive', userMessage: null, signals: { reason: 'code_submitted', elapsedSeconds: 1, secondsSinceLastEditorActivity: 1, secondsSinceLastUserMessage: null, hintCount: 0 } }))).result;
    expect(passed.message).toMatch(/time and space complexity/);
    expect(passed.followUpQuestion).toMatch(/line 5 .*line 4/);
    const again = (await coach.interview(turn(ctx(NESTED, exec({ verdict: 'AC', passed: 4, total: 4 }), { conversation: [{ role: 'assistant', content: passed.message! }] }), { trigger: 'proactive', userMessage: null, signals: { reason: 'code_ran', elapsedSeconds: 1, secondsSinceLastEditorActivity: 1, secondsSinceLastUserMessage: null, hintCount: 0 } }))).result;
    expect(again.shouldRespond).toBe(false);
    const wa = exec({ verdict: 'WA', passed: 1, total: 3, failedVisible: [{ number: 3, verdict: 'WA', input: '1\n0\n0\n', expected: '-1', actual: '0 0', stderr: null }] });
    const wrong = (await coach.interview(turn(ctx(NESTED, wa), { trigger: 'proactive', userMessage: null, signals: { reason: 'code_ran', elapsedSeconds: 1, secondsSinceLastEditorActivity: 1, secondsSinceLastUserMessage: null, hintCount: 0 } }))).result;
    expect(wrong.message).toMatch(/visible test 3/);
    expect(wrong.followUpQuestion).toMatch(/smallest input/);
    const idle = (await coach.interview(turn(ctx(NESTED, null), { trigger: 'proactive', userMessage: null, signals: { reason: 'user_idle', elapsedSeconds: 600, secondsSinceLastEditorActivity: 240, secondsSinceLastUserMessage: 300, hintCount: 0 } }))).result;
    expect(idle.shouldRespond).toBe(true);
    expect(idle.message).toMatch(/quiet/);
    const quiet = (await coach.interview(turn(ctx(NESTED, null), { trigger: 'proactive', userMessage: null, signals: { reason: 'manual_nudge', elapsedSeconds: 60, secondsSinceLastEditorActivity: 5, secondsSinceLastUserMessage: 10, hintCount: 0 } }))).result;
    expect(quiet.shouldRespond).toBe(false);
  });

  it('"I\'m stuck" gets concrete coaching on a real line, with an inline comment', async () => {
    const c = ctx(NESTED, exec({ verdict: 'TLE', passed: 2, total: 5 }));
    const r = (await coach.interview(turn(c, { userMessage: "I'm stuck, I don't know how to make it faster" }))).result;
    expect(r.message).toMatch(/line 5/);
    expect(r.message).toMatch(/inline comment/);
    expect(r.codeAnnotations).toEqual([{ line: 5, comment: 'Start here.' }]);
    linesAreReal(`${r.message} ${r.followUpQuestion}`, NESTED);
  });

  it('wrapup: a testing strategy', async () => {
    const r = (await coach.interview(turn(ctx(NESTED, null, { phase: 'wrapup' })))).result;
    expect(r.message).toMatch(/test/);
    expect(r.followUpQuestion).toMatch(/three inputs/);
  });
});

describe('hidden values are scrubbed', () => {
  it('replaces hidden inputs, expected and actual outputs, but not public words or the candidate’s identifiers', () => {
    const secrets = secretsOf(
      [{ input: '5\n918273 645546 1 2 3\n1564000\n', expectedOutput: '0 1\n', actualOutput: '777123456' }],
      ['Find two numbers that add to target', 'def solve(nums, target):', '0 1'],
    );
    const text = 'The case 918273 645546 fails; expected 1564000 but you print 777123456. Check target in solve.';
    const scrubbed = scrubHidden(text, secrets);
    expect(scrubbed).not.toMatch(/918273|645546|1564000|777123456/);
    expect(scrubbed).toContain('target');
    expect(scrubbed).toContain('solve');
    expect(leaksHidden(text, secrets)).toBe(true);
    expect(leaksHidden(scrubbed, secrets)).toBe(false);
  });
});

describe('nested loops in other languages', () => {
  it('Go (semicolons in the header), Java and C++ loops are found by their lines', async () => {
    const go = 'package main\n\nfunc count(a []int) int {\n\tc := 0\n\tfor i := 0; i < len(a); i++ {\n\t\tfor j := i + 1; j < len(a); j++ {\n\t\t\tif a[i] == a[j] {\n\t\t\t\tc++\n\t\t\t}\n\t\t}\n\t}\n\treturn c\n}\n';
    const java = 'class Main {\n  static int f(int[] a) {\n    int c = 0;\n    for (int i = 0; i < a.length; i++)\n      for (int j = 0; j < i; j++)\n        c += a[i] * a[j];\n    return c;\n  }\n}\n';
    const cpp = '#include <vector>\nint f(std::vector<int>& a) {\n  int c = 0;\n  for (size_t i = 0; i < a.size(); ++i) {\n    while (c < (int)i) c++;\n  }\n  return c;\n}\n';
    const tle = exec({ verdict: 'TLE', passed: 1, total: 5 });
    for (const [language, code, outer, inner] of [['go', go, 5, 6], ['java', java, 4, 5], ['cpp', cpp, 4, 5]] as const) {
      const h = (await coach.hint(hintReq(ctx(code, tle, { language }), 'moderate'))).result.hint;
      expect(h).toContain(`loop on line ${inner}`);
      expect(h).toContain(`loop on line ${outer}`);
    }
  });
});
