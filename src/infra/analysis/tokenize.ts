/**
 * A small lexer shared by the complexity and duplication measures: enough of each language to tell identifiers,
 * keywords, literals and operators apart and to skip comments, never a parser. Two families:
 *   - brace languages (C, C++, Java, JavaScript, TypeScript, Go, Rust): `//` and `/* *\/` comments, "…" and '…'
 *     literals, `…` template/raw strings (JS/TS/Go), Rust raw strings r"…"/r#"…"#, Rust lifetimes ('a);
 *   - Python: `#` comments, string prefixes (r, b, f, u and combinations), '…', "…", '''…''' and """…""".
 * Every token carries its 1-based line, and Python tokens their line's indentation.
 */
export type Family = 'brace' | 'python';
export type TokenKind = 'id' | 'num' | 'str' | 'op';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** Python only: indentation (columns) of the line the token starts on; -1 elsewhere. */
  indent: number;
}

export const FAMILY: Record<string, Family> = {
  python: 'python',
  javascript: 'brace',
  typescript: 'brace',
  java: 'brace',
  cpp: 'brace',
  c: 'brace',
  go: 'brace',
  rust: 'brace',
};

/** Longest operators first, so `&&=` is not read as `&&` `=`. */
const OPERATORS = [
  '>>>=', '...', '<<=', '>>=', '>>>', '**=', '//=', '&&=', '||=', '??=', '===', '!==', '<=>', '::', '->', '=>', '==', '!=', '<=', '>=',
  '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>', '**', '//', ':=',
];

const IDENT_START = /[A-Za-z_$\u00c0-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u00c0-\uffff]/;

export function tokenize(code: string, family: Family, language = ''): Token[] {
  const tokens: Token[] = [];
  const n = code.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let indent = 0;
  let atLineStart = true;

  const push = (kind: TokenKind, text: string, startLine: number) => {
    tokens.push({ kind, text, line: startLine, indent: family === 'python' ? indent : -1 });
  };
  const advanceOver = (end: number) => {
    for (let k = i; k < end; k++) {
      if (code[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    i = end;
  };
  /** Index just past a quoted literal starting at `start` with delimiter `quote`. */
  const endOfQuoted = (start: number, quote: string, multiline: boolean): number => {
    let k = start + quote.length;
    while (k < n) {
      if (code[k] === '\\') {
        k += 2;
        continue;
      }
      if (code.startsWith(quote, k)) return k + quote.length;
      if (code[k] === '\n' && !multiline) return k;
      k++;
    }
    return n;
  };

  while (i < n) {
    const c = code[i]!;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      atLineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (atLineStart) {
      indent = i - lineStart;
      atLineStart = false;
    }
    const startLine = line;

    // comments
    if (family === 'python' && c === '#') {
      while (i < n && code[i] !== '\n') i++;
      continue;
    }
    if (family === 'brace' && c === '/' && code[i + 1] === '/') {
      while (i < n && code[i] !== '\n') i++;
      continue;
    }
    if (family === 'brace' && c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      advanceOver(end < 0 ? n : end + 2);
      continue;
    }

    // identifiers, keywords — and Python / Rust string prefixes
    if (IDENT_START.test(c)) {
      let k = i + 1;
      while (k < n && IDENT_PART.test(code[k]!)) k++;
      const word = code.slice(i, k);
      if (family === 'python' && /^[rbfuRBFU]{1,2}$/.test(word) && (code[k] === '"' || code[k] === "'")) {
        const quote = code.startsWith(code[k]!.repeat(3), k) ? code[k]!.repeat(3) : code[k]!;
        const end = endOfQuoted(k, quote, quote.length === 3);
        push('str', 'STR', startLine);
        advanceOver(end);
        continue;
      }
      if (language === 'rust' && (word === 'r' || word === 'br') && (code[k] === '"' || code[k] === '#')) {
        let hashes = 0;
        while (code[k + hashes] === '#') hashes++;
        if (code[k + hashes] === '"') {
          const close = `"${'#'.repeat(hashes)}`;
          const end = code.indexOf(close, k + hashes + 1);
          push('str', 'STR', startLine);
          advanceOver(end < 0 ? n : end + close.length);
          continue;
        }
      }
      push('id', word, startLine);
      i = k;
      continue;
    }

    // numbers
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(code[i + 1] ?? ''))) {
      let k = i + 1;
      while (k < n && /[0-9A-Za-z_.]/.test(code[k]!)) {
        if (code[k] === '.' && code[k + 1] === '.') break; // Rust/Go ranges: 0..n
        k++;
      }
      push('num', code.slice(i, k), startLine);
      i = k;
      continue;
    }

    // strings and characters
    if (c === '"' || c === '`' || (c === "'" && family === 'python')) {
      const triple = family === 'python' && code.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      const end = endOfQuoted(i, quote, triple || c === '`');
      push('str', 'STR', startLine);
      advanceOver(end);
      continue;
    }
    if (c === "'") {
      const char = /^'(?:\\.[^']{0,8}|[^'\\\n]{1,2})'/.exec(code.slice(i, i + 14));
      if (char) {
        push('str', 'CHR', startLine);
        i += char[0].length;
        continue;
      }
      if (language === 'rust') {
        // a lifetime or loop label: 'a
        let k = i + 1;
        while (k < n && IDENT_PART.test(code[k]!)) k++;
        push('id', code.slice(i, k), startLine);
        i = k;
        continue;
      }
      const end = endOfQuoted(i, "'", false);
      push('str', 'CHR', startLine);
      advanceOver(end);
      continue;
    }

    const op = OPERATORS.find((o) => code.startsWith(o, i) && !(family === 'brace' && o === '//'));
    const text = op ?? c;
    push('op', text, startLine);
    i += text.length;
  }
  return tokens;
}
