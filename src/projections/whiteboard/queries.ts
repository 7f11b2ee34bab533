/** Reads of the whiteboard-exports read model. */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';

export interface WhiteboardExportRow {
  sessionId: string;
  roomId: string;
  svgKey: string;
  jsonKey: string;
  shapeCount: number;
  trigger: string;
  capturedAt: Date;
}

export async function findWhiteboardExport(db: Db, sessionId: string): Promise<WhiteboardExportRow | undefined> {
  const { rows } = await sql<WhiteboardExportRow>`
    SELECT session_id AS "sessionId", room_id AS "roomId", svg_key AS "svgKey", json_key AS "jsonKey", shape_count AS "shapeCount",
      trigger, captured_at AS "capturedAt"
    FROM session_whiteboard_exports WHERE session_id = ${sessionId}`.execute(db);
  return rows[0];
}
