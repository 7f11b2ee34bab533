/**
 * problems + problem_test_cases from the problem stream. Every write is guarded by the stream revision (a row
 * only moves forward), and a test-case set is replaced only by the write that moved its problem row, so replays
 * and redeliveries leave the tables as they are.
 */
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { DIFFICULTIES, type Difficulty, type ProblemContent, type ProblemTestCase, hiddenCount } from '../../domain/problem/content.js';
import { PROBLEM_EVENT_TYPES, type ProblemEvent } from '../../domain/problem/problem.js';
import { occurredAt, type Projection, type Trx } from '../projection.js';

const rank = (d: Difficulty) => DIFFICULTIES.indexOf(d) + 1;

/** Columns of `problems` for a set of content fields (only the ones present). */
function contentColumns(content: Partial<ProblemContent>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  if (content.title !== undefined) row.title = content.title;
  if (content.description !== undefined) row.description = content.description;
  if (content.difficulty !== undefined) {
    row.difficulty = content.difficulty;
    row.difficulty_rank = rank(content.difficulty);
  }
  if (content.company !== undefined) row.company = content.company;
  if (content.constraints !== undefined) row.constraints = content.constraints;
  if (content.examples !== undefined) row.examples = JSON.stringify(content.examples);
  if (content.starterCode !== undefined) row.starter_code = content.starterCode === null ? null : JSON.stringify(content.starterCode);
  if (content.timeLimitMs !== undefined) row.time_limit_ms = content.timeLimitMs;
  if (content.memoryLimitMb !== undefined) row.memory_limit_mb = content.memoryLimitMb;
  if (content.tags !== undefined) row.tags = content.tags;
  if (content.hints !== undefined) row.hints = content.hints === null ? null : JSON.stringify(content.hints);
  if (content.testCases !== undefined) {
    row.test_case_count = content.testCases.length;
    row.hidden_test_case_count = hiddenCount(content.testCases);
  }
  return row;
}

async function replaceTestCases(trx: Trx, problemId: string, testCases: readonly ProblemTestCase[]): Promise<void> {
  await trx.deleteFrom('problem_test_cases').where('problem_id', '=', problemId).execute();
  if (testCases.length === 0) return;
  await trx
    .insertInto('problem_test_cases')
    .values(
      testCases.map((tc, idx) => ({
        problem_id: problemId,
        idx,
        input: tc.input,
        expected_output: tc.expectedOutput,
        description: tc.description ?? null,
        is_hidden: tc.isHidden,
        timeout_ms: tc.timeoutMs ?? null,
        memory_mb: tc.memoryMb ?? null,
      })),
    )
    .execute();
}

/** Moves the problem row to this event's revision; false when the row is already there or beyond (redelivery). */
async function advance(trx: Trx, event: RecordedEvent, problemId: string, columns: Record<string, unknown>): Promise<boolean> {
  const moved = await trx
    .updateTable('problems')
    .set({ ...columns, updated_at: occurredAt(event), revision: event.revision.toString() })
    .where('id', '=', problemId)
    .where('revision', '<', event.revision.toString())
    .returning('id')
    .executeTakeFirst();
  return moved !== undefined;
}

export const problemsProjection: Projection = {
  name: 'problems',
  version: 1,
  eventTypes: PROBLEM_EVENT_TYPES,
  tables: ['problems', 'problem_test_cases'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as ProblemEvent;
    const at = occurredAt(recorded);
    switch (event.type) {
      case 'ProblemCreated': {
        const { problemId, slug, isPublished, testCases, ...content } = event.data;
        const inserted = await trx
          .insertInto('problems')
          .values({
            id: problemId,
            slug,
            is_published: isPublished,
            ...contentColumns({ ...content, testCases }),
            deleted_at: null,
            created_at: at,
            updated_at: at,
            revision: recorded.revision.toString(),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) await replaceTestCases(trx, problemId, testCases);
        return;
      }
      case 'ProblemUpdated': {
        const { problemId, changes } = event.data;
        if (await advance(trx, recorded, problemId, contentColumns(changes))) {
          if (changes.testCases) await replaceTestCases(trx, problemId, changes.testCases);
        }
        return;
      }
      case 'ProblemPublished':
      case 'ProblemUnpublished':
        await advance(trx, recorded, event.data.problemId, { is_published: event.data.isPublished });
        return;
      case 'ProblemDeleted':
        await advance(trx, recorded, event.data.problemId, { deleted_at: at });
        return;
    }
  },
};
