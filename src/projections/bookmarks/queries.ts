/** The caller's bookmarked problems as summaries, newest bookmark first (keyset on bookmark time, problem id). */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { after, checkCursor, orderBy, type SortKey } from '../keyset.js';
import {
  summaryColumns,
  summaryJoins,
  toSummary,
  type Keyed,
  type ProblemSummary,
  type SummaryRow,
} from '../problems/queries.js';

type BookmarkRow = SummaryRow & { bookmarked_at: Date };

const keys: SortKey<BookmarkRow>[] = [
  { expr: sql`b.created_at`, dir: 'desc', kind: 'timestamp', of: (r) => (r as BookmarkRow).bookmarked_at.toISOString() },
  { expr: sql`b.problem_id`, dir: 'desc', kind: 'uuid', of: (r) => r.id },
];

export const BOOKMARK_CURSOR_ARITY = keys.length;

/**
 * One page (plus one extra row) of the user's bookmarks: deleted problems never, drafts only for admins;
 * `isBookmarked` is true on every item by construction (the bookmarks join matches the listed row).
 */
export async function listBookmarks(
  db: Db,
  q: { userId: string; isAdmin: boolean; cursor?: readonly unknown[]; limit: number },
): Promise<Keyed<ProblemSummary>[]> {
  const cursor = checkCursor(keys, q.cursor);
  const where: RawBuilder<unknown>[] = [sql`b.user_id = ${q.userId}`, sql`p.deleted_at IS NULL`];
  if (!q.isAdmin) where.push(sql`p.is_published`);
  if (cursor) where.push(after(keys, cursor));
  const { rows } = await sql<BookmarkRow>`
    SELECT ${summaryColumns}, b.created_at AS bookmarked_at
    FROM problems p ${summaryJoins(q.userId)}
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY ${orderBy(keys)}
    LIMIT ${q.limit + 1}`.execute(db);
  return rows.map((row) => ({ item: toSummary(row, false), cursor: keys.map((k) => k.of(row)) }));
}
