/**
 * Verdicts per language. Each language gets one program that reads a command word and then behaves correctly
 * (sum), crashes (re), spins (tle), hoards memory (mle) or floods stdout (ole), so every language is compiled
 * once and judged through judgeSubmission exactly as a real submission is.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeSandboxesAhead, judgeSubmission, type SubmissionResult, type TestVerdict } from '../../src/infra/sandbox/index.js';

const PROGRAMS: Record<string, string> = {
  python: `
import sys
cmd = sys.stdin.readline().strip()
if cmd == 'sum':
    a, b = map(int, sys.stdin.readline().split())
    print(a + b)
elif cmd == 're':
    raise ValueError('boom')
elif cmd == 'tle':
    while True:
        pass
elif cmd == 'mle':
    hoard = []
    while True:
        hoard.append(b'x' * (16 << 20))
elif cmd == 'ole':
    while True:
        print('x' * 1000)
`,
  javascript: `
const [cmd, args = ''] = require('fs').readFileSync(0, 'utf8').split('\\n');
if (cmd === 'sum') { const [a, b] = args.split(' ').map(Number); console.log(a + b); }
else if (cmd === 're') { throw new Error('boom'); }
else if (cmd === 'tle') { for (;;) {} }
else if (cmd === 'mle') { const hoard = []; for (;;) hoard.push(new Array(1 << 20).fill(7)); }
else if (cmd === 'ole') { const line = 'x'.repeat(1000) + '\\n'; for (;;) require('fs').writeSync(1, line); }
`,
  typescript: `
import { readFileSync, writeSync } from 'fs';
const [cmd, args = '']: string[] = readFileSync(0, 'utf8').split('\\n');
if (cmd === 'sum') { const [a, b] = args.split(' ').map(Number) as [number, number]; console.log(a + b); }
else if (cmd === 're') { throw new Error('boom'); }
else if (cmd === 'tle') { for (;;) {} }
else if (cmd === 'mle') { const hoard: number[][] = []; for (;;) hoard.push(new Array<number>(1 << 20).fill(7)); }
else if (cmd === 'ole') { const line: string = 'x'.repeat(1000) + '\\n'; for (;;) writeSync(1, line); }
`,
  java: `
import java.util.*;
public class Solution {
  public static void main(String[] args) {
    Scanner in = new Scanner(System.in);
    String cmd = in.nextLine().trim();
    switch (cmd) {
      case "sum": System.out.println(in.nextLong() + in.nextLong()); break;
      case "re": throw new IllegalStateException("boom");
      case "tle": { long x = 0; while (true) { x++; if (x == -1) System.out.println(x); } }
      case "mle": { List<long[]> hoard = new ArrayList<>(); while (true) hoard.add(new long[1 << 20]); }
      case "ole": { String line = "x".repeat(1000); while (true) System.out.println(line); }
    }
  }
}
`,
  cpp: `
#include <cstring>
#include <iostream>
#include <string>
#include <vector>
int main() {
  std::string cmd; std::cin >> cmd;
  if (cmd == "sum") { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }
  else if (cmd == "re") { std::vector<int> v; return v.at(3); }
  else if (cmd == "tle") { volatile unsigned long x = 0; for (;;) x++; }
  else if (cmd == "mle") { for (;;) { char *p = new char[16 << 20]; std::memset(p, 1, 16 << 20); } }
  else if (cmd == "ole") { std::string line(1000, 'x'); for (;;) std::cout << line << std::endl; }
}
`,
  c: `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  char cmd[16] = {0};
  if (scanf("%15s", cmd) != 1) return 2;
  if (!strcmp(cmd, "sum")) { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a + b); }
  else if (!strcmp(cmd, "re")) { volatile int *p = NULL; return *p; }
  else if (!strcmp(cmd, "tle")) { volatile unsigned long x = 0; for (;;) x++; }
  else if (!strcmp(cmd, "mle")) { for (;;) { char *p = malloc(16 << 20); memset(p, 1, 16 << 20); } }
  else if (!strcmp(cmd, "ole")) { for (;;) puts("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"); }
  return 0;
}
`,
  go: `
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	in := bufio.NewReader(os.Stdin)
	var cmd string
	fmt.Fscan(in, &cmd)
	switch cmd {
	case "sum":
		var a, b int64
		fmt.Fscan(in, &a, &b)
		fmt.Println(a + b)
	case "re":
		var m map[string]int
		m["boom"] = 1
	case "tle":
		x := 0
		for {
			x++
		}
	case "mle":
		var hoard [][]byte
		for {
			b := make([]byte, 16<<20)
			for i := range b {
				b[i] = 1
			}
			hoard = append(hoard, b)
		}
	case "ole":
		line := strings.Repeat("x", 1000)
		for {
			fmt.Println(line)
		}
	}
}
`,
  rust: `
use std::io::{self, Read, Write};
fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let mut words = input.split_whitespace();
    match words.next().unwrap_or("") {
        "sum" => {
            let a: i64 = words.next().unwrap().parse().unwrap();
            let b: i64 = words.next().unwrap().parse().unwrap();
            println!("{}", a + b);
        }
        "re" => panic!("boom"),
        "tle" => {
            let mut x: u64 = 1;
            loop {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                if x == 0 { println!("{}", x); }
            }
        }
        "mle" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop { hoard.push(vec![1u8; 16 << 20]); }
        }
        "ole" => {
            let line = "x".repeat(1000);
            let out = io::stdout();
            let mut out = out.lock();
            loop { writeln!(out, "{}", line).unwrap(); }
        }
        _ => {}
    }
}
`,
};

/** One compile error per compiled language (TypeScript: a syntax error; types are not checked, as with tsx). */
const BROKEN: Record<string, string> = {
  typescript: 'const x: number = ;\n',
  java: 'public class Main { public static void main(String[] a) { System.out.println(1) } }',
  cpp: 'int main() { return undefined_name; }',
  c: 'int main(void) { return undefined_name; }',
  go: 'package main\nimport "fmt"\nfunc main() {}\n',
  rust: 'fn main() { let x: u32 = "text"; }',
};

