/**
 * The `session-timeline` read model: what happened in a room and its session, in global order, told in the timeline's
 * §9.3 vocabulary by `timelineEntries` (src/domain/session/timeline.ts). Rows are keyed by the source event id, so
 * redelivery inserts nothing twice; a destroyed room takes its timeline with it.
 */
import { sql } from 'kysely';
import { TIMELINE_EVENT_TYPES, timelineEntries } from '../../domain/session/timeline.js';
import { actorOf, occurredAt, streamId, type Projection } from '../projection.js';

export const timelineProjection: Projection = {
  name: 'session-timeline',
  version: 2,
  eventTypes: TIMELINE_EVENT_TYPES,
  tables: ['session_timeline'],
  async apply(trx, event) {
    if (event.type === 'RoomDestroyed' && event.streamName.startsWith('room-')) {
      await sql`DELETE FROM session_timeline WHERE room_id = ${streamId(event)}`.execute(trx);
      return;
    }
    const items = timelineEntries({
      id: event.id,
      type: event.type,
      streamName: event.streamName,
      data: event.data,
      occurredAt: occurredAt(event).toISOString(),
      actorId: actorOf(event),
    });
    if (!items || !/^[0-9a-f-]{36}$/i.test(items.roomId)) return;
    let seq = 0;
    for (const e of items.entries) {
      // Timestamps never run backwards along the timeline: an event committed after another one but stamped a few
      // milliseconds earlier (two commands whose clocks were read in the other order) is shown at the later time.
      await sql`
        INSERT INTO session_timeline (id, room_id, position, seq, event_type, user_id, metadata, occurred_at)
        SELECT ${e.id}, ${items.roomId}, ${event.position.commit.toString()}, ${seq++}, ${e.eventType}, ${e.userId},
               ${e.metadata === null ? null : JSON.stringify(e.metadata)}::jsonb,
               GREATEST(${e.timestamp}::timestamptz, COALESCE((
                 SELECT occurred_at FROM session_timeline
                 WHERE room_id = ${items.roomId} AND position <= ${event.position.commit.toString()}
                 ORDER BY position DESC, seq DESC LIMIT 1), ${e.timestamp}::timestamptz))
        ON CONFLICT (id) DO NOTHING`.execute(trx);
    }
  },
};
