/**
 * Cyclomatic complexity per function (McCabe, counted the way lizard counts it): 1 + the number of decision
 * points in the function's own body — nested functions are reported on their own and not counted twice.
 *
 * Decision points:
 *   - brace languages: `if`, `for`, `while`, `case`, `catch`, `&&`, `||`, the ternary `?` (not in Rust, where `?`
 *     propagates errors), `??` (JS/TS), and in Rust each `=>` arm of a `match`, Go's `select`/`switch` arms via
 *     `case`;
 *   - Python: `if`, `elif`, `for`, `while`, `except`, `case`, `and`, `or` (comprehension `for`/`if` included).
 *
 * Functions are found from the token stream, not by parsing:
 *   - Go and Rust: `func` / `fn` (Go receivers skipped; `func(…)` literals are `<anonymous>`); the body is the
 *     first `{` after it outside parentheses, up to the matching `}`.
 *   - C, C++, Java, JavaScript, TypeScript: a `{` whose preceding tokens end a parameter list `)` — optionally
 *     followed by a return type, `throws …`, `const`, `=>` — is a function body when the token before the
 *     matching `(` is a name that is not a control keyword (`if`, `for`, `while`, `switch`, `catch`, …);
 *     `function(…)`, `[…](…)` lambdas and `(…) =>` arrows are anonymous (named after the variable they are
 *     assigned to when there is one). The body ends at the matching `}`.
 *   - Python: `def name(…):`; the body is every following line indented deeper than the `def`.
 * Decisions outside every function (scripts) are reported as `<top-level>` when there are any.
 */
import type { AnalysisComplexity } from '../../domain/run/static-analysis.js';
import { FAMILY, tokenize, type Token } from './tokenize.js';

export const COMPLEXITY_TOOL = 'syncode-complexity';
/** `highComplexityCount`: functions at or above this. */
export const HIGH_COMPLEXITY = 10;

const CONTROL = new Set([
  'if', 'for', 'while', 'switch', 'catch', 'return', 'sizeof', 'typeof', 'match', 'loop', 'synchronized', 'try', 'else', 'do',
  'new', 'throw', 'await', 'yield', 'case', 'in', 'of', 'instanceof', 'delete', 'void', 'defer', 'go', 'select', 'using', 'with',
  'foreach', 'elif', 'assert', 'print',
]);

const ANONYMOUS_BEFORE_PAREN = new Set(['func', 'function', ']', '=', '(', ',', ':', '=>', 'return', '?', '||', '&&', 'async', '!']);

/** Tokens allowed between `)` and `{` of a function header (qualifiers, return types, throws clauses). */
const HEADER_STOP = new Set([';', '{', '}', '=', '+=', '-=', ',']);

function decisions(language: string): { words: Set<string>; ops: Set<string> } {
  if (language === 'python') return { words: new Set(['if', 'elif', 'for', 'while', 'except', 'case', 'and', 'or']), ops: new Set() };
  const words = new Set(['if', 'for', 'while', 'case', 'catch']);
  const ops = new Set(['&&', '||']);
  if (language === 'rust') ops.add('=>');
  else ops.add('?');
  if (language === 'javascript' || language === 'typescript') ops.add('??');
  return { words, ops };
}

interface FunctionSpan {
  name: string;
  /** Token index range of the body (inclusive start, exclusive end). */
  from: number;
  to: number;
  startLine: number;
  endLine: number;
}

function matchBraces(tokens: Token[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (tokens[i]!.kind !== 'op') continue;
    if (t === '{' || t === '(' || t === '[') stack.push(i);
    else if (t === '}' || t === ')' || t === ']') {
      const open = stack.pop();
      if (open !== undefined) {
        pairs.set(open, i);
        pairs.set(i, open);
      }
    }
  }
  return pairs;
}

/** Go and Rust declare functions with a keyword: `func [(recv)] Name(…) … {`, `fn name<…>(…) -> T {`. */
function keywordFunctions(tokens: Token[], keyword: string): FunctionSpan[] {
  const pairs = matchBraces(tokens);
  const spans: FunctionSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.kind !== 'id' || tokens[i]!.text !== keyword) continue;
    let k = i + 1;
    // Go method receiver
    if (keyword === 'func' && tokens[k]?.text === '(') {
      const after = pairs.get(k);
      if (after !== undefined && tokens[after + 1]?.kind === 'id' && tokens[after + 2]?.text === '(') k = after + 1;
    }
    const name = tokens[k]?.kind === 'id' ? tokens[k]!.text : '<anonymous>';
    // the body is the first `{` outside parentheses before a `;`
    let depth = 0;
    for (; k < tokens.length; k++) {
      const t = tokens[k]!.text;
      if (t === '(' || t === '[') depth++;
      else if (t === ')' || t === ']') {
        if (--depth < 0) break;
      } else if (depth === 0 && (t === ';' || t === '}')) break;
      else if (depth === 0 && t === '{') {
        if (keyword === 'func' && tokens[k - 1]?.text === 'struct') continue;
        break;
      }
    }
    if (tokens[k]?.text !== '{') continue;
    const close = pairs.get(k);
    if (close === undefined) continue;
    spans.push({ name, from: k + 1, to: close, startLine: tokens[i]!.line, endLine: tokens[close]!.line });
  }
  return spans;
}

