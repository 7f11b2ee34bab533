/**
 * Problem command handlers: the one write path for the admin API and the seeder. Titles are unique among live
 * problems through the `problem-title` reservation: claimed before the problem stream is written, released when a
 * problem is deleted or renamed, so a deleted problem's title can be reused.
 */
import { sql } from 'kysely';
import { claimUnique, releaseUnique } from '../reservation.js';
import { handleCommand, readAggregate, type CommandResult } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import type { Db } from '../../infra/db/database.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { ProblemContent } from '../../domain/problem/content.js';
import {
  duplicateTitle,
  problemDecider,
  problemStream,
  type ProblemEvent,
  type ProblemState,
} from '../../domain/problem/problem.js';

export type ProblemResult = CommandResult<ProblemState, ProblemEvent>;

export const TITLE_RESERVATION = 'problem-title';

export interface CreateProblemInput {
  problemId: string;
  slug: string | null;
  content: ProblemContent;
  isPublished: boolean;
}

export async function createProblem(store: EventStore, metadata: RequestMetadata, input: CreateProblemInput): Promise<ProblemResult> {
  // Decide once against the empty state first: invalid content fails before any title is claimed.
  const command = { type: 'CreateProblem' as const, ...input };
  problemDecider.decide(command, problemDecider.initialState());
  await claimUnique(store, TITLE_RESERVATION, input.content.title, input.problemId, duplicateTitle(), metadata);
  try {
    return await handleCommand(store, problemStream(input.problemId), problemDecider, command, metadata);
  } catch (err) {
    await releaseStaleTitle(store, input.problemId, input.content.title, metadata);
    throw err;
  }
}

export interface UpdateProblemInput {
  problemId: string;
  changes: Partial<ProblemContent>;
  ifMatch?: string | undefined;
}

export async function updateProblem(store: EventStore, metadata: RequestMetadata, input: UpdateProblemInput): Promise<ProblemResult> {
  const command = { type: 'UpdateProblem' as const, ...input };
  const before = await readAggregate(store, problemStream(input.problemId), problemDecider);
  // 404, 412 and content errors answer before any reservation is touched.
  problemDecider.decide(command, before.state);
  const newTitle = input.changes.title;
  const claims = newTitle !== undefined && newTitle !== before.state.content?.title;
  if (claims) await claimUnique(store, TITLE_RESERVATION, newTitle, input.problemId, duplicateTitle(), metadata);
  let result: ProblemResult;
  try {
    result = await handleCommand(store, problemStream(input.problemId), problemDecider, command, metadata);
  } catch (err) {
    if (claims) await releaseStaleTitle(store, input.problemId, newTitle, metadata);
    throw err;
  }
  for (const event of result.events) {
    if (event.type === 'ProblemUpdated' && event.data.changedFields.includes('title')) {
      await releaseUnique(store, TITLE_RESERVATION, event.data.previousTitle, input.problemId, metadata);
    }
  }
  return result;
}

export async function setPublished(
  store: EventStore,
  metadata: RequestMetadata,
  input: { problemId: string; isPublished: boolean; ifMatch?: string | undefined },
): Promise<ProblemResult> {
  return handleCommand(store, problemStream(input.problemId), problemDecider, { type: 'SetPublished', ...input }, metadata);
}

export async function deleteProblem(store: EventStore, db: Db, metadata: RequestMetadata, problemId: string): Promise<ProblemResult> {
  const inUse = await problemInUse(db, problemId);
  const result = await handleCommand(store, problemStream(problemId), problemDecider, { type: 'DeleteProblem', problemId, inUse }, metadata);
  for (const event of result.events) {
    if (event.type === 'ProblemDeleted') await releaseUnique(store, TITLE_RESERVATION, event.data.title, problemId, metadata);
  }
  return result;
}

/**
 * A problem is in use while a room that is not finished, or a session that is ongoing, references it (the rooms and
 * sessions read models).
 */
export async function problemInUse(db: Db, problemId: string): Promise<boolean> {
  const { rows } = await sql<{ inUse: boolean }>`
    SELECT EXISTS (SELECT 1 FROM rooms WHERE problem_id = ${problemId} AND status::text <> 'finished')
        OR EXISTS (SELECT 1 FROM sessions WHERE problem_id = ${problemId} AND status::text = 'ongoing') AS "inUse"`.execute(db);
  return rows[0]?.inUse === true;
}

/** Give back a title claimed for a write that failed, unless the problem does carry that title by now. */
async function releaseStaleTitle(store: EventStore, problemId: string, title: string, metadata: RequestMetadata): Promise<void> {
  const now = await readAggregate(store, problemStream(problemId), problemDecider);
  const holds = now.state.exists && !now.state.deleted && now.state.content?.title === title;
  if (!holds) await releaseUnique(store, TITLE_RESERVATION, title, problemId, metadata);
}
