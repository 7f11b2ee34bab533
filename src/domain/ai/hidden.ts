/**
 * Hidden test data never reaches an AI answer (docs/ai.md). Prompts carry visible cases only; this is the second
 * wall: every text an answer is made of is scanned for what a hidden case holds (its input, expected output and the
 * program's actual output on it) and those values are replaced by `[hidden]`.
 *
 * What counts as a secret: each hidden text as a whole, each of its non-trivial lines, and each token of four or
 * more characters — unless that token is public anyway (it appears in the statement, a visible case or the
 * candidate's own code), so ordinary words and the candidate's identifiers are not mangled.
 */
export interface HiddenCaseData {
  input: string;
  expectedOutput: string | null;
  actualOutput: string | null;
}

export const HIDDEN_MARK = '[hidden]';
const MIN_TOKEN = 4;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface SecretSet {
  /** Longest first, so a whole hidden input is replaced before the tokens inside it. */
  readonly values: readonly string[];
}

export function secretsOf(hidden: readonly HiddenCaseData[], publicTexts: readonly string[]): SecretSet {
  const publicTokens = new Set(publicTexts.join('\n').split(/[^A-Za-z0-9_.\-+]+/).filter(Boolean));
  const publicText = publicTexts.join('\n');
  const values = new Set<string>();
  for (const c of hidden) {
    for (const text of [c.input, c.expectedOutput, c.actualOutput]) {
      if (!text) continue;
      const whole = text.trim();
      if (whole.length >= 3 && !publicText.includes(whole)) values.add(whole);
      for (const line of whole.split('\n')) {
        const l = line.trim();
        if (l.length >= MIN_TOKEN && !publicText.includes(l)) values.add(l);
      }
      for (const token of whole.split(/[^A-Za-z0-9_.\-+]+/)) {
        if (token.length >= MIN_TOKEN && !publicTokens.has(token)) values.add(token);
      }
    }
  }
  return { values: [...values].sort((a, b) => b.length - a.length) };
}

/** The text with every secret value replaced; tokens only where they stand alone (not inside a longer word). */
export function scrubHidden(text: string, secrets: SecretSet): string {
  let out = text;
  for (const value of secrets.values) {
    if (!out.includes(value)) continue;
    const bounded = /^[A-Za-z0-9_]/.test(value) && /[A-Za-z0-9_]$/.test(value);
    const pattern = bounded ? new RegExp(`(?<![A-Za-z0-9_])${escapeRegex(value)}(?![A-Za-z0-9_])`, 'g') : new RegExp(escapeRegex(value), 'g');
    out = out.replace(pattern, HIDDEN_MARK);
  }
  return out;
}

/** Does the text still hold any secret value (used by tests and as a last check before an answer is stored)? */
export function leaksHidden(text: string, secrets: SecretSet): boolean {
  return scrubHidden(text, secrets) !== text;
}

/** Applies `scrubHidden` to every string inside a JSON-like value. */
export function scrubDeep<T>(value: T, secrets: SecretSet): T {
  if (secrets.values.length === 0) return value;
  if (typeof value === 'string') return scrubHidden(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  }
  return value;
}
