/**
 * The `submissions` read model from `submission-<id>` streams: the submission row (status, counts re-aggregated as
 * judged tests arrive) and one row per judged test. Guarded by the stream revision, so redelivery changes
 * nothing; a destroyed room takes its submissions with it.
 */
import { sql } from 'kysely';
import type { SubmissionCompleted, SubmissionRequested, SubmissionTestsJudged } from '../../domain/submission/submission.js';
import type { RecordedEvent } from '../../infra/eventstore/port.js';
import { occurredAt, streamId, type Projection, type Trx } from '../projection.js';

async function claim(trx: Trx, id: string, revision: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    UPDATE submissions SET last_revision = ${revision} WHERE id = ${id} AND last_revision < ${revision} RETURNING id`.execute(trx);
  return rows.length > 0;
}

async function deleteRoomSubmissions(trx: Trx, event: RecordedEvent): Promise<void> {
  if (!event.streamName.startsWith('room-')) return;
  const roomId = streamId(event);
  await sql`DELETE FROM submission_test_results WHERE submission_id IN (SELECT id FROM submissions WHERE room_id = ${roomId})`.execute(trx);
  await sql`DELETE FROM submissions WHERE room_id = ${roomId}`.execute(trx);
}

async function insertRequested(trx: Trx, event: RecordedEvent, id: string, revision: string, at: Date): Promise<void> {
  const d = event.data as SubmissionRequested['data'];
  await sql`
    INSERT INTO submissions (id, room_id, session_id, problem_id, user_id, language, code, code_hash, status, attempts,
                             total_test_cases, passed_test_cases, failed_test_cases, error_test_cases,
                             static_analysis_job_id, submitted_at, last_revision)
    VALUES (${id}, ${d.roomId}, ${d.sessionId}, ${d.problemId}, ${d.userId}, ${d.language}, ${d.code}, ${d.codeHash},
            'pending', 0, ${d.testCaseCount}, 0, 0, 0, ${d.staticAnalysisJobId}, ${at}, ${revision})
    ON CONFLICT (id) DO NOTHING`.execute(trx);
}

/** Applies one event to a submission whose row revision this event has already claimed. */
type ClaimedEventHandler = (trx: Trx, event: RecordedEvent, id: string, at: Date) => Promise<void>;

const markStarted: ClaimedEventHandler = async (trx, event, id, at) => {
  const attempt = Number((event.data as { attempt: number }).attempt);
  await sql`
    UPDATE submissions SET status = CASE WHEN status = 'pending' THEN 'running' ELSE status END,
                           attempts = GREATEST(attempts, ${attempt}), started_at = COALESCE(started_at, ${at})
    WHERE id = ${id}`.execute(trx);
};

function testResultRow(id: string, r: SubmissionTestsJudged['data']['results'][number]) {
  return {
    submission_id: id,
    test_case_index: r.testCaseIndex,
    is_hidden: r.isHidden,
    verdict: r.verdict,
    passed: r.passed,
    expected_output: r.expectedOutput,
    actual_output: r.actualOutput,
    stdout: r.stdout,
    stderr: r.stderr,
    exit_code: r.exitCode,
    signal: r.signal,
    duration_ms: r.durationMs === null ? null : Math.round(r.durationMs),
    cpu_time_ms: r.cpuTimeMs === null ? null : Math.round(r.cpuTimeMs),
    memory_usage_mb: r.memoryUsageMb,
    timed_out: r.timedOut,
    output_truncated: r.outputTruncated,
    error_message: r.errorMessage,
  };
}

const recordJudgedTests: ClaimedEventHandler = async (trx, event, id) => {
  const d = event.data as SubmissionTestsJudged['data'];
  const rows = d.results.map((r) => testResultRow(id, r));
  await sql`
    INSERT INTO submission_test_results
    SELECT * FROM jsonb_populate_recordset(NULL::submission_test_results, ${JSON.stringify(rows)}::jsonb)
    ON CONFLICT (submission_id, test_case_index) DO NOTHING`.execute(trx);
  await sql`
    UPDATE submissions s SET
      status = CASE WHEN s.status IN ('pending', 'running') THEN 'running' ELSE s.status END,
      passed_test_cases = c.passed, failed_test_cases = c.failed, error_test_cases = c.errors, total_duration_ms = c.duration
    FROM (
      SELECT count(*) FILTER (WHERE passed) AS passed, count(*) FILTER (WHERE NOT passed) AS failed,
             count(*) FILTER (WHERE passed IS NULL) AS errors, sum(COALESCE(duration_ms, 0)) AS duration
      FROM submission_test_results WHERE submission_id = ${id}
    ) c
    WHERE s.id = ${id}`.execute(trx);
};

const markCompleted: ClaimedEventHandler = async (trx, event, id, at) => {
  const d = event.data as SubmissionCompleted['data'];
  await sql`
    UPDATE submissions SET status = ${d.status}, verdict = ${d.verdict}, passed_test_cases = ${d.passed},
      failed_test_cases = ${d.failed}, error_test_cases = ${d.errors}, total_duration_ms = ${Math.round(d.totalDurationMs)},
      compile_duration_ms = ${d.compileDurationMs === null ? null : Math.round(d.compileDurationMs)},
      compile_error = ${d.compileError}, error = ${d.error}, completed_at = ${at}
    WHERE id = ${id}`.execute(trx);
};

const dropExpiredOutput: ClaimedEventHandler = async (trx, _event, id, at) => {
  await sql`UPDATE submissions SET output_expired_at = ${at} WHERE id = ${id}`.execute(trx);
  await sql`
    UPDATE submission_test_results SET stdout = NULL, stderr = NULL, actual_output = NULL
    WHERE submission_id = ${id}`.execute(trx);
};

const claimedEventHandlers: Readonly<Record<string, ClaimedEventHandler>> = {
  SubmissionStarted: markStarted,
  SubmissionTestsJudged: recordJudgedTests,
  SubmissionCompleted: markCompleted,
  SubmissionOutputExpired: dropExpiredOutput,
};

export const submissionsProjection: Projection = {
  name: 'submissions',
  version: 1,
  eventTypes: [
    'SubmissionRequested',
    'SubmissionStarted',
    'SubmissionTestsJudged',
    'SubmissionCompleted',
    'SubmissionOutputExpired',
    'RoomDestroyed',
  ],
  tables: ['submissions', 'submission_test_results'],
  async apply(trx, event) {
    if (event.type === 'RoomDestroyed') return deleteRoomSubmissions(trx, event);
    if (!event.streamName.startsWith('submission-')) return;
    const id = streamId(event);
    const revision = event.revision.toString();
    const at = occurredAt(event);

    if (event.type === 'SubmissionRequested') return insertRequested(trx, event, id, revision, at);
    // Every later event first moves the row's revision; an event already applied (or for a deleted room) stops here.
    if (!(await claim(trx, id, revision))) return;
    const handler = Object.hasOwn(claimedEventHandlers, event.type) ? claimedEventHandlers[event.type] : undefined;
    await handler?.(trx, event, id, at);
  },
};
