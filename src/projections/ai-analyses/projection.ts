/** `ai_code_analyses` from the AI stream: pending on request, ready with its result, or failed with the reason. */
import { sql } from 'kysely';
import type { AiEvent } from '../../domain/ai/events.js';
import { failCodeJob, insertPendingCodeJob } from '../ai-code-jobs.js';
import type { Projection } from '../projection.js';

export const aiAnalysesProjection: Projection = {
  name: 'ai-analyses',
  version: 1,
  eventTypes: ['CodeAnalysisRequested', 'CodeAnalysisCompleted', 'AiRequestFailed'],
  tables: ['ai_code_analyses'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
    switch (event.type) {
      case 'CodeAnalysisRequested':
        return insertPendingCodeJob(trx, 'ai_code_analyses', event.data);
      case 'CodeAnalysisCompleted':
        await sql`
          UPDATE ai_code_analyses SET status = 'ready', result = ${JSON.stringify(event.data.result)}::jsonb, model = ${event.data.model},
                 completed_at = ${event.data.completedAt}
          WHERE job_id = ${event.data.jobId} AND status = 'pending'`.execute(trx);
        return;
      case 'AiRequestFailed':
        return failCodeJob(trx, 'ai_code_analyses', 'analysis', recorded);
      default:
        return;
    }
  },
};
