/**
 * What a problem is made of (statement, examples, starter code, limits, tags, test cases), the limits every
 * write path enforces (the HTTP schemas reuse these numbers), and the pure rules on that content.
 */
import { DomainError } from '../shared/errors.js';

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** SupportedLanguage, in its significant order. */
export const LANGUAGES = ['python', 'javascript', 'typescript', 'java', 'cpp', 'c', 'go', 'rust'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LIMITS = {
  title: 200,
  description: 100_000,
  company: 100,
  constraints: 50_000,
  examples: 50,
  exampleText: 20_000,
  starterCode: 50_000,
  timeLimitMs: 60_000,
  memoryLimitMb: 4096,
  testCasesMin: 1,
  testCasesMax: 100,
  testCaseText: 20_000,
  testCaseDescription: 255,
  tags: 20,
  tagSlug: 50,
  hint: 2000,
} as const;

export const TAG_SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
const TAG_SLUG = new RegExp(TAG_SLUG_PATTERN);

export interface ProblemExample {
  input: string;
  output: string;
  explanation?: string;
}

export interface ProblemTestCase {
  input: string;
  expectedOutput: string;
  description: string | null;
  isHidden: boolean;
  timeoutMs: number | null;
  memoryMb: number | null;
}

export type StarterCode = Partial<Record<Language, string>>;

/** The authored hint ladder of a problem (docs/ai.md): one hint per level, from a pointer to the area to the change. */
export interface HintLadder {
  subtle: string;
  moderate: string;
  direct: string;
}

/** Everything an admin edits (publication state aside). */
export interface ProblemContent {
  title: string;
  description: string;
  difficulty: Difficulty;
  company: string | null;
  constraints: string | null;
  examples: ProblemExample[];
  starterCode: StarterCode | null;
  timeLimitMs: number | null;
  memoryLimitMb: number | null;
  tags: string[];
  testCases: ProblemTestCase[];
  /** Admin-only; absent on problems written before ladders existed. */
  hints?: HintLadder | null;
}

export const CONTENT_FIELDS = [
  'title',
  'description',
  'difficulty',
  'company',
  'constraints',
  'examples',
  'starterCode',
  'timeLimitMs',
  'memoryLimitMb',
  'tags',
  'testCases',
  'hints',
] as const satisfies readonly (keyof ProblemContent)[];
export type ContentField = (typeof CONTENT_FIELDS)[number];

const TAG_NAMES: Record<string, string> = {
  arrays: 'Arrays',
  strings: 'Strings',
  'hash-map': 'Hash Map',
  'hash-table': 'Hash Table',
  'two-pointers': 'Two Pointers',
  'sliding-window': 'Sliding Window',
  stack: 'Stack',
  queue: 'Queue',
  heap: 'Heap',
  'linked-list': 'Linked List',
  trees: 'Trees',
  'binary-search': 'Binary Search',
  'binary-search-tree': 'Binary Search Tree',
  graphs: 'Graphs',
  bfs: 'Breadth-First Search',
  dfs: 'Depth-First Search',
  'dynamic-programming': 'Dynamic Programming',
  greedy: 'Greedy',
  intervals: 'Intervals',
  sorting: 'Sorting',
  math: 'Math',
  'bit-manipulation': 'Bit Manipulation',
  backtracking: 'Backtracking',
  recursion: 'Recursion',
  trie: 'Trie',
  'union-find': 'Union Find',
  'topological-sort': 'Topological Sort',
  matrix: 'Matrix',
  'prefix-sum': 'Prefix Sum',
  'monotonic-stack': 'Monotonic Stack',
  design: 'Design',
};

/** Display name of a tag slug: a known name, else the slug's words capitalised (`divide-and-conquer` → `Divide And Conquer`). */
export function tagName(slug: string): string {
  return TAG_NAMES[slug] ?? slug.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

/** Tags as stored: distinct slugs ordered by tag name (then slug), which is how every response lists them. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort((a, b) => compareText(tagName(a), tagName(b)) || compareText(a, b));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface FieldError {
  field: string;
  constraint: string;
  value: unknown;
}

/**
 * The invariants of problem content, checked on every write whatever its path (API, seed). The HTTP schemas reject
 * most of this earlier with the same numbers; this is what holds when a command arrives some other way.
 */
export function contentErrors(content: Partial<ProblemContent>): FieldError[] {
  const errors: FieldError[] = [];
  const text = (field: string, value: string | null | undefined, max: number, nullable: boolean) => {
    if (value === undefined) return;
    if (value === null) {
      if (!nullable) errors.push({ field, constraint: 'required', value });
      return;
    }
    if (typeof value !== 'string' || value.trim().length === 0) errors.push({ field, constraint: 'minLength', value });
    else if (value.length > max) errors.push({ field, constraint: 'maxLength', value: value.length });
  };
  const limit = (field: string, value: number | null | undefined, max: number) => {
    if (value === undefined || value === null) return;
    if (!Number.isInteger(value) || value < 1 || value > max) errors.push({ field, constraint: 'range', value });
  };
  text('title', content.title, LIMITS.title, false);
  text('description', content.description, LIMITS.description, false);
  text('company', content.company, LIMITS.company, true);
  text('constraints', content.constraints, LIMITS.constraints, true);
  if (content.difficulty !== undefined && !DIFFICULTIES.includes(content.difficulty)) {
    errors.push({ field: 'difficulty', constraint: 'enum', value: content.difficulty });
  }
  limit('timeLimit', content.timeLimitMs, LIMITS.timeLimitMs);
  limit('memoryLimit', content.memoryLimitMb, LIMITS.memoryLimitMb);
  if (content.examples !== undefined && content.examples.length > LIMITS.examples) {
    errors.push({ field: 'examples', constraint: 'maxItems', value: content.examples.length });
  }
  if (content.starterCode) {
    for (const [language, code] of Object.entries(content.starterCode)) {
      if (!LANGUAGES.includes(language as Language)) errors.push({ field: `starterCode.${language}`, constraint: 'enum', value: language });
      else if (typeof code !== 'string' || code.length > LIMITS.starterCode) errors.push({ field: `starterCode.${language}`, constraint: 'maxLength', value: null });
    }
  }
  if (content.tags !== undefined) {
    if (content.tags.length > LIMITS.tags) errors.push({ field: 'tags', constraint: 'maxItems', value: content.tags.length });
    content.tags.forEach((tag, i) => {
      if (typeof tag !== 'string' || tag.length > LIMITS.tagSlug || !TAG_SLUG.test(tag)) errors.push({ field: `tags.${i}`, constraint: 'pattern', value: tag });
    });
  }
  if (content.testCases !== undefined) {
    const n = content.testCases.length;
    if (n < LIMITS.testCasesMin || n > LIMITS.testCasesMax) errors.push({ field: 'testCases', constraint: n < 1 ? 'minItems' : 'maxItems', value: n });
    content.testCases.forEach((tc, i) => {
      text(`testCases.${i}.input`, tc.input, LIMITS.testCaseText, false);
      text(`testCases.${i}.expectedOutput`, tc.expectedOutput, LIMITS.testCaseText, false);
      if (tc.description !== null && tc.description.length > LIMITS.testCaseDescription) {
        errors.push({ field: `testCases.${i}.description`, constraint: 'maxLength', value: tc.description.length });
      }
      limit(`testCases.${i}.timeoutMs`, tc.timeoutMs, LIMITS.timeLimitMs);
      limit(`testCases.${i}.memoryMb`, tc.memoryMb, LIMITS.memoryLimitMb);
    });
  }
  if (content.hints !== undefined && content.hints !== null) {
    for (const level of ['subtle', 'moderate', 'direct'] as const) text(`hints.${level}`, content.hints[level], LIMITS.hint, false);
  }
  return errors;
}

export function assertValidContent(content: Partial<ProblemContent>): void {
  const fields = contentErrors(content);
  if (fields.length > 0) {
    const first = fields[0]!;
    throw new DomainError('VALIDATION_FAILED', `Validation failed: ${first.field} ${first.constraint}`, { fields });
  }
}

/** Structural equality of two JSON-like values (key order ignored); decides which fields an update really changes. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export const hiddenCount = (testCases: readonly ProblemTestCase[]) => testCases.filter((t) => t.isHidden).length;
