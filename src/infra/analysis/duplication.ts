/**
 * Copy-paste detection, the way PMD's CPD does it with its defaults: the code's token stream (comments and
 * whitespace dropped, literals and identifiers kept as written) is searched for sequences of at least
 * MIN_TOKENS tokens that occur more than once without overlapping.
 *
 * Method: every window of MIN_TOKENS tokens gets a rolling hash; windows with equal hashes are compared token by
 * token, and each match is grown to its maximal length (a match that also matches one token earlier is part of a
 * longer one and is not reported again). Matches that share their first occurrence are one duplication with
 * several occurrences, as long as the shortest of them.
 */
import type { AnalysisDuplication } from '../../domain/run/static-analysis.js';
import { FAMILY, tokenize } from './tokenize.js';

export const DUPLICATION_TOOL = 'syncode-duplication';
export const MIN_TOKENS = 40;
const MAX_TOKENS = 50_000;
const MAX_REPORTED = 50;

export function findDuplications(code: string, language: string, file: string | null, minTokens = MIN_TOKENS): AnalysisDuplication[] {
  const family = FAMILY[language];
  if (!family) return [];
  const tokens = tokenize(code, family, language).slice(0, MAX_TOKENS);
  const n = tokens.length;
  if (n < minTokens * 2) return [];

  // Tokens as small integers, so comparing and hashing are cheap. String and character literals keep their kind
  // only (the lexer does not keep their text); everything else is compared as written.
  const ids = new Map<string, number>();
  const seq = Int32Array.from(tokens, (t) => {
    const key = `${t.kind}:${t.text}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
    }
    return id;
  });

  const MOD = 2_147_483_647;
  const BASE = 1_000_003;
  let power = 1;
  for (let k = 1; k < minTokens; k++) power = (power * BASE) % MOD;
  const buckets = new Map<number, number[]>();
  let h = 0;
  for (let k = 0; k < n; k++) {
    if (k >= minTokens) h = (h - ((seq[k - minTokens]! * power) % MOD) + MOD) % MOD;
    h = (h * BASE + seq[k]!) % MOD;
    if (k >= minTokens - 1) {
      const start = k - minTokens + 1;
      const list = buckets.get(h);
      if (list) list.push(start);
      else buckets.set(h, [start]);
    }
  }

  const same = (a: number, b: number, len: number) => {
    for (let k = 0; k < len; k++) if (seq[a + k] !== seq[b + k]) return false;
    return true;
  };
  // Maximal matches as pairs (a < b), found from the windows that share a hash.
  const pairs: Array<{ a: number; b: number; length: number }> = [];
  for (const starts of buckets.values()) {
    if (starts.length < 2) continue;
    for (let x = 0; x < starts.length; x++) {
      for (let y = x + 1; y < starts.length; y++) {
        const a = starts[x]!;
        const b = starts[y]!;
        if (b - a < minTokens) continue; // overlapping windows of one repetitive stretch
        if (a > 0 && seq[a - 1] === seq[b - 1]) continue; // part of a longer match found from an earlier start
        if (!same(a, b, minTokens)) continue;
        let length = minTokens;
        while (b + length < n && a + length < b && seq[a + length] === seq[b + length]) length++;
        pairs.push({ a, b, length });
      }
    }
  }
  // A block copied k times gives pairs (first, each other) and (other, other): one duplication per first
  // occurrence, as long as the shortest of its matches, with every other occurrence.
  pairs.sort((p, q) => p.a - q.a || p.b - q.b);
  const groups = new Map<number, { first: number; length: number; others: Set<number> }>();
  const others = new Set<number>();
  for (const { a, b, length } of pairs) {
    if (others.has(a)) continue;
    const group = groups.get(a) ?? { first: a, length, others: new Set<number>() };
    group.length = Math.min(group.length, length);
    group.others.add(b);
    groups.set(a, group);
    others.add(b);
  }

  const span = (start: number, length: number) => ({ file, startLine: tokens[start]!.line, endLine: tokens[start + length - 1]!.line });
  return [...groups.values()]
    .sort((p, q) => q.length - p.length || p.first - q.first)
    .slice(0, MAX_REPORTED)
    .map((g) => {
      const first = span(g.first, g.length);
      return {
        tool: DUPLICATION_TOOL,
        lines: first.endLine - first.startLine + 1,
        tokens: g.length,
        occurrences: [first, ...[...g.others].sort((p, q) => p - q).map((o) => span(o, g.length))],
      };
    });
}

