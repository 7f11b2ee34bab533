/**
 * A user's bookmarks (`bookmarks-<userId>`): the set of problems they saved. Adding a saved problem or removing an
 * absent one decides nothing, so both operations are idempotent. Whether the problem may be bookmarked (exists,
 * not deleted, published) is a fact of the problem aggregate; the handler reads it and passes it in.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';

export type ProblemBookmarked = DomainEvent<'ProblemBookmarked', { userId: string; problemId: string }>;
export type ProblemUnbookmarked = DomainEvent<'ProblemUnbookmarked', { userId: string; problemId: string }>;
export type BookmarkEvent = ProblemBookmarked | ProblemUnbookmarked;

export const BOOKMARK_EVENT_TYPES = ['ProblemBookmarked', 'ProblemUnbookmarked'] as const satisfies readonly BookmarkEvent['type'][];

export type BookmarkCommand =
  | { type: 'Bookmark'; userId: string; problemId: string; problemAvailable: boolean }
  | { type: 'Unbookmark'; userId: string; problemId: string };

export interface BookmarkState {
  problems: ReadonlySet<string>;
}

export const bookmarksStream = (userId: string) => `bookmarks-${userId}`;

export const bookmarkDecider: Decider<BookmarkCommand, BookmarkState, BookmarkEvent> = {
  initialState: () => ({ problems: new Set() }),
  evolve(state, event) {
    const next = new Set(state.problems);
    if (event.type === 'ProblemBookmarked') next.add(event.data.problemId);
    else if (event.type === 'ProblemUnbookmarked') next.delete(event.data.problemId);
    return { problems: next };
  },
  decide(command, state) {
    switch (command.type) {
      case 'Bookmark':
        if (!command.problemAvailable) throw new DomainError('PROBLEM_NOT_FOUND', 'Problem not found');
        if (state.problems.has(command.problemId)) return [];
        return [{ type: 'ProblemBookmarked', data: { userId: command.userId, problemId: command.problemId } }];
      case 'Unbookmark':
        if (!state.problems.has(command.problemId)) return [];
        return [{ type: 'ProblemUnbookmarked', data: { userId: command.userId, problemId: command.problemId } }];
    }
  },
};
