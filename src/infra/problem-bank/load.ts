/**
 * The seeded problem bank: one JSON file per problem in `problem-bank/problems/<slug>.json` (see
 * `problem-bank/README.md`). `loadProblemBank` reads every file, checks each field against the same limits the API
 * enforces on problem content, and throws a `ProblemBankError` naming the file and the field at the first problem.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIFFICULTIES, LANGUAGES, LIMITS, TAG_SLUG_PATTERN, type Difficulty, type Language } from '../../domain/problem/content.js';

export interface ProblemBankExample {
  input: string;
  output: string;
  explanation?: string;
}

export interface ProblemBankTestCase {
  input: string;
  expectedOutput: string;
  isHidden: boolean;
  description?: string;
}

export interface ProblemBankEntry {
  slug: string;
  title: string;
  difficulty: Difficulty;
  tags: string[];
  company: string | null;
  /** Markdown statement, including the "Input format" and "Output format" sections. */
  description: string;
  constraints: string;
  examples: ProblemBankExample[];
  /** Milliseconds per test. */
  timeLimit: number;
  /** Megabytes. */
  memoryLimit: number;
  starterCode: Record<Language, string>;
  testCases: ProblemBankTestCase[];
  /** The authored hint ladder the AI coach starts from (optional; written by hand, kept by the generator). */
  hints?: { subtle: string; moderate: string; direct: string };
}

/** `problem-bank/problems` at the repository root (this file sits at `src/infra/problem-bank/`, or `dist/infra/...`). */
export const DEFAULT_PROBLEM_BANK_DIR = fileURLToPath(new URL('../../../problem-bank/problems/', import.meta.url));

export class ProblemBankError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    detail: string,
  ) {
    super(`problem bank: ${file}${field ? ` (${field})` : ''}: ${detail}`);
    this.name = 'ProblemBankError';
  }
}

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const TAG_SLUG = new RegExp(TAG_SLUG_PATTERN);
const ENTRY_KEYS = [
  'slug',
  'title',
  'difficulty',
  'tags',
  'company',
  'description',
  'constraints',
  'examples',
  'timeLimit',
  'memoryLimit',
  'starterCode',
  'testCases',
] as const;
const OPTIONAL_KEYS = ['hints'] as const;

type Json = unknown;

/** Field checks for one file; each throws a ProblemBankError naming the file and the field. */
class Checker {
  constructor(private readonly file: string) {}

  fail(field: string | null, detail: string): never {
    throw new ProblemBankError(this.file, field, detail);
  }

  object(value: Json, field: string, allowed: readonly string[], required: readonly string[]): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field || null, 'must be an object');
    const obj = value as Record<string, Json>;
    const prefix = field ? `${field}.` : '';
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(`${prefix}${key}`, 'is not a known field');
    }
    for (const key of required) {
      if (!(key in obj)) this.fail(`${prefix}${key}`, 'is missing');
    }
    return obj;
  }

  /** A string of at most `max` characters that is not blank, unless `allowBlank`. */
  text(value: Json, field: string, max: number, allowBlank = false): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    if (!allowBlank && value.trim().length === 0) this.fail(field, 'must not be blank');
    if (value.length > max) this.fail(field, `must be at most ${max} characters (has ${value.length})`);
    return value;
  }

  integer(value: Json, field: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  array(value: Json, field: string, min: number, max: number): Json[] {
    if (!Array.isArray(value)) this.fail(field, 'must be an array');
    if (value.length < min || value.length > max) this.fail(field, `must have ${min} to ${max} items (has ${value.length})`);
    return value;
  }
}

