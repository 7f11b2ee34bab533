/**
 * Facts the local coach reads off the candidate's code and the execution output, each tied to a real line:
 * nested loops (and linear scans hidden inside a loop), the frame of a runtime error in the candidate's file, and
 * the line of a compiler message. Token-based (the static-analysis lexer), never a parser: good enough to point at
 * a line, and it never points at a line that does not exist.
 */
import { FAMILY, tokenize, type Token } from '../../analysis/tokenize.js';

export function codeLines(code: string): string[] {
  return code.split('\n');
}

/** `L<n> (`text`)`: a line reference a candidate can find, with the line's own text (trimmed, shortened). */
export function lineRef(code: string, line: number): string {
  const text = (codeLines(code)[line - 1] ?? '').trim();
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return shown ? `line ${line} (\`${shown}\`)` : `line ${line}`;
}

export const isRealLine = (code: string, line: number | null | undefined): line is number =>
  typeof line === 'number' && Number.isInteger(line) && line >= 1 && line <= codeLines(code).length;

export interface LoopNest {
  outerLine: number;
  innerLine: number;
  /** How the inner work scans: an explicit loop, or a linear call/operator on a collection inside the loop. */
  inner: 'loop' | 'scan';
  innerText: string;
}

const LOOP_WORDS = new Set(['for', 'while', 'loop', 'do']);
/** Calls and operators that walk a whole list or string. */
const SCANS_BRACE = new Set(['indexOf', 'includes', 'lastIndexOf', 'contains', 'find', 'count', 'filter', 'slice', 'splice', 'substring', 'remove', 'insert', 'erase', 'shift', 'unshift']);
const SCANS_PY = new Set(['index', 'count', 'remove', 'insert', 'sum', 'min', 'max', 'sorted']);

interface Span {
  line: number;
  from: number;
  to: number;
}

function pairBraces(tokens: Token[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'op') return;
    if (t.text === '{' || t.text === '(' || t.text === '[') stack.push(i);
    else if (t.text === '}' || t.text === ')' || t.text === ']') {
      const open = stack.pop();
      if (open !== undefined) pairs.set(open, i);
    }
  });
  return pairs;
}

/** Loops of a brace language: the keyword's line and the token range of its body. Go and Rust headers have no
 * parentheses (and Go's `for i := 0; i < n; i++ {` has semicolons), so their body is the next `{`. */
function braceLoops(tokens: Token[], language: string): Span[] {
  const pairs = pairBraces(tokens);
  const spans: Span[] = [];
  const bareHeader = language === 'go' || language === 'rust';
  tokens.forEach((t, i) => {
    if (t.kind !== 'id' || !LOOP_WORDS.has(t.text)) return;
    let k = i + 1;
    if (tokens[k]?.text === '(' && !bareHeader) k = (pairs.get(k) ?? k) + 1;
    else while (k < tokens.length && tokens[k]!.text !== '{' && (bareHeader || tokens[k]!.text !== ';')) k++;
    if (tokens[k]?.text === '{') spans.push({ line: t.line, from: k, to: pairs.get(k) ?? tokens.length });
    else spans.push({ line: t.line, from: k, to: Math.min(tokens.length, indexOfStatementEnd(tokens, k)) });
  });
  return spans;
}

function indexOfStatementEnd(tokens: Token[], from: number): number {
  for (let k = from; k < tokens.length; k++) if (tokens[k]!.text === ';') return k + 1;
  return tokens.length;
}

/** Python loops: a `for`/`while` statement's body is every following line indented deeper; a comprehension's
 * `for` is a loop of its own line. */
function pythonLoops(tokens: Token[]): Span[] {
  const spans: Span[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'id' || (t.text !== 'for' && t.text !== 'while')) return;
    const firstOnLine = i === 0 || tokens[i - 1]!.line !== t.line;
    if (!firstOnLine) {
      spans.push({ line: t.line, from: i, to: i + 1 });
      return;
    }
    let k = i + 1;
    while (k < tokens.length && tokens[k]!.line === t.line) k++;
    let end = k;
    while (end < tokens.length && tokens[end]!.indent > t.indent) end++;
    spans.push({ line: t.line, from: k, to: end });
  });
  return spans;
}

function scanCalls(tokens: Token[], language: string): Array<{ index: number; line: number; text: string }> {
  const names = language === 'python' ? SCANS_PY : SCANS_BRACE;
  const out: Array<{ index: number; line: number; text: string }> = [];
  tokens.forEach((t, i) => {
    const method = tokens[i - 1]?.text === '.';
    const builtin = language === 'python' && ['sum', 'min', 'max', 'sorted'].includes(t.text) && !method;
    if (t.kind === 'id' && names.has(t.text) && tokens[i + 1]?.text === '(' && (method || builtin)) {
      out.push({ index: i, line: t.line, text: `${t.text}()` });
    }
  });
  return out;
}

