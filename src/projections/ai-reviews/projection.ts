/** `ai_reviews` from the AI stream: pending on request, ready with scores and feedback, or failed. */
import { sql } from 'kysely';
import type { AiEvent } from '../../domain/ai/events.js';
import { failCodeJob, insertPendingCodeJob } from '../ai-code-jobs.js';
import type { Projection } from '../projection.js';

export const aiReviewsProjection: Projection = {
  name: 'ai-reviews',
  version: 1,
  eventTypes: ['CodeReviewRequested', 'CodeReviewCompleted', 'AiRequestFailed'],
  tables: ['ai_reviews'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
    switch (event.type) {
      case 'CodeReviewRequested':
        return insertPendingCodeJob(trx, 'ai_reviews', event.data);
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
        return failCodeJob(trx, 'ai_reviews', 'review', recorded);
      default:
        return;
    }
  },
};
