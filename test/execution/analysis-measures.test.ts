/** The project's own measures: the lexer, cyclomatic complexity per function, and copy-paste detection. */
import { describe, expect, it } from '@jest/globals';
import { measureComplexity } from '../../src/infra/analysis/complexity.js';
import { findDuplications } from '../../src/infra/analysis/duplication.js';
import { tokenize } from '../../src/infra/analysis/tokenize.js';

const cx = (code: string, language: string) =>
  measureComplexity(code, language, 'Main').map((c) => [c.functionName, c.startLine, c.endLine, c.cyclomaticComplexity]);

describe('tokenize', () => {
  it('skips comments and reads literals as one token, in both families', () => {
    const brace = tokenize('int a = 1; // if (x)\n/* while\n for */ char *s = "if { }"; char c = \'{\';', 'brace', 'cpp');
    expect(brace.map((t) => t.text)).toEqual(['int', 'a', '=', '1', ';', 'char', '*', 's', '=', 'STR', ';', 'char', 'c', '=', 'CHR', ';']);
    expect(brace.find((t) => t.text === 'char')?.line).toBe(3);
    const py = tokenize("x = '''if\nelif'''  # and\nif y and z:\n    pass\n", 'python');
    expect(py.map((t) => t.text)).toEqual(['x', '=', 'STR', 'if', 'y', 'and', 'z', ':', 'pass']);
    expect(py.find((t) => t.text === 'pass')).toMatchObject({ line: 4, indent: 4 });
  });

  it('knows Rust lifetimes and raw strings, and JS template strings', () => {
    expect(tokenize("fn f<'a>(x: &'a str) -> &'a str { r#\"}{\"# ; x }", 'brace', 'rust').map((t) => t.text)).toEqual([
      'fn', 'f', '<', "'a", '>', '(', 'x', ':', '&', "'a", 'str', ')', '->', '&', "'a", 'str', '{', 'STR', ';', 'x', '}',
    ]);
    expect(tokenize('const s = `a ${b} }`; f();', 'brace', 'javascript').map((t) => t.text)).toEqual(['const', 's', '=', 'STR', ';', 'f', '(', ')', ';']);
  });
});

describe('cyclomatic complexity', () => {
  it('python: 1 + if/elif/for/while/except/and/or per function, nested functions apart', () => {
    const code = [
      'def f(x):',
      '    if x > 1 and x < 5:',
      '        return 1',
      '    elif x:',
      '        for i in range(3):',
      '            pass',
      '    def inner(y):',
      '        return y if y else 0',
      '    try:',
      '        pass',
      '    except ValueError:',
      '        pass',
      '    return 2',
      '',
      'def g(): return 1',
      'print(f(3))',
    ].join('\n');
    expect(cx(code, 'python')).toEqual([
      ['f', 1, 13, 6],
      ['inner', 7, 8, 2],
      ['g', 15, 15, 1],
    ]);
  });

  it('C-like languages: functions found from their headers, control blocks and lambdas told apart', () => {
    const cpp = [
      '#include <vector>',
      'int f(int a) {',
      '  if (a > 0 && a < 10) return 1;',
      '  for (int i = 0; i < a; i++) { while (a--) {} }',
      '  switch (a) { case 1: break; case 2: break; }',
      '  auto g = [&](int x) { return x ? 1 : 2; };',
      '  return a > 2 ? 3 : 4;',
      '}',
      'int main() { return f(1); }',
    ].join('\n');
    expect(cx(cpp, 'cpp')).toEqual([
      ['f', 2, 8, 8],
      ['g', 6, 6, 2],
      ['main', 9, 9, 1],
    ]);
    const java = 'public class Main {\n  static int f(int a) throws Exception {\n    try { if (a > 0 || a < -1) return 1; } catch (Exception e) { return 2; }\n    return 0;\n  }\n}\n';
    expect(cx(java, 'java')).toEqual([['f', 2, 5, 4]]);
    const js = 'const add = (a, b) => { return a ?? b; };\nfunction g(x) { if (x) { return 1; } else if (!x) { return 2; } return 3; }\n';
    expect(cx(js, 'javascript')).toEqual([
      ['add', 1, 1, 2],
      ['g', 2, 2, 3],
    ]);
  });

  it('Go and Rust: functions by keyword, receivers and closures, match arms', () => {
    const go = 'package main\nfunc (s *S) M(a int) (int, error) {\n\tif a > 0 {\n\t\treturn 1, nil\n\t}\n\treturn 0, nil\n}\nfunc main() {\n\tf := func(x int) int { if x > 0 { return 1 }; return 0 }\n\t_ = f\n}\n';
    expect(cx(go, 'go')).toEqual([
      ['M', 2, 7, 2],
      ['main', 8, 11, 1],
      ['<anonymous>', 9, 9, 2],
    ]);
    const rust = 'fn main() -> Result<(), String> {\n    let v = vec![1];\n    match v.len() { 0 => {}, _ => {} }\n    if v.is_empty() && true { return Err("e".into()); }\n    Ok(())\n}\n';
    expect(cx(rust, 'rust')).toEqual([['main', 1, 6, 5]]);
  });

  it('decisions outside every function are reported as <top-level>', () => {
    expect(cx('x = int(input())\nif x > 1:\n    print(x)\n', 'python')).toEqual([['<top-level>', 1, 3, 2]]);
  });
});

describe('duplication', () => {
  const block = (name: string) =>
    `    total_${name} = 0\n    for i in range(len(values)):\n        if values[i] > threshold and values[i] % 2 == 0:\n            total_${name} += values[i] * weight\n        elif values[i] < 0:\n            total_${name} -= 1\n    return total_${name}\n`;

  it('finds a copied block of 40+ tokens with every occurrence and its lines', () => {
    const same = `def a(values, threshold, weight):\n${block('x')}\n\ndef b(values, threshold, weight):\n${block('x')}\n`;
    const found = findDuplications(same, 'python', 'Main.py');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ tool: 'syncode-duplication', lines: 8, occurrences: [{ startLine: 1, endLine: 8 }, { startLine: 11, endLine: 18 }] });
    expect(found[0]!.tokens).toBeGreaterThanOrEqual(40);
  });

  it('a block copied three times is one duplication with three occurrences', () => {
    const code = [1, 2, 3].map((i) => `def f${i}(values, threshold, weight):\n${block('y')}`).join('\n');
    const found = findDuplications(code, 'python', 'Main.py');
    expect(found).toHaveLength(1);
    expect(found[0]!.occurrences).toHaveLength(3);
  });

  it('renamed variables and short repeats are not duplications', () => {
    const renamed = `def a(values, threshold, weight):\n${block('x')}\ndef b(values, threshold, weight):\n${block('z')}\n`;
    // identifiers are compared as written (CPD's default), so only the stretches between renamed names repeat
    expect(findDuplications(renamed, 'python', 'Main.py').every((d) => (d.tokens ?? 0) >= 40)).toBe(true);
    expect(findDuplications('x = 1\ny = 1\nx = 1\ny = 1\n', 'python', 'Main.py')).toEqual([]);
    expect(findDuplications('while (true) {}', 'cobol', null)).toEqual([]);
  });
});