/** Every loop (or linear scan) inside another loop, outermost pairs first, at most one per inner line. */
export function findLoopNests(code: string, language: string): LoopNest[] {
  const family = FAMILY[language] ?? 'brace';
  const tokens = tokenize(code, family, language);
  const loops = family === 'python' ? pythonLoops(tokens) : braceLoops(tokens, language);
  const loopStarts = new Map<number, Span>();
  for (const s of loops) loopStarts.set(s.from, s);
  const nests: LoopNest[] = [];
  const seen = new Set<number>();
  for (const outer of loops) {
    for (const inner of loops) {
      if (inner === outer || inner.line === outer.line || seen.has(inner.line)) continue;
      const keywordIndex = tokens.findIndex((t) => t.line === inner.line && (LOOP_WORDS.has(t.text)));
      if (keywordIndex >= outer.from && keywordIndex < outer.to) {
        nests.push({ outerLine: outer.line, innerLine: inner.line, inner: 'loop', innerText: (tokens[keywordIndex]?.text ?? 'loop') });
        seen.add(inner.line);
      }
    }
    for (const scan of scanCalls(tokens, language)) {
      if (scan.index >= outer.from && scan.index < outer.to && scan.line !== outer.line && !seen.has(scan.line)) {
        nests.push({ outerLine: outer.line, innerLine: scan.line, inner: 'scan', innerText: scan.text });
        seen.add(scan.line);
      }
    }
  }
  return nests.sort((a, b) => a.outerLine - b.outerLine || a.innerLine - b.innerLine);
}

export interface ErrorFrame {
  /** Exception or panic name (IndexError, TypeError, ArrayIndexOutOfBoundsException, index out of range, …). */
  exception: string;
  message: string | null;
  /** Line in the candidate's code, when the output names one that exists. */
  line: number | null;
}

const FRAME_PATTERNS: Array<{ re: RegExp; last: boolean }> = [
  { re: /File "[^"]*code\.py", line (\d+)/g, last: true },
  { re: /code\.(?:js|ts|go|rs|c|cpp):(\d+)/g, last: false },
  { re: /\w+\.java:(\d+)\)/g, last: false },
];

function frameLine(stderr: string): number | null {
  for (const { re, last } of FRAME_PATTERNS) {
    const hits = [...stderr.matchAll(re)].map((m) => Number(m[1]));
    if (hits.length > 0) return last ? hits[hits.length - 1]! : hits[0]!;
  }
  return null;
}

function exceptionOf(stderr: string): { exception: string; message: string | null } {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const named = [...lines].reverse().find((l) => /^[A-Za-z_.$]*(Error|Exception|Interrupt)\b/.test(l));
  if (named) {
    const [head, ...rest] = named.split(':');
    return { exception: head!.split('.').pop()!.trim(), message: rest.join(':').trim() || null };
  }
  const java = lines.find((l) => l.startsWith('Exception in thread'));
  if (java) {
    const m = /Exception in thread "[^"]*" ([\w.$]+)(?::\s*(.*))?/.exec(java);
    if (m) return { exception: m[1]!.split('.').pop()!, message: m[2] ?? null };
  }
  const panic = lines.find((l) => /panic|panicked/.test(l));
  if (panic) {
    const go = /panic: (?:runtime error: )?(.*)/.exec(panic);
    if (go) return { exception: 'panic', message: go[1]!.replace(/\[.*?\]/g, '').trim() };
    const idx = lines.indexOf(panic);
    return { exception: 'panic', message: (lines[idx + 1] ?? panic).replace(/^.*panicked at [^:]*:\d+:\d+:?/, '').trim() || null };
  }
  if (/segmentation fault|SIGSEGV/i.test(stderr)) return { exception: 'segmentation fault', message: null };
  if (/SIGABRT|Aborted/i.test(stderr)) return { exception: 'abort', message: lines[lines.length - 1] ?? null };
  return { exception: 'runtime error', message: lines[lines.length - 1] ?? null };
}

/** The runtime error a program ended with, from its stderr. */
export function parseRuntimeError(stderr: string, code: string): ErrorFrame {
  const { exception, message } = exceptionOf(stderr);
  const line = frameLine(stderr);
  return { exception, message: message ? message.slice(0, 160) : null, line: isRealLine(code, line) ? line : null };
}

export interface CompileMessage {
  message: string;
  line: number | null;
}

const COMPILE_PATTERNS = [
  /[\w./-]+\.(?:c|cpp|go|java|ts):(\d+)(?::\d+)?:?\s*(?:fatal )?error:?\s*(.*)/,
  /[\w./-]+\.ts\((\d+),\d+\): error \w+: (.*)/,
  /error(?:\[E\d+\])?: (.*)\n\s*--> [\w./-]+:(\d+):\d+/,
  /[\w./-]+\.go:(\d+):\d+: (.*)/,
];

/** The first compiler error and its line. */
export function parseCompileError(output: string, code: string): CompileMessage {
  for (const [i, re] of COMPILE_PATTERNS.entries()) {
    const m = re.exec(output);
    if (!m) continue;
    const [lineText, message] = i === 2 ? [m[2]!, m[1]!] : [m[1]!, m[2]!];
    const line = Number(lineText);
    return { message: message.trim().slice(0, 200), line: isRealLine(code, line) ? line : null };
  }
  const first = output.split('\n').map((l) => l.trim()).find((l) => /error/i.test(l)) ?? output.trim().split('\n')[0] ?? '';
  return { message: first.slice(0, 200), line: null };
}

/** The 1-based line holding the first match of `pattern`, if any. */
export function findLine(code: string, pattern: RegExp): number | null {
  const i = codeLines(code).findIndex((l) => pattern.test(l));
  return i < 0 ? null : i + 1;
}

/** First line of the candidate's own solving code: the body of `solve`, else the first non-blank line. */
export function solveLine(code: string): number | null {
  return findLine(code, /\b(def|function|func|fn)\s+solve\b|\bsolve\s*\(/) ?? findLine(code, /\S/);
}
