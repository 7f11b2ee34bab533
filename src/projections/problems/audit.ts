/**
 * Audit entries of the problem admin events, for the audit log's action table:
 *   admin.problem.create    {title, difficulty, isPublished, testCaseCount, hiddenTestCaseCount}
 *   admin.problem.update    {title (before the update), changedFields[], testCaseCount?, hiddenTestCaseCount?}
 *   admin.problem.publish   {title, previousIsPublished, isPublished}
 *   admin.problem.unpublish {title, previousIsPublished, isPublished}
 *   admin.problem.delete    {title, difficulty, wasPublished}
 * Field names in `changedFields` are the API's (`timeLimit`, `memoryLimit`).
 */
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import type { ContentField, ProblemTestCase } from '../../domain/problem/content.js';

export interface ProblemAuditEntry {
  action: string;
  targetType: 'problem';
  targetId: string;
  metadata: Record<string, unknown>;
}

const API_FIELD: Partial<Record<ContentField, string>> = { timeLimitMs: 'timeLimit', memoryLimitMb: 'memoryLimit' };

const counts = (testCases: readonly ProblemTestCase[]) => ({
  testCaseCount: testCases.length,
  hiddenTestCaseCount: testCases.filter((t) => t.isHidden).length,
});

type Data = Record<string, unknown>;
const entry = (action: string, e: RecordedEvent, metadata: Record<string, unknown>): ProblemAuditEntry => ({
  action,
  targetType: 'problem',
  targetId: String((e.data as Data)['problemId']),
  metadata,
});

const publication = (action: string) => (e: RecordedEvent) => {
  const d = e.data as Data;
  return entry(action, e, { title: d['title'], previousIsPublished: d['previousIsPublished'], isPublished: d['isPublished'] });
};

export const problemAuditActions: Record<string, (event: RecordedEvent) => ProblemAuditEntry> = {
  ProblemCreated: (e) => {
    const d = e.data as Data;
    return entry('admin.problem.create', e, {
      title: d['title'],
      difficulty: d['difficulty'],
      isPublished: d['isPublished'],
      ...counts((d['testCases'] as ProblemTestCase[] | undefined) ?? []),
    });
  },
  ProblemUpdated: (e) => {
    const d = e.data as { previousTitle: string; changedFields: ContentField[]; changes: { testCases?: ProblemTestCase[] } };
    return entry('admin.problem.update', e, {
      title: d.previousTitle,
      changedFields: d.changedFields.map((f) => API_FIELD[f] ?? f),
      ...(d.changes.testCases ? counts(d.changes.testCases) : {}),
    });
  },
  ProblemPublished: publication('admin.problem.publish'),
  ProblemUnpublished: publication('admin.problem.unpublish'),
  ProblemDeleted: (e) => {
    const d = e.data as Data;
    return entry('admin.problem.delete', e, { title: d['title'], difficulty: d['difficulty'], wasPublished: d['wasPublished'] });
  },
};
