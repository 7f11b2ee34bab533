/** Bookmark command handlers: whether a problem can be bookmarked is read from the problem's own stream. */
import { handleCommand, readAggregate, type CommandResult } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { bookmarkDecider, bookmarksStream, type BookmarkEvent, type BookmarkState } from '../../domain/bookmarks/bookmarks.js';
import { problemDecider, problemStream } from '../../domain/problem/problem.js';

export type BookmarkResult = CommandResult<BookmarkState, BookmarkEvent>;

export async function bookmarkProblem(store: EventStore, metadata: RequestMetadata, userId: string, problemId: string): Promise<BookmarkResult> {
  const problem = await readAggregate(store, problemStream(problemId), problemDecider);
  const problemAvailable = problem.state.exists && !problem.state.deleted && problem.state.isPublished;
  return handleCommand(store, bookmarksStream(userId), bookmarkDecider, { type: 'Bookmark', userId, problemId, problemAvailable }, metadata);
}

export async function unbookmarkProblem(store: EventStore, metadata: RequestMetadata, userId: string, problemId: string): Promise<BookmarkResult> {
  return handleCommand(store, bookmarksStream(userId), bookmarkDecider, { type: 'Unbookmark', userId, problemId }, metadata);
}