/** Validates one parsed file. `file` is used in error messages; the slug must match its base name. */
export function parseProblemBankEntry(raw: Json, file: string): ProblemBankEntry {
  const c: Checker = new Checker(file);
  const o = c.object(raw, '', [...ENTRY_KEYS, ...OPTIONAL_KEYS], ENTRY_KEYS);

  const slug = c.text(o.slug, 'slug', 100);
  if (!SLUG.test(slug)) c.fail('slug', 'must be lowercase words joined by hyphens');
  const expected = basename(file, '.json');
  if (slug !== expected) c.fail('slug', `must match the file name ("${expected}")`);

  const title = c.text(o.title, 'title', LIMITS.title);
  if (title !== title.trim()) c.fail('title', 'must not start or end with whitespace');

  if (typeof o.difficulty !== 'string' || !(DIFFICULTIES as readonly string[]).includes(o.difficulty)) {
    c.fail('difficulty', `must be one of ${DIFFICULTIES.join(', ')}`);
  }
  const difficulty = o.difficulty as Difficulty;

  const tags = c.array(o.tags, 'tags', 1, LIMITS.tags).map((tag, i) => {
    const t = c.text(tag, `tags.${i}`, LIMITS.tagSlug);
    if (!TAG_SLUG.test(t)) c.fail(`tags.${i}`, 'must be a tag slug such as "two-pointers"');
    return t;
  });
  if (new Set(tags).size !== tags.length) c.fail('tags', 'must not repeat a tag');

  const company = o.company === null ? null : c.text(o.company, 'company', LIMITS.company);
  const description = c.text(o.description, 'description', LIMITS.description);
  for (const section of ['Input format', 'Output format']) {
    if (!new RegExp(`^#+\\s*${section}\\s*$`, 'im').test(description)) c.fail('description', `needs an "${section}" heading`);
  }
  const constraints = c.text(o.constraints, 'constraints', LIMITS.constraints);

  const examples = c.array(o.examples, 'examples', 1, LIMITS.examples).map((value, i) => {
    const field = `examples.${i}`;
    const e = c.object(value, field, ['input', 'output', 'explanation'], ['input', 'output']);
    const example: ProblemBankExample = {
      input: c.text(e.input, `${field}.input`, LIMITS.exampleText),
      output: c.text(e.output, `${field}.output`, LIMITS.exampleText),
    };
    if (e.explanation !== undefined) example.explanation = c.text(e.explanation, `${field}.explanation`, LIMITS.exampleText);
    return example;
  });

  const timeLimit = c.integer(o.timeLimit, 'timeLimit', 1, LIMITS.timeLimitMs);
  const memoryLimit = c.integer(o.memoryLimit, 'memoryLimit', 1, LIMITS.memoryLimitMb);

  const starter = c.object(o.starterCode, 'starterCode', LANGUAGES, LANGUAGES);
  const starterCode = Object.fromEntries(
    LANGUAGES.map((lang) => [lang, c.text(starter[lang], `starterCode.${lang}`, LIMITS.starterCode)]),
  ) as Record<Language, string>;

  const testCases = c.array(o.testCases, 'testCases', LIMITS.testCasesMin, LIMITS.testCasesMax).map((value, i) => {
    const field = `testCases.${i}`;
    const t = c.object(value, field, ['input', 'expectedOutput', 'isHidden', 'description'], ['input', 'expectedOutput', 'isHidden']);
    if (typeof t.isHidden !== 'boolean') c.fail(`${field}.isHidden`, 'must be true or false');
    const testCase: ProblemBankTestCase = {
      input: c.text(t.input, `${field}.input`, LIMITS.testCaseText),
      expectedOutput: c.text(t.expectedOutput, `${field}.expectedOutput`, LIMITS.testCaseText),
      isHidden: t.isHidden,
    };
    if (t.description !== undefined) testCase.description = c.text(t.description, `${field}.description`, LIMITS.testCaseDescription);
    return testCase;
  });

  const entry: ProblemBankEntry = { slug, title, difficulty, tags, company, description, constraints, examples, timeLimit, memoryLimit, starterCode, testCases };
  if (o.hints !== undefined) {
    const h = c.object(o.hints, 'hints', ['subtle', 'moderate', 'direct'], ['subtle', 'moderate', 'direct']);
    entry.hints = {
      subtle: c.text(h.subtle, 'hints.subtle', LIMITS.hint),
      moderate: c.text(h.moderate, 'hints.moderate', LIMITS.hint),
      direct: c.text(h.direct, 'hints.direct', LIMITS.hint),
    };
  }
  return entry;
}

/**
 * Reads and validates every `*.json` file of the bank (default: the repository's `problem-bank/problems`), ordered
 * by slug. Slugs and titles must be unique across the bank.
 */
export function loadProblemBank(dir: string = DEFAULT_PROBLEM_BANK_DIR): ProblemBankEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (err) {
    throw new ProblemBankError(dir, null, `cannot read the directory: ${(err as Error).message}`);
  }
  names.sort();
  const entries: ProblemBankEntry[] = [];
  const bySlug = new Map<string, string>();
  const byTitle = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    let raw: Json;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ProblemBankError(file, null, `is not valid JSON: ${(err as Error).message}`);
    }
    const entry = parseProblemBankEntry(raw, file);
    const sameSlug = bySlug.get(entry.slug);
    if (sameSlug) throw new ProblemBankError(file, 'slug', `"${entry.slug}" is also used by ${sameSlug}`);
    const sameTitle = byTitle.get(entry.title.toLowerCase());
    if (sameTitle) throw new ProblemBankError(file, 'title', `"${entry.title}" is also used by ${sameTitle}`);
    bySlug.set(entry.slug, file);
    byTitle.set(entry.title.toLowerCase(), file);
    entries.push(entry);
  }
  return entries;
}
