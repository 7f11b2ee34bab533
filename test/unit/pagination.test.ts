import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, toPage } from '../../src/http/pagination.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { statusOf } from '../../src/http/error-status.js';

describe('cursors', () => {
  it('round-trip sort values including nulls', () => {
    const c = encodeCursor(['2026-01-01T00:00:00.000Z', null, 3, 'id-1']);
    expect(decodeCursor(c, 4)).toEqual(['2026-01-01T00:00:00.000Z', null, 3, 'id-1']);
  });

  it.each(['%%%', 'bm90LWpzb24', encodeCursor(['a']), Buffer.from('{"id":1}').toString('base64url')])('rejects %s with 400', (bad) => {
    try {
      decodeCursor(bad, 2);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect(statusOf(e)).toBe(400);
      expect((e as DomainError).code).toBe('VALIDATION_FAILED');
    }
  });

  it('pages limit+1 rows into data, hasMore and the cursor of the last visible row', () => {
    const page = toPage([1, 2, 3], 2, (n) => n * 10, (n) => [n]);
    expect(page.data).toEqual([10, 20]);
    expect(page.pagination.hasMore).toBe(true);
    expect(decodeCursor(page.pagination.nextCursor!, 1)).toEqual([2]);
    expect(toPage([1], 2, (n) => n, (n) => [n]).pagination).toEqual({ nextCursor: null, hasMore: false });
  });
});
