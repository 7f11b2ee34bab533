/**
 * The `runs` read model from `run-<id>` streams. Every update is guarded by the stream revision, so redelivered
 * events change nothing; a destroyed room takes its runs with it.
 */
import { sql } from 'kysely';
import type { RunCompleted, RunRequested } from '../../domain/run/run.js';
import { occurredAt, streamId, type Projection } from '../projection.js';

export const runsProjection: Projection = {
  name: 'runs',
  version: 1,
  eventTypes: ['RunRequested', 'RunStarted', 'RunCompleted', 'RunOutputExpired', 'RoomDestroyed'],
  tables: ['runs'],
  async apply(trx, event) {
    if (event.type === 'RoomDestroyed') {
      if (event.streamName.startsWith('room-')) await sql`DELETE FROM runs WHERE room_id = ${streamId(event)}`.execute(trx);
      return;
    }
    if (!event.streamName.startsWith('run-')) return;
    const id = streamId(event);
    const revision = event.revision.toString();
    const at = occurredAt(event);
    const guard = sql`id = ${id} AND last_revision < ${revision}`;

    switch (event.type) {
      case 'RunRequested': {
        const d = event.data as RunRequested['data'];
        await sql`
          INSERT INTO runs (id, room_id, session_id, user_id, language, code, code_hash, stdin, timeout_ms, memory_mb, status,
                            attempts, static_analysis_job_id, created_at, last_revision)
          VALUES (${id}, ${d.roomId}, ${d.sessionId}, ${d.userId}, ${d.language}, ${d.code}, ${d.codeHash}, ${d.stdin},
                  ${d.timeoutMs}, ${d.memoryMb}, 'pending', 0, ${d.staticAnalysisJobId}, ${at}, ${revision})
          ON CONFLICT (id) DO NOTHING`.execute(trx);
        return;
      }
      case 'RunStarted': {
        const attempt = Number((event.data as { attempt: number }).attempt);
        await sql`
          UPDATE runs SET status = 'running', attempts = GREATEST(attempts, ${attempt}), started_at = COALESCE(started_at, ${at}),
                          last_revision = ${revision}
          WHERE ${guard}`.execute(trx);
        return;
      }
      case 'RunCompleted': {
        const d = event.data as unknown as RunCompleted['data'];
        await sql`
          UPDATE runs SET
            status = ${d.verdict === 'IE' ? 'failed' : 'completed'}, result_status = ${d.status}, verdict = ${d.verdict},
            stdout = ${d.stdout}, stderr = ${d.stderr}, exit_code = ${d.exitCode}, signal = ${d.signal},
            duration_ms = ${Math.round(d.durationMs)}, cpu_time_ms = ${Math.round(d.cpuTimeMs)}, memory_usage_mb = ${d.memoryUsageMb},
            timed_out = ${d.timedOut}, output_truncated = ${d.outputTruncated}, compile_duration_ms = ${Math.round(d.compileDurationMs)},
            error = ${d.error}, completed_at = ${at}, last_revision = ${revision}
          WHERE ${guard}`.execute(trx);
        return;
      }
      case 'RunOutputExpired':
        await sql`
          UPDATE runs SET stdout = NULL, stderr = NULL, output_expired_at = ${at}, last_revision = ${revision}
          WHERE ${guard}`.execute(trx);
        return;
      default:
        return;
    }
  },
};
