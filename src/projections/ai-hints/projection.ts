/**
 * `ai_hints` from the AI stream: a pending row when a hint is requested, its text when given, its reason when it
 * failed. Inserts are keyed by the request id and updates only move a pending row, so redelivery changes nothing.
 */
import { sql } from 'kysely';
import type { AiEvent } from '../../domain/ai/events.js';
import { occurredAt, type Projection } from '../projection.js';

export const aiHintsProjection: Projection = {
  name: 'ai-hints',
  version: 1,
  eventTypes: ['HintRequested', 'HintGiven', 'AiRequestFailed'],
  tables: ['ai_hints'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
    const at = occurredAt(recorded);
    switch (event.type) {
      case 'HintRequested': {
        const d = event.data;
        await sql`
          INSERT INTO ai_hints (id, room_id, session_id, user_id, problem_id, phase, follow_up_of, requested_level, hint_level,
                                iteration, reflection, status, requested_at)
          VALUES (${d.requestId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, ${d.problemId}, ${d.phase}, ${d.followUpOf},
                  ${d.requestedLevel}, ${d.level}, ${d.iteration}, ${d.reflection}, 'pending', ${d.requestedAt})
          ON CONFLICT (id) DO NOTHING`.execute(trx);
        return;
      }
      case 'HintGiven': {
        const d = event.data;
        await sql`
          UPDATE ai_hints SET status = 'ready', hint = ${d.hint}, suggested_approach = ${d.suggestedApproach},
                 reflection_prompt = ${d.reflectionPrompt}, model = ${d.model}, completed_at = ${d.givenAt}
          WHERE id = ${d.requestId} AND status = 'pending'`.execute(trx);
        return;
      }
      case 'AiRequestFailed':
        if (event.data.kind !== 'hint') return;
        await sql`UPDATE ai_hints SET status = 'failed', error = ${event.data.reason}, completed_at = ${at}
                  WHERE id = ${event.data.requestId} AND status = 'pending'`.execute(trx);
        return;
      default:
        return;
    }
  },
};
