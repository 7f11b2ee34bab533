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
  return new Lexer(code, family, language).run();
}

/** One pass over the source; each `read…` method consumes one construct at `i` and says whether it did. */
class Lexer {
  private readonly tokens: Token[] = [];
  private readonly n: number;
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private indent = 0;
  private atLineStart = true;

  constructor(
    private readonly code: string,
    private readonly family: Family,
    private readonly language: string,
  ) {
    this.n = code.length;
  }

  run(): Token[] {
    const { code } = this;
    while (this.i < this.n) {
      const c = code[this.i]!;
      if (c === '\n') {
        this.line++;
        this.i++;
        this.lineStart = this.i;
        this.atLineStart = true;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
        this.i++;
        continue;
      }
      if (this.atLineStart) {
        this.indent = this.i - this.lineStart;
        this.atLineStart = false;
      }
      const startLine = this.line;
      if (this.skipComment(c)) continue;
      if (this.readWord(c, startLine)) continue;
      if (this.readNumber(c, startLine)) continue;
      if (this.readQuoted(c, startLine)) continue;
      this.readOperator(c, startLine);
    }
    return this.tokens;
  }

  private push(kind: TokenKind, text: string, startLine: number): void {
    this.tokens.push({ kind, text, line: startLine, indent: this.family === 'python' ? this.indent : -1 });
  }

  private advanceOver(end: number): void {
    for (let k = this.i; k < end; k++) {
      if (this.code[k] === '\n') {
        this.line++;
        this.lineStart = k + 1;
      }
    }
    this.i = end;
  }

  /** Index just past a quoted literal starting at `start` with delimiter `quote`. */
  private endOfQuoted(start: number, quote: string, multiline: boolean): number {
    const { code, n } = this;
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
  }

  private skipComment(c: string): boolean {
    const { code, n, family } = this;
    if ((family === 'python' && c === '#') || (family === 'brace' && c === '/' && code[this.i + 1] === '/')) {
      while (this.i < n && code[this.i] !== '\n') this.i++;
      return true;
    }
    if (family === 'brace' && c === '/' && code[this.i + 1] === '*') {
      const end = code.indexOf('*/', this.i + 2);
      this.advanceOver(end < 0 ? n : end + 2);
      return true;
    }
    return false;
  }

  /** Identifiers and keywords — and the Python / Rust string prefixes that start a literal instead. */
  private readWord(c: string, startLine: number): boolean {
    if (!IDENT_START.test(c)) return false;
    const { code, n } = this;
    let k = this.i + 1;
    while (k < n && IDENT_PART.test(code[k]!)) k++;
    const word = code.slice(this.i, k);
    if (this.family === 'python' && /^[rbfuRBFU]{1,2}$/.test(word) && (code[k] === '"' || code[k] === "'")) {
      const quote = code.startsWith(code[k]!.repeat(3), k) ? code[k]!.repeat(3) : code[k]!;
      const end = this.endOfQuoted(k, quote, quote.length === 3);
      this.push('str', 'STR', startLine);
      this.advanceOver(end);
      return true;
    }
    if (this.language === 'rust' && (word === 'r' || word === 'br') && (code[k] === '"' || code[k] === '#')) {
      let hashes = 0;
      while (code[k + hashes] === '#') hashes++;
      if (code[k + hashes] === '"') {
        const close = `"${'#'.repeat(hashes)}`;
        const end = code.indexOf(close, k + hashes + 1);
        this.push('str', 'STR', startLine);
        this.advanceOver(end < 0 ? n : end + close.length);
        return true;
      }
    }
    this.push('id', word, startLine);
    this.i = k;
    return true;
  }

  private readNumber(c: string, startLine: number): boolean {
    const { code, n } = this;
    if (!(/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(code[this.i + 1] ?? '')))) return false;
    let k = this.i + 1;
    while (k < n && /[0-9A-Za-z_.]/.test(code[k]!)) {
      if (code[k] === '.' && code[k + 1] === '.') break; // Rust/Go ranges: 0..n
      k++;
    }
    this.push('num', code.slice(this.i, k), startLine);
    this.i = k;
    return true;
  }

  /** Strings and characters; in Rust a quote may also open a lifetime or loop label. */
  private readQuoted(c: string, startLine: number): boolean {
    const { code, n, family } = this;
    if (c === '"' || c === '`' || (c === "'" && family === 'python')) {
      const triple = family === 'python' && code.startsWith(c.repeat(3), this.i);
      const quote = triple ? c.repeat(3) : c;
      const end = this.endOfQuoted(this.i, quote, triple || c === '`');
      this.push('str', 'STR', startLine);
      this.advanceOver(end);
      return true;
    }
    if (c !== "'") return false;
    const char = /^'(?:\\.[^']{0,8}|[^'\\\n]{1,2})'/.exec(code.slice(this.i, this.i + 14));
    if (char) {
      this.push('str', 'CHR', startLine);
      this.i += char[0].length;
      return true;
    }
    if (this.language === 'rust') {
      // a lifetime or loop label: 'a
      let k = this.i + 1;
      while (k < n && IDENT_PART.test(code[k]!)) k++;
      this.push('id', code.slice(this.i, k), startLine);
      this.i = k;
      return true;
    }
    const end = this.endOfQuoted(this.i, "'", false);
    this.push('str', 'CHR', startLine);
    this.advanceOver(end);
    return true;
  }

  private readOperator(c: string, startLine: number): void {
    const op = OPERATORS.find((o) => this.code.startsWith(o, this.i) && !(this.family === 'brace' && o === '//'));
    const text = op ?? c;
    this.push('op', text, startLine);
    this.i += text.length;
  }
}
