/** Reads of the session timeline read model. */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';

export interface TimelineRow {
  id: string;
  eventType: string;
  userId: string | null;
  metadata: Record<string, unknown> | null;
  timestamp: Date;
}

/** Everything told about a room, in the order it happened; up to `at` when given. */
export async function listTimeline(db: Db, roomId: string, at?: Date): Promise<TimelineRow[]> {
  const { rows } = await sql<TimelineRow>`
    SELECT id, event_type AS "eventType", user_id AS "userId", metadata, occurred_at AS "timestamp"
    FROM session_timeline
    WHERE room_id = ${roomId} ${at ? sql`AND occurred_at <= ${at}` : sql``}
    ORDER BY position, seq`.execute(db);
  return rows;
}
