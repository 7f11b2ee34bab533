/**
 * The `weaknesses` read model: the weakness categories of each (user, session)'s newest report. A newer report of
 * the same session replaces that session's rows (a stream's events arrive in revision order, so the last one applied
 * is the newest).
 */
import { sql } from 'kysely';
import type { SessionReportGenerated } from '../../domain/report/decider.js';
import { streamId, type Projection } from '../projection.js';

export const weaknessesProjection: Projection = {
  name: 'weaknesses',
  version: 1,
  eventTypes: ['SessionReportGenerated', 'SessionDiscarded'],
  tables: ['weakness_links'],
  async apply(trx, event) {
    if (event.type === 'SessionDiscarded' && event.streamName.startsWith('session-')) {
      await sql`DELETE FROM weakness_links WHERE session_id = ${streamId(event)}`.execute(trx);
      return;
    }
    if (event.type !== 'SessionReportGenerated' || !event.streamName.startsWith('report-')) return;
    const d = event.data as unknown as SessionReportGenerated['data'];
    await sql`DELETE FROM weakness_links WHERE user_id = ${d.userId} AND session_id = ${d.sessionId}`.execute(trx);
    for (const w of d.weaknesses ?? []) {
      await sql`
        INSERT INTO weakness_links (user_id, session_id, category, description, trend, score, reported_at)
        VALUES (${d.userId}, ${d.sessionId}, ${w.category}, ${w.description}, ${w.trend}, ${w.score}, ${d.generatedAt})
        ON CONFLICT (user_id, session_id, category) DO UPDATE SET description = excluded.description, trend = excluded.trend,
          score = excluded.score, reported_at = excluded.reported_at`.execute(trx);
    }
  },
};
