/** Reads of the `runs` read model. */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';

export { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';

export interface RunRow {
  id: string;
  roomId: string;
  sessionId: string | null;
  userId: string;
  language: string;
  code: string;
  stdin: string | null;
  timeoutMs: number;
  memoryMb: number;
  status: 'pending' | 'running' | 'completed' | 'failed';
  attempts: number;
  resultStatus: 'completed' | 'failed' | null;
  verdict: string | null;
  stdout: string | null;
  stderr: string | null;
  exitCode: number | null;
  signal: string | null;
  durationMs: number | null;
  cpuTimeMs: number | null;
  memoryUsageMb: number | null;
  timedOut: boolean | null;
  outputTruncated: boolean | null;
  compileDurationMs: number | null;
  error: string | null;
  outputExpiredAt: Date | null;
  staticAnalysisJobId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

const COLUMNS = sql`
  id, room_id AS "roomId", session_id AS "sessionId", user_id AS "userId", language, code, stdin, timeout_ms AS "timeoutMs",
  memory_mb AS "memoryMb", status, attempts, result_status AS "resultStatus", verdict, stdout, stderr, exit_code AS "exitCode",
  signal, duration_ms AS "durationMs", cpu_time_ms AS "cpuTimeMs", memory_usage_mb AS "memoryUsageMb", timed_out AS "timedOut",
  output_truncated AS "outputTruncated", compile_duration_ms AS "compileDurationMs", error, output_expired_at AS "outputExpiredAt",
  static_analysis_job_id AS "staticAnalysisJobId", created_at AS "createdAt", started_at AS "startedAt", completed_at AS "completedAt"`;

export async function findRun(db: Db, runId: string): Promise<RunRow | undefined> {
  if (!UUID.test(runId)) return undefined;
  const { rows } = await sql<RunRow>`SELECT ${COLUMNS} FROM runs WHERE id = ${runId}`.execute(db);
  return rows[0];
}

/** A room's runs, newest first; `after` is the [createdAt ISO, id] of the last row of the previous page. */
export async function listRoomRuns(db: Db, roomId: string, limit: number, after?: [string, string]): Promise<RunRow[]> {
  const { rows } = await sql<RunRow>`
    SELECT ${COLUMNS} FROM runs
    WHERE room_id = ${roomId}
      ${after ? sql`AND (created_at, id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
    ORDER BY created_at DESC, id DESC
    LIMIT ${limit + 1}`.execute(db);
  return rows;
}

/** Runs whose output is still kept although they completed before `before` (the retention sweep's work list). */
export async function runsWithOutputDue(db: Db, before: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM runs WHERE output_expired_at IS NULL AND completed_at IS NOT NULL AND completed_at <= ${before}
    ORDER BY completed_at LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.id);
}
