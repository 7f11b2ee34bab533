/**
 * bookmarks from `bookmarks-<userId>`. A row exists while the problem is bookmarked; its time is the bookmark's,
 * so bookmarking again after a removal moves the problem to the top. Upserts and deletes are idempotent.
 */
import { sql } from 'kysely';
import { BOOKMARK_EVENT_TYPES } from '../../domain/bookmarks/bookmarks.js';
import { occurredAt, type Projection } from '../projection.js';

export const bookmarksProjection: Projection = {
  name: 'bookmarks',
  version: 1,
  eventTypes: BOOKMARK_EVENT_TYPES,
  tables: ['bookmarks'],
  async apply(trx, event) {
    const { userId, problemId } = event.data as { userId: string; problemId: string };
    if (event.type === 'ProblemBookmarked') {
      await sql`
        INSERT INTO bookmarks (user_id, problem_id, created_at) VALUES (${userId}, ${problemId}, ${occurredAt(event)})
        ON CONFLICT (user_id, problem_id) DO UPDATE SET created_at = EXCLUDED.created_at`.execute(trx);
    } else if (event.type === 'ProblemUnbookmarked') {
      await sql`DELETE FROM bookmarks WHERE user_id = ${userId} AND problem_id = ${problemId}`.execute(trx);
    }
  },
};
