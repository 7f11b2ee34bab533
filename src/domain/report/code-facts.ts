/**
 * Facts read off the final code text itself, language-agnostic on purpose (indentation and keywords only), so they
 * hold for all eight languages and always point at a real line.
 */
import { splitLines } from './verify.js';

const LOOP = /^\s*(?:\}\s*)?(?:for|while|do)\b|^\s*\w[\w.]*\.(?:forEach|map)\s*\(/;
const COMMENT = /^\s*(?:#|\/\/|\*|\/\*)/;

const indentOf = (line: string) => {
  const m = /^[ \t]*/.exec(line)![0];
  return m.replace(/\t/g, '    ').length;
};

/** The deepest nesting of loops (by indentation) and the line (1-based) of the innermost loop there. */
export function loopNests(code: string): { depth: number; line: number } | null {
  const lines = splitLines(code);
  const stack: Array<{ indent: number }> = [];
  let best: { depth: number; line: number } | null = null;
  lines.forEach((text, i) => {
    if (text.trim() === '' || COMMENT.test(text)) return;
    const indent = indentOf(text);
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (LOOP.test(text)) {
      stack.push({ indent });
      if (!best || stack.length > best.depth) best = { depth: stack.length, line: i + 1 };
    }
  });
  return best;
}

const IDENTIFIER_DECL = /\b(?:let|const|var|int|long|double|float|char|bool|boolean|auto|String|string|usize|i32|i64|u32|u64)\s+(?:mut\s+)?([A-Za-z_]\w*)|^\s*([A-Za-z_]\w*)\s*(?::=|=(?!=))/gm;
/** Loop counters and the usual math names are fine as single letters. */
const CONVENTIONAL = new Set(['i', 'j', 'k', 'n', 'm', 'x', 'y', '_']);

/** Declared names that are a single letter outside the conventional ones, with the line of each. */
export function crypticNames(code: string): { total: number; cryptic: Array<{ name: string; line: number }> } {
  const lines = splitLines(code);
  let total = 0;
  const cryptic: Array<{ name: string; line: number }> = [];
  lines.forEach((text, i) => {
    if (COMMENT.test(text)) return;
    for (const m of text.matchAll(IDENTIFIER_DECL)) {
      const name = m[1] ?? m[2];
      if (!name) continue;
      total++;
      if (name.length === 1 && !CONVENTIONAL.has(name) && !cryptic.some((c) => c.name === name)) cryptic.push({ name, line: i + 1 });
    }
  });
  return { total, cryptic };
}

const FUNCTION_START = /^\s*(?:def |function\b|func\b|fn\b|(?:public|private|protected|static|export|async)\s.*\(|[\w<>[\],\s*&:]+\s+\w+\s*\([^;]*\)\s*\{?\s*$)/;

/** Longest function by lines (indentation blocks starting at a definition), with its first line. */
export function longestFunction(code: string): { lines: number; line: number } | null {
  const lines = splitLines(code);
  let best: { lines: number; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (!FUNCTION_START.test(text) || COMMENT.test(text)) continue;
    const indent = indentOf(text);
    let end = i;
    for (let j = i + 1; j < lines.length; j++) {
      const t = lines[j]!;
      if (t.trim() === '') continue;
      if (indentOf(t) <= indent) {
        if (/^\s*[}\])]/.test(t)) end = j;
        break;
      }
      end = j;
    }
    const length = end - i + 1;
    if (!best || length > best.lines) best = { lines: length, line: i + 1 };
  }
  return best;
}

/** Lines longer than `limit` characters (1-based line numbers). */
export function longLines(code: string, limit = 120): number[] {
  return splitLines(code).flatMap((t, i) => (t.length > limit ? [i + 1] : []));
}
