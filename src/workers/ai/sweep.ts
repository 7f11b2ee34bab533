/**
 * AI requests as sweep kinds (src/workers/sweeper): a hint, interviewer turn, analysis or review whose queue job
 * vanished is queued again from its events, or failed visibly (AiRequestFailed) once past the deadline.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { aiJobOptions, QUEUE_OF, type AiJob } from '../../commands/ai/jobs.js';
import { readAiStream, recordAnswer } from '../../commands/ai/results.js';
import { systemMetadata } from '../../commands/metadata.js';
import { aiStream, type AiRequestKind } from '../../domain/ai/events.js';
import type { AppContext } from '../../composition/context.js';
import { registerSweepKind, type SweepKind } from '../sweeper/kinds.js';

const TABLES: Record<AiRequestKind, { table: string; id: string }> = {
  hint: { table: 'ai_hints', id: 'id' },
  interviewer: { table: 'ai_interview_jobs', id: 'job_id' },
  analysis: { table: 'ai_code_analyses', id: 'job_id' },
  review: { table: 'ai_reviews', id: 'job_id' },
};

async function locate(ctx: AppContext, kind: AiRequestKind, id: string): Promise<{ stream: string; roomId: string; userId: string } | undefined> {
  const { table, id: column } = TABLES[kind];
  const { rows } = await sql<{ room_id: string; session_id: string | null; user_id: string }>`
    SELECT room_id, session_id, user_id FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${id}`.execute(ctx.db);
  const row = rows[0];
  return row ? { stream: aiStream(row.session_id, row.room_id), roomId: row.room_id, userId: row.user_id } : undefined;
}

function aiSweepKind(kind: AiRequestKind): SweepKind {
  const { table, id: column } = TABLES[kind];
  return {
    name: `ai-${kind}`,
    queue: QUEUE_OF[kind],
    async findUnfinished(ctx, before, limit) {
      const { rows } = await sql<{ id: string; at: Date }>`
        SELECT ${sql.ref(column)} AS id, requested_at AS at FROM ${sql.table(table)}
        WHERE status = 'pending' AND requested_at < ${before} ORDER BY requested_at LIMIT ${limit}`.execute(ctx.db);
      return rows.map((r) => ({ id: r.id, requestedAt: r.at }));
    },
    async jobFor(ctx, id) {
      const where = await locate(ctx, kind, id);
      if (!where) return undefined;
      const read = await readAiStream(ctx.store, where.stream);
      if (read.state.requests[id]?.status !== 'pending') return undefined;
      const base = { requestId: id, stream: where.stream, roomId: where.roomId, userId: where.userId, traceId: randomUUID() };
      const data: AiJob =
        kind === 'interviewer'
          ? { ...base, kind, signals: { reason: null, secondsSinceLastEditorActivity: null, secondsSinceLastUserMessage: null } }
          : { ...base, kind };
      return { name: kind, data, opts: { ...aiJobOptions, jobId: id } };
    },
    async fail(ctx, id, reason) {
      const where = await locate(ctx, kind, id);
      if (!where) return;
      await recordAnswer(ctx.store, systemMetadata(randomUUID()), where.stream, (now) => ({ type: 'FailAiRequest', requestId: id, reason, now }));
    },
  };
}

let registered = false;

/** Adds the four AI kinds to the sweeper once per process. */
export function registerAiSweepKinds(): void {
  if (registered) return;
  registered = true;
  for (const kind of ['hint', 'interviewer', 'analysis', 'review'] as const) registerSweepKind(aiSweepKind(kind));
}
