/** `ai_code_analyses` from the AI stream: pending on request, ready with its result, or failed with the reason. */
import { sql } from 'kysely';
import type { AiEvent } from '../../domain/ai/events.js';
import { occurredAt, type Projection } from '../projection.js';

export const aiAnalysesProjection: Projection = {
  name: 'ai-analyses',
  version: 1,
  eventTypes: ['CodeAnalysisRequested', 'CodeAnalysisCompleted', 'AiRequestFailed'],
  tables: ['ai_code_analyses'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
    switch (event.type) {
      case 'CodeAnalysisRequested': {
        const d = event.data;
        await sql`
          INSERT INTO ai_code_analyses (job_id, room_id, session_id, user_id, language, code_hash, status, requested_at)
          VALUES (${d.jobId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, ${d.language}, ${d.codeHash}, 'pending', ${d.requestedAt})
          ON CONFLICT (job_id) DO NOTHING`.execute(trx);
        return;
      }
      case 'CodeAnalysisCompleted':
        await sql`
          UPDATE ai_code_analyses SET status = 'ready', result = ${JSON.stringify(event.data.result)}::jsonb, model = ${event.data.model},
                 completed_at = ${event.data.completedAt}
          WHERE job_id = ${event.data.jobId} AND status = 'pending'`.execute(trx);
        return;
      case 'AiRequestFailed':
        if (event.data.kind !== 'analysis') return;
        await sql`UPDATE ai_code_analyses SET status = 'failed', error = ${event.data.reason}, completed_at = ${occurredAt(recorded)}
                  WHERE job_id = ${event.data.requestId} AND status = 'pending'`.execute(trx);
        return;
      default:
        return;
    }
  },
};