const CASES: Array<{ name: string; input: string; expectedOutput: string; want: TestVerdict; timeoutMs?: number; memoryMb?: number }> = [
  { name: 'correct answer', input: 'sum\n2 40\n', expectedOutput: '42\r\n', want: 'AC' },
  { name: 'wrong answer', input: 'sum\n2 40\n', expectedOutput: '43', want: 'WA' },
  { name: 'runtime error', input: 're\n', expectedOutput: '', want: 'RE' },
  { name: 'CPU time limit', input: 'tle\n', expectedOutput: '', want: 'TLE', timeoutMs: 1000 },
  { name: 'memory limit', input: 'mle\n', expectedOutput: '', want: 'MLE', memoryMb: 96 },
  { name: 'output limit', input: 'ole\n', expectedOutput: '', want: 'OLE' },
];

const results: Record<string, Promise<SubmissionResult>> = {};
const broken: Record<string, Promise<SubmissionResult>> = {};

afterAll(() => closeSandboxesAhead());

beforeAll(() => {
  // Everything is started at once; the sandbox's own slot limit (one run per core) paces the actual work.
  for (const [language, code] of Object.entries(PROGRAMS)) {
    results[language] = judgeSubmission({
      language,
      code,
      timeoutMs: 10_000,
      memoryMb: 256,
      tests: CASES.map(({ input, expectedOutput, timeoutMs, memoryMb }) => ({ input, expectedOutput, timeoutMs, memoryMb })),
    });
  }
  for (const [language, code] of Object.entries(BROKEN)) {
    broken[language] = judgeSubmission({ language, code, tests: [{ input: '', expectedOutput: '' }] });
  }
  // Surface failures through the individual tests, not as unhandled rejections here.
  for (const p of [...Object.values(results), ...Object.values(broken)]) p.catch(() => undefined);
});

