/** `ai_reviews` from the AI stream: pending on request, ready with scores and feedback, or failed. */
import { sql } from 'kysely';
import type { AiEvent } from '../../domain/ai/events.js';
import { occurredAt, type Projection } from '../projection.js';

export const aiReviewsProjection: Projection = {
  name: 'ai-reviews',
  version: 1,
  eventTypes: ['CodeReviewRequested', 'CodeReviewCompleted', 'AiRequestFailed'],
  tables: ['ai_reviews'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
    switch (event.type) {
      case 'CodeReviewRequested': {
        const d = event.data;
        await sql`
          INSERT INTO ai_reviews (job_id, room_id, session_id, user_id, language, code_hash, status, requested_at)
          VALUES (${d.jobId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, ${d.language}, ${d.codeHash}, 'pending', ${d.requestedAt})
          ON CONFLICT (job_id) DO NOTHING`.execute(trx);
        return;
      }
      case 'CodeReviewCompleted': {
        const d = event.data;
        const score = Math.max(0, Math.min(100, Math.round(d.overallScore)));
        await sql`
          UPDATE ai_reviews SET status = 'ready', overall_score = ${score}, categories = ${JSON.stringify(d.categories)}::jsonb,
                 summary = ${d.summary}, model = ${d.model}, completed_at = ${d.completedAt}
          WHERE job_id = ${d.jobId} AND status = 'pending'`.execute(trx);
        return;
      }
      case 'AiRequestFailed':
        if (event.data.kind !== 'review') return;
        await sql`UPDATE ai_reviews SET status = 'failed', error = ${event.data.reason}, completed_at = ${occurredAt(recorded)}
                  WHERE job_id = ${event.data.requestId} AND status = 'pending'`.execute(trx);
        return;
      default:
        return;
    }
  },
};
