/** The `whiteboard-exports` read model: the newest whiteboard capture of each session. */
import { sql } from 'kysely';
import { WHITEBOARD_EVENT_TYPES, type WhiteboardExported } from '../../domain/whiteboard/export.js';
import type { Projection } from '../projection.js';

export const whiteboardExportsProjection: Projection = {
  name: 'whiteboard-exports',
  version: 1,
  eventTypes: WHITEBOARD_EVENT_TYPES,
  tables: ['session_whiteboard_exports'],
  async apply(trx, recorded) {
    if (!recorded.streamName.startsWith('whiteboard-')) return;
    const d = recorded.data as unknown as WhiteboardExported['data'];
    const position = recorded.position.commit.toString();
    await sql`
      INSERT INTO session_whiteboard_exports (session_id, room_id, svg_key, json_key, shape_count, trigger, captured_at, last_position)
      VALUES (${d.sessionId}, ${d.roomId}, ${d.svgKey}, ${d.jsonKey}, ${d.shapeCount}, ${d.trigger}, ${d.capturedAt}, ${position})
      ON CONFLICT (session_id) DO UPDATE SET room_id = EXCLUDED.room_id, svg_key = EXCLUDED.svg_key, json_key = EXCLUDED.json_key,
        shape_count = EXCLUDED.shape_count, trigger = EXCLUDED.trigger, captured_at = EXCLUDED.captured_at, last_position = EXCLUDED.last_position
      WHERE session_whiteboard_exports.last_position < EXCLUDED.last_position`.execute(trx);
  },
};