describe.each(Object.keys(PROGRAMS))('%s', (language) => {
  it('compiles (or prepares) without errors', async () => {
    const r = await results[language]!;
    expect(r.compile).toMatchObject({ ok: true });
  }, 120_000);

  it.each(CASES.map((c, i) => [c.name, c.want, i] as const))('%s → %s', async (_name, want, index) => {
    const r = await results[language]!;
    const t = r.tests[index]!;
    const detail = `verdict ${t.verdict}, exit ${t.exitCode}, signal ${t.signal}, cpu ${t.cpuTimeMs} ms, wall ${t.durationMs} ms, mem ${t.memoryUsageMb} MB, error ${t.error}, stderr ${t.stderr.slice(0, 300)}`;
    // The detail only shows up in the failure message, to tell why a verdict differs.
    expect({ verdict: t.verdict, detail }).toEqual({ verdict: want, detail: expect.any(String) });
    if (want === 'AC') expect({ status: t.status, passed: t.passed, exitCode: t.exitCode }).toEqual({ status: 'completed', passed: true, exitCode: 0 });
    if (want === 'WA') expect(t.passed).toBe(false);
    if (want !== 'AC' && want !== 'WA') expect({ status: t.status, passed: t.passed }).toEqual({ status: 'failed', passed: null });
    if (want === 'TLE') {
      expect(t.timedOut).toBe(true);
      // Killed by the CPU poll, or by the wall clock (3 s) when other load kept the program from using 1 s of CPU.
      if (!t.error?.includes('wall clock')) expect(t.cpuTimeMs).toBeGreaterThanOrEqual(1000);
      expect(t.durationMs).toBeLessThan(3000 + 1000);
    }
    if (want === 'OLE') {
      expect(t.outputTruncated).toBe(true);
      expect(Buffer.byteLength(t.stdout)).toBe(64 * 1024);
    }
    if (want === 'MLE') expect(t.memoryUsageMb ?? 0).toBeLessThanOrEqual(96);
  }, 120_000);
});

describe.each(Object.keys(BROKEN))('%s compile error', (language) => {
  it('is CE with the compiler diagnostics, and no test runs', async () => {
    const r = await broken[language]!;
    expect(r.verdict).toBe('CE');
    expect(r.compile.ok).toBe(false);
    expect(r.compile.stderr.length).toBeGreaterThan(0);
    expect(r.tests).toHaveLength(1);
    expect(r.tests[0]).toMatchObject({ verdict: 'CE', status: 'failed', passed: null, exitCode: -1 });
    expect(r.tests[0]!.error).toBeTruthy();
  }, 120_000);
});

/** Infinite recursion must end as a runtime error (stack overflow), not as a hang or an OOM kill. */
const RUNAWAY_RECURSION: Record<string, string> = {
  python: 'def f(n):\n    return f(n + 1) + 1\nf(0)\n',
  javascript: 'function f(n) { return f(n + 1) + 1; }\nf(0);\n',
  java: 'public class Main { static int f(int n) { return f(n + 1) + 1; } public static void main(String[] a) { System.out.println(f(0)); } }',
  cpp: '#include <cstdio>\nint f(int n) { volatile char pad[256]; pad[0] = (char)n; return f(n + 1) + pad[0]; }\nint main() { std::printf("%d\\n", f(0)); }\n',
  rust: 'fn f(n: u64) -> u64 { let pad = [n as u8; 256]; f(n + 1) + unsafe { std::ptr::read_volatile(&pad[0]) } as u64 }\nfn main() { println!("{}", f(0)); }\n',
};

describe.each(Object.keys(RUNAWAY_RECURSION))('%s runaway recursion', (language) => {
  it('is RE (stack overflow) within the default memory limit', async () => {
    const r = await judgeSubmission({ language, code: RUNAWAY_RECURSION[language]!, tests: [{ input: '', expectedOutput: '' }], timeoutMs: 10_000 });
    const t = r.tests[0]!;
    expect({ verdict: t.verdict, detail: `exit ${t.exitCode} ${t.signal} mem ${t.memoryUsageMb} ${t.stderr.slice(0, 200)} ${r.compile.stderr}` }).toEqual({
      verdict: 'RE',
      detail: expect.any(String),
    });
  }, 120_000);
});

