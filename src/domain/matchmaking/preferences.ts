/**
 * Matchmaking preferences: normalisation and the pairing rule. Every list is optional and an
 * empty list means "any".
 */
import { DIFFICULTIES, LANGUAGES, type Difficulty, type Language } from '../problem/content.js';

export const JOINABLE_ROLES = ['interviewer', 'candidate', 'observer'] as const;
export type JoinableRole = (typeof JOINABLE_ROLES)[number];

export interface Preferences {
  languages: Language[];
  difficulties: Difficulty[];
  problemIds: string[];
  topics: string[];
  roles: JoinableRole[];
}

export type PreferencesInput = Partial<Preferences>;

/** Deduplicated; enums in their canonical order; ids lower-cased and topics trimmed, in first-seen order. */
export function normalisePreferences(input: PreferencesInput = {}): Preferences {
  const inOrder = <T extends string>(canonical: readonly T[], values: readonly T[] | undefined): T[] =>
    canonical.filter((v) => (values ?? []).includes(v));
  const unique = (values: readonly string[] | undefined, map: (v: string) => string): string[] => [
    ...new Set((values ?? []).map(map).filter((v) => v.length > 0)),
  ];
  return {
    languages: inOrder(LANGUAGES, input.languages),
    difficulties: inOrder(DIFFICULTIES, input.difficulties),
    problemIds: unique(input.problemIds, (v) => v.toLowerCase()),
    topics: unique(input.topics, (v) => v.trim()),
    roles: inOrder(JOINABLE_ROLES, input.roles),
  };
}

const overlaps = (a: readonly string[], b: readonly string[]) => a.length === 0 || b.length === 0 || a.some((v) => b.includes(v));
const intersects = (a: readonly string[], b: readonly string[]) => a.length === 0 || b.length === 0 || a.some((v) => b.includes(v));
const can = (p: Preferences, role: JoinableRole) => p.roles.length === 0 || p.roles.includes(role);

export interface Pairing {
  /** Which side hosts the room (the interviewer). */
  host: 'first' | 'second';
  language: Language;
  /** The problem candidates for the room, in preference order (the first available one is used). */
  problemIds: string[];
}

/**
 * Languages, difficulties and topics overlap (or a side is "any"), problem ids intersect when
 * both list some, and one side can interview while the other can be the candidate (the first side hosts when both
 * ways work). Observer-only preferences never pair. Returns undefined when the two requests are incompatible.
 */
export function pairing(first: Preferences, second: Preferences): Pairing | undefined {
  if (!overlaps(first.languages, second.languages)) return undefined;
  if (!overlaps(first.difficulties, second.difficulties)) return undefined;
  if (!overlaps(first.topics, second.topics)) return undefined;
  if (!intersects(first.problemIds, second.problemIds)) return undefined;
  let host: Pairing['host'];
  if (can(first, 'interviewer') && can(second, 'candidate')) host = 'first';
  else if (can(second, 'interviewer') && can(first, 'candidate')) host = 'second';
  else return undefined;
  const shared = first.languages.find((l) => second.languages.includes(l));
  const language = shared ?? first.languages[0] ?? second.languages[0] ?? 'python';
  let problemIds: string[];
  if (first.problemIds.length > 0 && second.problemIds.length > 0) problemIds = first.problemIds.filter((p) => second.problemIds.includes(p));
  else problemIds = first.problemIds.length > 0 ? first.problemIds : second.problemIds;
  return { host, language, problemIds };
}
