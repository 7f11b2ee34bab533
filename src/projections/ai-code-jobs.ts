/**
 * What the code-analysis and code-review read models share: one row per job, inserted pending when it is requested
 * and failed with the reason by the AiRequestFailed of its kind. Each projection writes its own completion.
 */
import { sql } from 'kysely';
import type { RecordedEvent } from '../infra/eventstore/port.js';
import { occurredAt, type Trx } from './projection.js';

type CodeJobTable = 'ai_code_analyses' | 'ai_reviews';

interface CodeJobRequested {
  jobId: string;
  roomId: string;
  sessionId: string | null;
  userId: string;
  language: string;
  codeHash: string;
  requestedAt: string;
}

export async function insertPendingCodeJob(trx: Trx, table: CodeJobTable, d: CodeJobRequested): Promise<void> {
  await sql`
    INSERT INTO ${sql.table(table)} (job_id, room_id, session_id, user_id, language, code_hash, status, requested_at)
    VALUES (${d.jobId}, ${d.roomId}, ${d.sessionId}, ${d.userId}, ${d.language}, ${d.codeHash}, 'pending', ${d.requestedAt})
    ON CONFLICT (job_id) DO NOTHING`.execute(trx);
}

/** A pending job of `kind` failed: the row keeps the reason and the time of the failure. */
export async function failCodeJob(trx: Trx, table: CodeJobTable, kind: 'analysis' | 'review', recorded: RecordedEvent): Promise<void> {
  const d = recorded.data as { requestId: string; kind: string; reason: string };
  if (d.kind !== kind) return;
  await sql`UPDATE ${sql.table(table)} SET status = 'failed', error = ${d.reason}, completed_at = ${occurredAt(recorded)}
            WHERE job_id = ${d.requestId} AND status = 'pending'`.execute(trx);
}
