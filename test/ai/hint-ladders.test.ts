/** Every problem of the bank ships an authored hint ladder (subtle → moderate → direct), carried into the problem content. */
import { describe, expect, it } from '@jest/globals';
import { contentOf } from '../../src/commands/problems/seed.js';
import { loadProblemBank } from '../../src/infra/problem-bank/load.js';
import { assertValidContent } from '../../src/domain/problem/content.js';

describe('hint ladders of the problem bank', () => {
  const bank = loadProblemBank();

  it('every problem has three different, non-trivial rungs, each more concrete (longer) than a bare pointer', () => {
    expect(bank.length).toBeGreaterThanOrEqual(30);
    for (const entry of bank) {
      const h = entry.hints;
      expect(h).toBeDefined();
      const rungs = [h!.subtle, h!.moderate, h!.direct];
      expect(new Set(rungs).size).toBe(3);
      for (const rung of rungs) expect(rung.trim().length).toBeGreaterThan(30);
      // the direct rung spells out the change, so it is the longest
      expect(h!.direct.length).toBeGreaterThan(h!.subtle.length);
    }
  });

  it('the ladder becomes part of the problem content the seed writes, valid under the content rules', () => {
    for (const entry of bank) {
      const content = contentOf(entry);
      expect(content.hints).toEqual(entry.hints);
      expect(() => assertValidContent(content)).not.toThrow();
    }
  });

  it('a hint longer than the limit is refused by the content rules', () => {
    const content = contentOf(bank[0]!);
    expect(() => assertValidContent({ ...content, hints: { ...content.hints!, direct: 'x'.repeat(2001) } })).toThrow(/hints.direct/);
  });
});
