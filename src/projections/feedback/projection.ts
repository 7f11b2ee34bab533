/**
 * The `peer-feedback` read model: one row per reviewer → target pair of a session, `submitted` (with the ratings
 * and text) or `skipped`. The row id is the id of the event that resolved the pair; a submission replaces a skip,
 * a skip never replaces a submission (the decider already refuses it; the guard keeps a replay honest too).
 */
import { sql } from 'kysely';
import { FEEDBACK_EVENT_TYPES, type FeedbackEvent } from '../../domain/feedback/feedback.js';
import { occurredAt, type Projection } from '../projection.js';

export const peerFeedbackProjection: Projection = {
  name: 'peer-feedback',
  version: 1,
  eventTypes: FEEDBACK_EVENT_TYPES,
  tables: ['peer_feedback'],
  async apply(trx, recorded) {
    if (!recorded.streamName.startsWith('feedback-')) return;
    const event = { type: recorded.type, data: recorded.data } as unknown as FeedbackEvent;
    const d = event.data;
    const position = recorded.position.commit.toString();
    const at = occurredAt(recorded);
    if (event.type === 'PeerFeedbackSubmitted') {
      const r = event.data.ratings;
      await sql`
        INSERT INTO peer_feedback (id, session_id, room_id, reviewer_id, target_id, status, problem_solving, communication,
          code_quality, would_pair_again, comments, created_at, last_position)
        VALUES (${recorded.id}, ${d.sessionId}, ${d.roomId}, ${d.reviewerId}, ${d.targetId}, 'submitted', ${r?.problemSolving ?? null},
          ${r?.communication ?? null}, ${r?.codeQuality ?? null}, ${r?.wouldPairAgain ?? null}, ${event.data.comments}, ${at}, ${position})
        ON CONFLICT (session_id, reviewer_id, target_id) DO UPDATE SET
          id = EXCLUDED.id, status = 'submitted', problem_solving = EXCLUDED.problem_solving, communication = EXCLUDED.communication,
          code_quality = EXCLUDED.code_quality, would_pair_again = EXCLUDED.would_pair_again, comments = EXCLUDED.comments,
          created_at = EXCLUDED.created_at, last_position = EXCLUDED.last_position
        WHERE peer_feedback.status = 'skipped' AND peer_feedback.last_position < EXCLUDED.last_position`.execute(trx);
      return;
    }
    await sql`
      INSERT INTO peer_feedback (id, session_id, room_id, reviewer_id, target_id, status, created_at, last_position)
      VALUES (${recorded.id}, ${d.sessionId}, ${d.roomId}, ${d.reviewerId}, ${d.targetId}, 'skipped', ${at}, ${position})
      ON CONFLICT (session_id, reviewer_id, target_id) DO NOTHING`.execute(trx);
  },
};