function braceFunctions(tokens: Token[], language: string): FunctionSpan[] {
  if (language === 'go') return keywordFunctions(tokens, 'func');
  if (language === 'rust') return keywordFunctions(tokens, 'fn');
  const pairs = matchBraces(tokens);
  const spans: FunctionSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.kind !== 'op' || tok.text !== '{') continue;
    const close = pairs.get(i);
    if (close === undefined) continue;
    // Walk back from `{` to the `)` that closes the parameter list.
    let j = i - 1;
    let steps = 0;
    while (j >= 0 && steps < 40) {
      const t = tokens[j]!;
      if (t.kind === 'op' && t.text === ')') break;
      if ((t.kind === 'op' && HEADER_STOP.has(t.text)) || (t.kind === 'id' && CONTROL.has(t.text))) {
        j = -1;
        break;
      }
      if (t.kind === 'op' && (t.text === ']' || t.text === '>')) {
        const open = pairs.get(j);
        if (open !== undefined) j = open;
      }
      j--;
      steps++;
    }
    if (j < 0 || tokens[j]!.text !== ')') continue;
    const open = pairs.get(j);
    if (open === undefined) continue;
    const before = tokens[open - 1];
    let name: string | null = null;
    if (!before || ANONYMOUS_BEFORE_PAREN.has(before.text)) {
      name = anonymousName(tokens, open);
    } else if (before.kind === 'id' && !CONTROL.has(before.text)) {
      if (tokens[open - 2]?.text === 'new') continue; // Java anonymous class body
      name = before.text;
      // A qualified C++ name `A::b(` keeps its last part.
    } else if (before.kind === 'op' && before.text === '>' && language !== 'python') {
      name = anonymousName(tokens, open); // generic lambdas and the like
    }
    if (name === null) continue;
    spans.push({ name, from: i + 1, to: close, startLine: tokens[open]!.line, endLine: tokens[close]!.line });
  }
  return spans;
}

/** `const name = (…) =>`, `name: function(…)`, `name := func(…)`: the assigned name, else `<anonymous>`. */
function anonymousName(tokens: Token[], open: number): string {
  for (let k = open - 1; k >= Math.max(0, open - 4); k--) {
    const t = tokens[k]!;
    if ((t.text === '=' || t.text === ':=' || t.text === ':') && tokens[k - 1]?.kind === 'id') return tokens[k - 1]!.text;
  }
  return '<anonymous>';
}

function pythonFunctions(tokens: Token[]): FunctionSpan[] {
  const spans: FunctionSpan[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'id' || t.text !== 'def') continue;
    const nameTok = tokens[i + 1];
    if (!nameTok || nameTok.kind !== 'id') continue;
    // the header ends at the `:` that closes it (after the parameter list, maybe `-> T`)
    let depth = 0;
    let k = i + 2;
    for (; k < tokens.length; k++) {
      const x = tokens[k]!.text;
      if (x === '(' || x === '[' || x === '{') depth++;
      else if (x === ')' || x === ']' || x === '}') depth--;
      else if (x === ':' && depth === 0) break;
    }
    const headerEnd = k;
    let end = headerEnd + 1;
    const bodyLine = tokens[end]?.line;
    if (bodyLine === t.line) {
      // one-line body: `def f(x): return x`
      while (end < tokens.length && tokens[end]!.line === t.line) end++;
    } else {
      while (end < tokens.length && tokens[end]!.indent > t.indent) end++;
    }
    spans.push({
      name: nameTok.text,
      from: headerEnd + 1,
      to: end,
      startLine: t.line,
      endLine: tokens[end - 1]?.line ?? t.line,
    });
  }
  return spans;
}

export function measureComplexity(code: string, language: string, file: string | null): AnalysisComplexity[] {
  const family = FAMILY[language];
  if (!family) return [];
  const tokens = tokenize(code, family, language);
  const spans = family === 'python' ? pythonFunctions(tokens) : braceFunctions(tokens, language);
  const { words, ops } = decisions(language);
  // Every decision token belongs to the innermost function containing it (or to the top level).
  const owner = new Int32Array(tokens.length).fill(-1);
  const bySize = spans.map((s, idx) => ({ s, idx })).sort((a, b) => b.s.to - b.s.from - (a.s.to - a.s.from));
  for (const { s, idx } of bySize) for (let k = s.from; k < s.to; k++) owner[k] = idx;
  const counts = new Array<number>(spans.length).fill(0);
  let topLevel = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const isDecision = (t.kind === 'id' && words.has(t.text)) || (t.kind === 'op' && ops.has(t.text));
    if (!isDecision) continue;
    // `else if` is one decision (the `if`); a Python conditional expression counts its `if` like any other.
    const o = owner[k]!;
    if (o < 0) topLevel++;
    else counts[o]!++;
  }
  const result: AnalysisComplexity[] = spans
    .map((s, idx) => ({
      tool: COMPLEXITY_TOOL,
      functionName: s.name,
      file,
      startLine: s.startLine,
      endLine: s.endLine,
      cyclomaticComplexity: 1 + counts[idx]!,
    }))
    .sort((a, b) => a.startLine - b.startLine);
  if (topLevel > 0) {
    result.push({ tool: COMPLEXITY_TOOL, functionName: '<top-level>', file, startLine: 1, endLine: tokens[tokens.length - 1]?.line ?? 1, cyclomaticComplexity: 1 + topLevel });
  }
  return result;
}
