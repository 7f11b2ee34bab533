/**
 * Reads of the recordings read model. Contract for other modules: `listSessionRecordings(db, sessionId)` (session
 * detail `hasRecording`, GET /sessions/:id/recording) and `consentsOf(db, roomId)`.
 */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';


export interface SessionRecordingRow {
  recordingId: string;
  roomId: string;
  sessionId: string | null;
  storageKey: string;
  format: string;
  /** `recording` while it runs, `stopped` afterwards */
  status: 'recording' | 'stopped';
  durationMs: number | null;
  sizeBytes: number | null;
  startedAt: Date;
  stoppedAt: Date | null;
}

const COLUMNS = sql`
  id AS "recordingId", room_id AS "roomId", session_id AS "sessionId", storage_key AS "storageKey", format, status,
  duration_ms::float8 AS "durationMs", size_bytes::float8 AS "sizeBytes", started_at AS "startedAt", stopped_at AS "stoppedAt"`;

/** Every recording of a session, oldest first. */
export async function listSessionRecordings(db: Db, sessionId: string): Promise<SessionRecordingRow[]> {
  if (!UUID.test(sessionId)) return [];
  const { rows } = await sql<SessionRecordingRow>`
    SELECT ${COLUMNS} FROM session_recordings WHERE session_id = ${sessionId} ORDER BY started_at, id`.execute(db);
  return rows;
}

/** Every recording of a room, oldest first. */
export async function listRoomRecordings(db: Db, roomId: string): Promise<SessionRecordingRow[]> {
  if (!UUID.test(roomId)) return [];
  const { rows } = await sql<SessionRecordingRow>`
    SELECT ${COLUMNS} FROM session_recordings WHERE room_id = ${roomId} ORDER BY started_at, id`.execute(db);
  return rows;
}

/** The latest consent answer of each user who gave one in the room. */
export async function consentsOf(db: Db, roomId: string): Promise<Array<{ userId: string; consent: boolean; updatedAt: Date }>> {
  if (!UUID.test(roomId)) return [];
  const { rows } = await sql<{ userId: string; consent: boolean; updatedAt: Date }>`
    SELECT user_id AS "userId", consent, updated_at AS "updatedAt" FROM recording_consents WHERE room_id = ${roomId} ORDER BY user_id`.execute(db);
  return rows;
}
