/**
 * The `sessions` read model: sessions, their participants, per-user soft deletes and code snapshots, from the
 * `session-<id>` streams. `sessions.revision` makes redelivery idempotent; a discarded session leaves no rows.
 */
import { sql } from 'kysely';
import { SESSION_EVENT_TYPES, type SessionEvent } from '../../domain/session/events.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { streamId, type Projection, type Trx } from '../projection.js';

async function applySessionEvent(trx: Trx, sessionId: string, e: SessionEvent): Promise<void> {
  switch (e.type) {
    case 'SessionStarted':
      return; // inserted before the revision check
    case 'SessionParticipantAdded':
      await sql`
        INSERT INTO session_participants (session_id, user_id, role, joined_at, left_at)
        VALUES (${sessionId}, ${e.data.userId}, ${e.data.role}, ${e.data.joinedAt}, NULL)
        ON CONFLICT (session_id, user_id) DO NOTHING`.execute(trx);
      return;
    case 'SessionParticipantRoleChanged':
      await sql`UPDATE session_participants SET role = ${e.data.to} WHERE session_id = ${sessionId} AND user_id = ${e.data.userId}`.execute(trx);
      return;
    case 'SessionLanguageChanged':
      await sql`UPDATE sessions SET language = ${e.data.to} WHERE id = ${sessionId}`.execute(trx);
      return;
    case 'SessionProblemChanged':
      await sql`UPDATE sessions SET problem_id = ${e.data.to} WHERE id = ${sessionId}`.execute(trx);
      return;
    case 'CodeSnapshotTaken': {
      const d = e.data;
      await sql`
        INSERT INTO code_snapshots (id, session_id, room_id, code, code_hash, language, trigger, phase, lines_of_code, created_at)
        VALUES (${d.snapshotId}, ${sessionId}, ${d.roomId}, ${d.code}, ${d.codeHash}, ${d.language}, ${d.trigger}, ${d.phase}, ${d.linesOfCode}, ${d.takenAt})
        ON CONFLICT (id) DO NOTHING`.execute(trx);
      return;
    }
    case 'SessionEndSnapshotConfirmed':
      return;
    case 'SessionFinished': {
      const d = e.data;
      await sql`
        UPDATE sessions SET status = 'finished', finished_at = ${d.finishedAt}, duration_ms = ${d.durationMs},
          finished_by = ${d.finishedBy}, finish_reason = ${d.reason}, language = ${d.language}
        WHERE id = ${sessionId}`.execute(trx);
      await sql`UPDATE session_participants SET left_at = ${d.finishedAt} WHERE session_id = ${sessionId} AND left_at IS NULL`.execute(trx);
      return;
    }
    case 'SessionHiddenForUser':
      await sql`
        INSERT INTO session_deletions (session_id, user_id, deleted_at) VALUES (${sessionId}, ${e.data.userId}, ${e.data.hiddenAt})
        ON CONFLICT (session_id, user_id) DO NOTHING`.execute(trx);
      return;
    case 'SessionDiscarded':
      await sql`DELETE FROM code_snapshots WHERE session_id = ${sessionId}`.execute(trx);
      await sql`DELETE FROM session_deletions WHERE session_id = ${sessionId}`.execute(trx);
      await sql`DELETE FROM session_participants WHERE session_id = ${sessionId}`.execute(trx);
      await sql`DELETE FROM sessions WHERE id = ${sessionId}`.execute(trx);
      return;
  }
}

export const sessionsProjection: Projection = {
  name: 'sessions',
  version: 1,
  eventTypes: SESSION_EVENT_TYPES,
  tables: ['sessions', 'session_participants', 'session_deletions', 'code_snapshots'],
  async apply(trx, recorded: RecordedEvent) {
    if (!recorded.streamName.startsWith('session-')) return;
    const sessionId = streamId(recorded);
    const event = { type: recorded.type, data: recorded.data } as unknown as SessionEvent;
    const revision = recorded.revision.toString();
    if (event.type === 'SessionStarted') {
      const d = event.data;
      const inserted = await sql`
        INSERT INTO sessions (id, room_id, problem_id, mode, language, status, started_at, finished_at, duration_ms, finished_by, finish_reason, revision)
        VALUES (${sessionId}, ${d.roomId}, ${d.problemId}, ${d.mode}, ${d.language}, 'ongoing', ${d.startedAt}, NULL, NULL, NULL, NULL, ${revision})
        ON CONFLICT (id) DO NOTHING`.execute(trx);
      if (Number(inserted.numAffectedRows ?? 0) === 0) return;
      for (const p of d.participants) {
        await sql`
          INSERT INTO session_participants (session_id, user_id, role, joined_at, left_at)
          VALUES (${sessionId}, ${p.userId}, ${p.role}, ${p.joinedAt}, NULL)
          ON CONFLICT (session_id, user_id) DO NOTHING`.execute(trx);
      }
      return;
    }
    const { rows } = await sql<{ revision: string }>`SELECT revision FROM sessions WHERE id = ${sessionId} FOR UPDATE`.execute(trx);
    const current = rows[0];
    if (!current || BigInt(current.revision) >= recorded.revision) return;
    await applySessionEvent(trx, sessionId, event);
    if (event.type === 'SessionDiscarded') return;
    await sql`UPDATE sessions SET revision = ${revision} WHERE id = ${sessionId}`.execute(trx);
  },
};
