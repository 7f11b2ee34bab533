/**
 * Seeding the problem bank through the admin command path, as the system (no actor): each bank problem is created
 * published with its tags, or brought up to date when it already exists. A bank problem is found by its slug (its
 * id is derived from the slug) or, failing that, by its title (the owner of the title reservation, e.g. a problem
 * an admin created by hand). A second run decides nothing and appends no event.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readAggregate } from '../handle-command.js';
import { systemMetadata, type RequestMetadata } from '../metadata.js';
import { reservationStream } from '../reservation.js';
import type { EventStore, Position } from '../../infra/eventstore/port.js';
import type { Difficulty, ProblemContent, StarterCode } from '../../domain/problem/content.js';
import { problemDecider, problemStream } from '../../domain/problem/problem.js';
import { DomainError } from '../../domain/shared/errors.js';
import { reservationDecider } from '../../domain/reservation/reservation.js';
import { createProblem, setPublished, TITLE_RESERVATION, updateProblem, type ProblemResult } from './problems.js';

/** What the seeder needs of a bank problem (the shape of `problem-bank/problems/<slug>.json`). */
export interface BankProblem {
  slug: string;
  title: string;
  difficulty: Difficulty | string;
  tags: readonly string[];
  company?: string | null;
  description: string;
  constraints?: string | null;
  examples?: ReadonlyArray<{ input: string; output: string; explanation?: string | null }>;
  starterCode?: Readonly<Record<string, string>> | null;
  timeLimit?: number | null;
  memoryLimit?: number | null;
  testCases: ReadonlyArray<{
    input: string;
    expectedOutput: string;
    isHidden?: boolean;
    description?: string | null;
    timeoutMs?: number | null;
    memoryMb?: number | null;
  }>;
  hints?: { subtle: string; moderate: string; direct: string } | null;
}

export interface SeedReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  skipped: Array<{ slug: string; reason: string }>;
  /** Entries the rules refused (invalid content, a title held by something else): reported, the others go on. */
  failed: Array<{ slug: string; code: string; message: string }>;
  /** Position of the last event appended, if any. */
  position: Position | undefined;
  eventTypes: string[];
}

const NAMESPACE = '3b8f2c5e-6a0d-4e7b-9f14-2d6c8a1e5b70';

/** Name-based (v5) uuid: the same slug always names the same problem stream. */
export function problemIdForSlug(slug: string): string {
  const hash = createHash('sha1').update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex')).update(`bank:${slug}`, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const trimmedOrNull = (s: string | null | undefined) => (s === null || s === undefined ? null : s.trim() || null);

/** A bank problem as the content an admin would send (texts trimmed like the API does). */
export function contentOf(entry: BankProblem): ProblemContent {
  return {
    title: entry.title.trim(),
    description: entry.description.trim(),
    difficulty: entry.difficulty as Difficulty,
    company: trimmedOrNull(entry.company),
    constraints: trimmedOrNull(entry.constraints),
    examples: (entry.examples ?? []).map((e) => ({
      input: e.input,
      output: e.output,
      ...(e.explanation !== undefined && e.explanation !== null ? { explanation: e.explanation } : {}),
    })),
    starterCode: entry.starterCode ? ({ ...entry.starterCode } as StarterCode) : null,
    timeLimitMs: entry.timeLimit ?? null,
    memoryLimitMb: entry.memoryLimit ?? null,
    tags: [...entry.tags],
    testCases: entry.testCases.map((t) => ({
      input: t.input,
      expectedOutput: t.expectedOutput,
      description: trimmedOrNull(t.description),
      isHidden: t.isHidden ?? false,
      timeoutMs: t.timeoutMs ?? null,
      memoryMb: t.memoryMb ?? null,
    })),
    hints: entry.hints ? { subtle: entry.hints.subtle.trim(), moderate: entry.hints.moderate.trim(), direct: entry.hints.direct.trim() } : null,
  };
}

async function liveProblem(store: EventStore, problemId: string) {
  const { state } = await readAggregate(store, problemStream(problemId), problemDecider);
  return state;
}

async function titleOwner(store: EventStore, title: string): Promise<string | null> {
  const { state } = await readAggregate(store, reservationStream(TITLE_RESERVATION, title), reservationDecider);
  return state.ownerId;
}

export async function seedProblems(
  store: EventStore,
  entries: readonly BankProblem[],
  metadata: RequestMetadata = systemMetadata(randomUUID()),
): Promise<SeedReport> {
  const report: SeedReport = { created: [], updated: [], unchanged: [], skipped: [], failed: [], position: undefined, eventTypes: [] };
  const note = (r: ProblemResult) => {
    if (r.position) report.position = r.position;
    for (const e of r.events) if (!report.eventTypes.includes(e.type)) report.eventTypes.push(e.type);
    return r.events.length;
  };

  for (const entry of entries) {
    try {
      await seedOne(store, entry, metadata, report, note);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      report.failed.push({ slug: entry.slug, code: err.code, message: err.message });
    }
  }
  return report;
}

async function seedOne(
  store: EventStore,
  entry: BankProblem,
  metadata: RequestMetadata,
  report: SeedReport,
  note: (r: ProblemResult) => number,
): Promise<void> {
  const content = contentOf(entry);
  const bySlug = problemIdForSlug(entry.slug);
  let target: string | undefined;
  const own = await liveProblem(store, bySlug);
  if (own.exists && !own.deleted) target = bySlug;
  else {
    const owner = await titleOwner(store, content.title);
    if (owner) {
      const other = await liveProblem(store, owner);
      if (other.exists && !other.deleted) target = owner;
    }
  }

  if (!target) {
    if (own.exists && own.deleted) {
      report.skipped.push({ slug: entry.slug, reason: 'deleted by an administrator' });
      return;
    }
    note(await createProblem(store, metadata, { problemId: bySlug, slug: entry.slug, content, isPublished: true }));
    report.created.push(entry.slug);
    return;
  }

  let changes = note(await updateProblem(store, metadata, { problemId: target, changes: content }));
  changes += note(await setPublished(store, metadata, { problemId: target, isPublished: true }));
  (changes > 0 ? report.updated : report.unchanged).push(entry.slug);
}
