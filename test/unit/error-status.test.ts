/**
 * The error taxonomy (docs/api.md, "Errors"): every code the source raises has a status in the one code → status
 * table at the HTTP edge, and the edge answers with it. The scan reads the source as text, so a code smuggled past
 * the type checker (a cast, a new error helper) still fails here.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../src/domain/shared/errors.js';
import { ERROR_STATUS } from '../../src/http/error-status.js';
import { toEnvelope } from '../../src/http/errors.js';
import { ServiceUnavailableError, UpstreamTimeoutError } from '../../src/infra/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every catalogue key the source names where an error is raised, with the file that names it. */
function keysRaisedInSource(): Array<{ key: string; file: string }> {
  const found: Array<{ key: string; file: string }> = [];
  const patterns: Array<[RegExp, (m: RegExpMatchArray) => string[]]> = [
    [/new DomainError\(\s*'([^']+)'/g, (m) => [m[1]!]],
    [/new ServiceUnavailableError\(\s*'([A-Z]+)'/g, (m) => [`${m[1]}_SERVICE_UNAVAILABLE`]],
    [/new UpstreamTimeoutError\(\s*'([A-Z]+)'/g, (m) => [`${m[1]}_SERVICE_TIMEOUT`]],
    [/createBreaker\(\s*'([A-Z]+)'/g, (m) => [`${m[1]}_SERVICE_UNAVAILABLE`, `${m[1]}_SERVICE_TIMEOUT`]],
    [/'([A-Z][A-Z_]*_RATE_LIMIT|RATE_LIMIT_EXCEEDED)'/g, (m) => [m[1]!]],
  ];
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const [pattern, keys] of patterns) {
      for (const m of text.matchAll(pattern)) for (const key of keys(m)) found.push({ key, file: relative(root, file) });
    }
  }
  return found;
}

describe('error taxonomy', () => {
  it('has a status for every code the source raises', () => {
    const raised = keysRaisedInSource();
    expect(raised.length).toBeGreaterThan(100);
    const missing = raised.filter(({ key }) => !(key in ERROR_STATUS));
    expect(missing).toEqual([]);
  });

  it('maps every entry to an error status, and every case to a code of the catalogue', () => {
    for (const [key, status] of Object.entries(ERROR_STATUS)) {
      expect({ key, status, valid: status >= 400 && status <= 599 }).toEqual({ key, status, valid: true });
      const code = key.split('/')[0]!;
      expect({ key, codeInTable: code in ERROR_STATUS }).toEqual({ key, codeInTable: true });
    }
  });

  it('answers a case with its own status and the code of its catalogue entry', () => {
    const removeSelf = toEnvelope(new DomainError('ROOM_PERMISSION_DENIED/remove-self', 'You cannot remove yourself'));
    const capability = toEnvelope(new DomainError('ROOM_PERMISSION_DENIED', 'No'));
    expect([removeSelf.statusCode, removeSelf.code, capability.statusCode, capability.code]).toEqual([400, 'ROOM_PERMISSION_DENIED', 403, 'ROOM_PERMISSION_DENIED']);
  });

  it('answers dependency failures 503 / 504 with their code and details', () => {
    const open = toEnvelope(new ServiceUnavailableError('EXECUTION', 'Service temporarily unavailable', { retryAfter: 10 }));
    const slow = toEnvelope(new UpstreamTimeoutError('AI', 'Operation timed out', { timeout: 5 }));
    expect([open.statusCode, open.code, open.details]).toEqual([503, 'EXECUTION_SERVICE_UNAVAILABLE', { retryAfter: 10 }]);
    expect([slow.statusCode, slow.code, slow.details]).toEqual([504, 'AI_SERVICE_TIMEOUT', { timeout: 5 }]);
  });
});
