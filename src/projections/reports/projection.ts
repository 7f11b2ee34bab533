/**
 * The `session-reports` read model: who was a candidate, the pending → completed/failed state of each candidate's
 * report, the newest report (newest event wins) and every earlier version. Rows change only under a stream
 * revision guard or with ON CONFLICT, so redelivery changes nothing.
 */
import { sql } from 'kysely';
import { REPORT_EVENT_TYPES, type SessionReportFailed, type SessionReportGenerated } from '../../domain/report/decider.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { streamId, type Projection, type Trx } from '../projection.js';

export const REPORTS_PROJECTION_EVENTS = [
  'SessionStarted',
  'SessionParticipantAdded',
  'SessionParticipantRoleChanged',
  'SessionFinished',
  'SessionDiscarded',
  ...REPORT_EVENT_TYPES,
] as const;

/** Strong ETag of a stored report: its stream revision and content hash (stable across restarts and rebuilds). */
export const reportEtag = (revision: bigint | string, contentHash: string) => `"r${revision.toString()}-${contentHash.slice(0, 24)}"`;

async function addCandidate(trx: Trx, sessionId: string, userId: unknown): Promise<void> {
  if (typeof userId !== 'string') return;
  await sql`INSERT INTO report_candidates (session_id, user_id) VALUES (${sessionId}, ${userId}) ON CONFLICT DO NOTHING`.execute(trx);
}

async function applySessionEvent(trx: Trx, e: RecordedEvent): Promise<void> {
  const sessionId = streamId(e);
  const d = e.data;
  switch (e.type) {
    case 'SessionStarted':
      for (const p of (d['participants'] as Array<Record<string, unknown>> | undefined) ?? []) {
        if (p['role'] === 'candidate') await addCandidate(trx, sessionId, p['userId']);
      }
      return;
    case 'SessionParticipantAdded':
      if (d['role'] === 'candidate') await addCandidate(trx, sessionId, d['userId']);
      return;
    case 'SessionParticipantRoleChanged':
      if (d['to'] === 'candidate') await addCandidate(trx, sessionId, d['userId']);
      return;
    case 'SessionFinished':
      await sql`
        INSERT INTO session_reports (session_id, user_id, status, requested_at)
        SELECT session_id, user_id, 'pending', ${String(d['finishedAt'])}::timestamptz FROM report_candidates WHERE session_id = ${sessionId}
        ON CONFLICT (session_id, user_id) DO NOTHING`.execute(trx);
      return;
    case 'SessionDiscarded':
      await sql`DELETE FROM session_report_versions WHERE session_id = ${sessionId}`.execute(trx);
      await sql`DELETE FROM session_reports WHERE session_id = ${sessionId}`.execute(trx);
      await sql`DELETE FROM report_candidates WHERE session_id = ${sessionId}`.execute(trx);
      return;
  }
}

async function applyGenerated(trx: Trx, e: RecordedEvent): Promise<void> {
  const d = e.data as unknown as SessionReportGenerated['data'];
  const revision = e.revision.toString();
  const body = JSON.stringify(d.report);
  await sql`
    INSERT INTO session_report_versions (session_id, user_id, revision, grader_version, model, overall_score, report, generated_at)
    VALUES (${d.sessionId}, ${d.userId}, ${revision}, ${d.graderVersion}, ${d.model}, ${d.report.overallScore}, ${body}::jsonb, ${d.generatedAt})
    ON CONFLICT DO NOTHING`.execute(trx);
  await sql`
    INSERT INTO session_reports (session_id, user_id, status, overall_score, report, model, grader_version, etag, error_message, requested_at, generated_at, revision)
    VALUES (${d.sessionId}, ${d.userId}, 'completed', ${d.report.overallScore}, ${body}::jsonb, ${d.model}, ${d.graderVersion},
            ${reportEtag(e.revision, d.contentHash)}, NULL, ${d.generatedAt}, ${d.generatedAt}, ${revision})
    ON CONFLICT (session_id, user_id) DO UPDATE SET
      status = 'completed', overall_score = excluded.overall_score, report = excluded.report, model = excluded.model,
      grader_version = excluded.grader_version, etag = excluded.etag, error_message = NULL,
      generated_at = excluded.generated_at, revision = excluded.revision
    WHERE session_reports.revision IS NULL OR session_reports.revision < excluded.revision`.execute(trx);
}

async function applyFailed(trx: Trx, e: RecordedEvent): Promise<void> {
  const d = e.data as unknown as SessionReportFailed['data'];
  await sql`
    INSERT INTO session_reports (session_id, user_id, status, error_message, requested_at, revision)
    VALUES (${d.sessionId}, ${d.userId}, 'failed', ${d.reason}, ${d.failedAt}, ${e.revision.toString()})
    ON CONFLICT (session_id, user_id) DO UPDATE SET status = 'failed', error_message = excluded.error_message, revision = excluded.revision
    WHERE session_reports.status <> 'completed' AND (session_reports.revision IS NULL OR session_reports.revision < excluded.revision)`.execute(trx);
}

export const sessionReportsProjection: Projection = {
  name: 'session-reports',
  version: 1,
  eventTypes: REPORTS_PROJECTION_EVENTS,
  tables: ['report_candidates', 'session_reports', 'session_report_versions'],
  async apply(trx, event) {
    if (event.streamName.startsWith('session-')) return applySessionEvent(trx, event);
    if (!event.streamName.startsWith('report-')) return;
    if (event.type === 'SessionReportGenerated') return applyGenerated(trx, event);
    if (event.type === 'SessionReportFailed') return applyFailed(trx, event);
  },
};
