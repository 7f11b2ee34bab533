/**
 * The `static-analysis` read model. Analyses live on the stream of the run or submission that asked for them: the
 * requested event creates the pending row (before the job can run), StaticAnalysisCompleted fills it,
 * StaticAnalysisDropped (the job could not be queued) removes it. Guarded by the stream revision.
 */
import { sql } from 'kysely';
import type { RunRequested } from '../../domain/run/run.js';
import type { StaticAnalysisCompleted } from '../../domain/run/static-analysis.js';
import type { SubmissionRequested } from '../../domain/submission/submission.js';
import { occurredAt, streamId, type Projection } from '../projection.js';

export const staticAnalysisProjection: Projection = {
  name: 'static-analysis',
  version: 1,
  eventTypes: ['RunRequested', 'SubmissionRequested', 'StaticAnalysisCompleted', 'StaticAnalysisDropped', 'RoomDestroyed'],
  tables: ['static_analysis_results'],
  async apply(trx, event) {
    if (event.type === 'RoomDestroyed') {
      if (event.streamName.startsWith('room-')) {
        await sql`DELETE FROM static_analysis_results WHERE room_id = ${streamId(event)}`.execute(trx);
      }
      return;
    }
    const isRun = event.streamName.startsWith('run-');
    if (!isRun && !event.streamName.startsWith('submission-')) return;
    const revision = event.revision.toString();
    const at = occurredAt(event);

    if (event.type === 'RunRequested' || event.type === 'SubmissionRequested') {
      const d = event.data as RunRequested['data'] | SubmissionRequested['data'];
      if (!d.staticAnalysisJobId) return;
      const id = streamId(event);
      await sql`
        INSERT INTO static_analysis_results (job_id, source, run_id, submission_id, user_id, room_id, session_id, language, status,
                                             created_at, last_revision)
        VALUES (${d.staticAnalysisJobId}, ${isRun ? 'run' : 'submission'}, ${isRun ? id : null}, ${isRun ? null : id}, ${d.userId},
                ${d.roomId}, ${d.sessionId}, ${d.language}, 'pending', ${at}, ${revision})
        ON CONFLICT (job_id) DO NOTHING`.execute(trx);
      return;
    }
    const jobId = (event.data as { staticAnalysisJobId: string }).staticAnalysisJobId;
    if (event.type === 'StaticAnalysisDropped') {
      await sql`DELETE FROM static_analysis_results WHERE job_id = ${jobId}`.execute(trx);
      return;
    }
    if (event.type === 'StaticAnalysisCompleted') {
      const d = event.data as unknown as StaticAnalysisCompleted['data'];
      const report = { diagnostics: d.diagnostics, complexity: d.complexity, duplications: d.duplications, toolResults: d.toolResults };
      await sql`
        UPDATE static_analysis_results SET
          status = ${d.status}, diagnostic_count = ${d.summary.diagnosticCount}, error_count = ${d.summary.errorCount},
          warning_count = ${d.summary.warningCount}, max_cyclomatic_complexity = ${d.summary.maxCyclomaticComplexity},
          high_complexity_count = ${d.summary.highComplexityCount}, duplication_count = ${d.summary.duplicationCount},
          tool_failure_count = ${d.summary.toolFailureCount}, report = ${JSON.stringify(report)}::jsonb,
          error_message = ${d.error}, completed_at = ${at}, last_revision = ${revision}
        WHERE job_id = ${jobId} AND last_revision < ${revision}`.execute(trx);
    }
  },
};
