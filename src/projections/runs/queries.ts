/** Reads of the `runs` read model. */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { after, orderBy, type SortKey } from '../keyset.js';

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

/** Newest first by the time of the request, then id: the order of a room's runs and of its submissions. */
export function newestFirst<Row extends { id: string }>(column: 'created_at' | 'submitted_at', requestedAt: (row: Row) => Date): SortKey<Row>[] {
  return [
    { expr: sql.ref(column), dir: 'desc', kind: 'timestamp', of: (row) => requestedAt(row).toISOString() },
    { expr: sql`id`, dir: 'desc', kind: 'uuid', of: (row) => row.id },
  ];
}
const RUN_ORDER = newestFirst<RunRow>('created_at', (run) => run.createdAt);

/** A room's runs, newest first; `cursor` is the [createdAt ISO, id] of the last row of the previous page. */
export async function listRoomRuns(db: Db, roomId: string, limit: number, cursor?: [string, string]): Promise<RunRow[]> {
  const { rows } = await sql<RunRow>`
    SELECT ${COLUMNS} FROM runs
    WHERE room_id = ${roomId} ${cursor ? sql`AND ${after(RUN_ORDER, cursor)}` : sql``}
    ORDER BY ${orderBy(RUN_ORDER)}
    LIMIT ${limit + 1}`.execute(db);
  return rows;
}

/**
 * Runs (or submissions) whose output is still kept although they completed before `before`: the retention sweep's
 * work list.
 */
export async function withOutputDue(db: Db, table: 'runs' | 'submissions', before: Date, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM ${sql.table(table)} WHERE output_expired_at IS NULL AND completed_at IS NOT NULL AND completed_at <= ${before}
    ORDER BY completed_at LIMIT ${limit}`.execute(db);
  return rows.map((r) => r.id);
}
