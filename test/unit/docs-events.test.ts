/**
 * docs/events.md lists every event type the domain defines (`DomainEvent<'Name', …>` under src/domain), so a new
 * event cannot land without saying which stream it goes to and what reads it.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function domainEventTypes(): string[] {
  const files = readdirSync(join(root, 'src/domain'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const types = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(root, 'src/domain', file), 'utf8');
    for (const match of source.matchAll(/DomainEvent<\s*'(\w+)'/g)) types.add(match[1]!);
  }
  return [...types].sort();
}

function documentedEventTypes(): Set<string> {
  const doc = readFileSync(join(root, 'docs/events.md'), 'utf8');
  return new Set([...doc.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!));
}

describe('docs/events.md', () => {
  it('has a row for every event type defined in src/domain', () => {
    const defined = domainEventTypes();
    expect(defined).toEqual(expect.arrayContaining(['RoomCreated', 'SessionFinished', 'HintRequested']));
    const documented = documentedEventTypes();
    expect(defined.filter((type) => !documented.has(type))).toEqual([]);
  });

  it('lists no event type the domain does not define', () => {
    const defined = new Set(domainEventTypes());
    expect([...documentedEventTypes()].filter((type) => !defined.has(type))).toEqual([]);
  });
});
