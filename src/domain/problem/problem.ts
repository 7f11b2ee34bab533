/**
 * The problem aggregate (`problem-<id>`): created as a draft or published, edited (test cases replaced as a
 * whole set), published and unpublished, soft-deleted. Title uniqueness is not decided here but by the title
 * reservation the command handler claims before the problem stream is written.
 *
 * `revision` is the 0-based revision of the stream (every event of the stream comes from this decider), so the
 * ETag clients hold can be checked here, against the state the events will actually be appended to.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import {
  CONTENT_FIELDS,
  assertValidContent,
  normalizeTags,
  sameValue,
  type ContentField,
  type Difficulty,
  type ProblemContent,
} from './content.js';

export type ProblemCreated = DomainEvent<
  'ProblemCreated',
  ProblemContent & { problemId: string; slug: string | null; isPublished: boolean }
>;
export type ProblemUpdated = DomainEvent<
  'ProblemUpdated',
  {
    problemId: string;
    /** Title before the update (audit `admin.problem.update` names the problem by it). */
    previousTitle: string;
    changedFields: ContentField[];
    /** New values of exactly the changed fields; `testCases` when present is the whole new set. */
    changes: Partial<ProblemContent>;
  }
>;
export type ProblemPublished = DomainEvent<
  'ProblemPublished',
  { problemId: string; title: string; previousIsPublished: boolean; isPublished: true }
>;
export type ProblemUnpublished = DomainEvent<
  'ProblemUnpublished',
  { problemId: string; title: string; previousIsPublished: boolean; isPublished: false }
>;
export type ProblemDeleted = DomainEvent<
  'ProblemDeleted',
  { problemId: string; title: string; difficulty: Difficulty; wasPublished: boolean }
>;

export type ProblemEvent = ProblemCreated | ProblemUpdated | ProblemPublished | ProblemUnpublished | ProblemDeleted;

export const PROBLEM_EVENT_TYPES = [
  'ProblemCreated',
  'ProblemUpdated',
  'ProblemPublished',
  'ProblemUnpublished',
  'ProblemDeleted',
] as const satisfies readonly ProblemEvent['type'][];

export type ProblemCommand =
  | { type: 'CreateProblem'; problemId: string; slug: string | null; content: ProblemContent; isPublished: boolean }
  | { type: 'UpdateProblem'; problemId: string; changes: Partial<ProblemContent>; ifMatch?: string | undefined }
  | { type: 'SetPublished'; problemId: string; isPublished: boolean; ifMatch?: string | undefined }
  /** `inUse`: a live room or an ongoing session references the problem (read by the handler). */
  | { type: 'DeleteProblem'; problemId: string; inUse: boolean };

export interface ProblemState {
  exists: boolean;
  deleted: boolean;
  /** 0-based revision of the last event folded; -1 before the first. */
  revision: number;
  slug: string | null;
  isPublished: boolean;
  content: ProblemContent | null;
}

export const problemStream = (problemId: string) => `problem-${problemId}`;

/** The weak entity tag of a problem at a stream revision. */
export const problemEtag = (revision: number | bigint | string) => `W/"${revision}"`;

/**
 * Does an If-Match header value designate this revision? A list of tags is accepted, `*` matches any existing
 * problem, and the `W/` prefix is ignored so a client can send back exactly the tag it received.
 */
export function etagMatches(header: string, revision: number): boolean {
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    if (tag === '*') return true;
    const opaque = tag.startsWith('W/') ? tag.slice(2) : tag;
    return opaque === `"${revision}"`;
  });
}

export const problemNotFound = () => new DomainError('PROBLEM_NOT_FOUND', 'Problem not found');
export const duplicateTitle = () => new DomainError('PROBLEM_DUPLICATE_TITLE', 'A problem with this title already exists');

function live(state: ProblemState): ProblemContent {
  if (!state.exists || state.deleted || !state.content) throw problemNotFound();
  return state.content;
}

function checkPrecondition(state: ProblemState, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && !etagMatches(ifMatch, state.revision)) {
    throw new DomainError('PRECONDITION_FAILED', 'The problem was modified since it was read (If-Match does not match)', {
      etag: problemEtag(state.revision),
    });
  }
}

export const problemDecider: Decider<ProblemCommand, ProblemState, ProblemEvent> = {
  initialState: () => ({ exists: false, deleted: false, revision: -1, slug: null, isPublished: false, content: null }),

  evolve(state, event) {
    const revision = state.revision + 1;
    switch (event.type) {
      case 'ProblemCreated': {
        const { problemId: _id, slug, isPublished, ...content } = event.data;
        return { exists: true, deleted: false, revision, slug, isPublished, content };
      }
      case 'ProblemUpdated':
        return { ...state, revision, content: state.content ? { ...state.content, ...event.data.changes } : state.content };
      case 'ProblemPublished':
        return { ...state, revision, isPublished: true };
      case 'ProblemUnpublished':
        return { ...state, revision, isPublished: false };
      case 'ProblemDeleted':
        return { ...state, revision, deleted: true };
      default:
        return { ...state, revision };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'CreateProblem': {
        if (state.exists) throw new DomainError('PROBLEM_ALREADY_EXISTS', 'A problem with this id already exists');
        const content = { ...command.content, tags: normalizeTags(command.content.tags) };
        assertValidContent(content);
        return [{ type: 'ProblemCreated', data: { problemId: command.problemId, slug: command.slug, isPublished: command.isPublished, ...content } }];
      }
      case 'UpdateProblem': {
        const current = live(state);
        checkPrecondition(state, command.ifMatch);
        const requested: Partial<ProblemContent> = { ...command.changes };
        if (requested.tags) requested.tags = normalizeTags(requested.tags);
        assertValidContent(requested);
        const changedFields = CONTENT_FIELDS.filter((f) => requested[f] !== undefined && !sameValue(requested[f], current[f]));
        if (changedFields.length === 0) return [];
        const changes = Object.fromEntries(changedFields.map((f) => [f, requested[f]])) as Partial<ProblemContent>;
        return [{ type: 'ProblemUpdated', data: { problemId: command.problemId, previousTitle: current.title, changedFields, changes } }];
      }
      case 'SetPublished': {
        const current = live(state);
        checkPrecondition(state, command.ifMatch);
        if (state.isPublished === command.isPublished) return [];
        const base = { problemId: command.problemId, title: current.title, previousIsPublished: state.isPublished };
        return [
          command.isPublished
            ? { type: 'ProblemPublished', data: { ...base, isPublished: true } }
            : { type: 'ProblemUnpublished', data: { ...base, isPublished: false } },
        ];
      }
      case 'DeleteProblem': {
        const current = live(state);
        if (command.inUse) throw new DomainError('PROBLEM_IN_USE', 'The problem is used by a live room or an ongoing session');
        return [
          {
            type: 'ProblemDeleted',
            data: { problemId: command.problemId, title: current.title, difficulty: current.difficulty, wasPublished: state.isPublished },
          },
        ];
      }
    }
  },
};
