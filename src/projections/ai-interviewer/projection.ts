/**
 * `ai_messages` and `ai_interview_jobs` from the AI stream. The candidate's words become a `user` message when the
 * turn is asked for; the interviewer's answer becomes one `assistant` message (its text, else its follow-up
 * question) unless it chose silence. Rows are keyed by event ids, so redelivery inserts nothing twice.
 */
import { sql } from 'kysely';
import type { AiEvent } from '../../domain/ai/events.js';
import { occurredAt, type Projection } from '../projection.js';

export const aiInterviewerProjection: Projection = {
  name: 'ai-interviewer',
  version: 1,
  eventTypes: ['InterviewerMessageSent', 'InterviewerReplied', 'AiRequestFailed'],
  tables: ['ai_messages', 'ai_interview_jobs'],
  async apply(trx, recorded) {
    const event = { type: recorded.type, data: recorded.data } as unknown as AiEvent;
    const at = occurredAt(recorded);
    const seq = recorded.position.commit.toString();
    switch (event.type) {
      case 'InterviewerMessageSent': {
        const d = event.data;
        await sql`
          INSERT INTO ai_interview_jobs (job_id, room_id, session_id, user_id, trigger, status, requested_at)
          VALUES (${d.jobId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, ${d.trigger}, 'pending', ${d.sentAt})
          ON CONFLICT (job_id) DO NOTHING`.execute(trx);
        if (d.content.trim()) {
          await sql`
            INSERT INTO ai_messages (id, room_id, session_id, user_id, role, content, job_id, created_at, seq)
            VALUES (${d.messageId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, 'user', ${d.content}, ${d.jobId}, ${d.sentAt}, ${seq})
            ON CONFLICT (id) DO NOTHING`.execute(trx);
        }
        return;
      }
      case 'InterviewerReplied': {
        const d = event.data;
        await sql`
          UPDATE ai_interview_jobs SET status = 'ready', should_respond = ${d.shouldRespond}, message = ${d.content || null},
                 follow_up_question = ${d.followUpQuestion}, code_annotations = ${JSON.stringify(d.codeAnnotations)}::jsonb,
                 code_context = ${d.codeContext === null ? null : JSON.stringify(d.codeContext)}::jsonb, model = ${d.model},
                 completed_at = ${d.repliedAt}
          WHERE job_id = ${d.jobId} AND status = 'pending'`.execute(trx);
        const text = d.content || d.followUpQuestion || '';
        if (d.shouldRespond && text) {
          await sql`
            INSERT INTO ai_messages (id, room_id, session_id, user_id, role, content, job_id, model, created_at, seq)
            VALUES (${d.messageId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, 'assistant', ${text}, ${d.jobId}, ${d.model}, ${d.repliedAt}, ${seq})
            ON CONFLICT (id) DO NOTHING`.execute(trx);
        }
        return;
      }
      case 'AiRequestFailed':
        if (event.data.kind !== 'interviewer') return;
        await sql`UPDATE ai_interview_jobs SET status = 'failed', error = ${event.data.reason}, completed_at = ${at}
                  WHERE job_id = ${event.data.requestId} AND status = 'pending'`.execute(trx);
        return;
      default:
        return;
    }
  },
};
