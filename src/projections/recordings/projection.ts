/**
 * The `recordings` projection: `recording_consents` (one row per room and user, the latest answer) and
 * `session_recordings` (one row per recording, `recording` until stopped). Guarded by the stream revision, so a
 * replayed event changes nothing.
 */
import { sql } from 'kysely';
import type { RecordingEvent } from '../../domain/recording/index.js';
import type { Projection } from '../projection.js';
import { occurredAt } from '../projection.js';

type Data<T extends RecordingEvent['type']> = Extract<RecordingEvent, { type: T }>['data'];

export const recordingsProjection: Projection = {
  name: 'recordings',
  version: 1,
  eventTypes: ['RecordingConsentRecorded', 'RecordingStarted', 'RecordingStopped'],
  tables: ['recording_consents', 'session_recordings'],
  async apply(trx, event) {
    const revision = event.revision.toString();
    switch (event.type) {
      case 'RecordingConsentRecorded': {
        const d = event.data as Data<'RecordingConsentRecorded'>;
        await sql`
          INSERT INTO recording_consents (room_id, user_id, consent, updated_at, last_revision)
          VALUES (${d.roomId}, ${d.userId}, ${d.consent}, ${occurredAt(event)}, ${revision})
          ON CONFLICT (room_id, user_id) DO UPDATE
            SET consent = EXCLUDED.consent, updated_at = EXCLUDED.updated_at, last_revision = EXCLUDED.last_revision
            WHERE recording_consents.last_revision < EXCLUDED.last_revision`.execute(trx);
        return;
      }
      case 'RecordingStarted': {
        const d = event.data as Data<'RecordingStarted'>;
        await sql`
          INSERT INTO session_recordings (id, room_id, session_id, egress_id, storage_key, format, status, started_at, last_revision)
          VALUES (${d.recordingId}, ${d.roomId}, ${d.sessionId}, ${d.egressId}, ${d.storageKey}, ${d.format}, 'recording', ${d.startedAt}, ${revision})
          ON CONFLICT (id) DO NOTHING`.execute(trx);
        return;
      }
      case 'RecordingStopped': {
        const d = event.data as Data<'RecordingStopped'>;
        await sql`
          UPDATE session_recordings
          SET status = 'stopped', stopped_at = ${d.stoppedAt}, duration_ms = ${d.durationMs}, last_revision = ${revision}
          WHERE id = ${d.recordingId} AND last_revision < ${revision}`.execute(trx);
        return;
      }
    }
  },
};
