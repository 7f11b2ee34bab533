/**
 * The producer side of the AI plane: append the request event on the session's AI stream (the decider checks the
 * hint limit and follow-up rules), enqueue the job behind the AI queue breaker, and answer once the read models show
 * the pending request. A job that cannot be queued is failed at once (AiRequestFailed), so nothing stays pending,
 * and the client gets 503 AI_SERVICE_UNAVAILABLE (504 AI_SERVICE_TIMEOUT for a slow queue).
 */
import { createHash, randomUUID } from 'node:crypto';
import { aiDecider, pendingProactiveTurn, type AiCommand } from '../../domain/ai/decider.js';
import { aiStream, type CodeContextView, type HintLevel, type InterviewTrigger } from '../../domain/ai/events.js';
import { DomainError } from '../../domain/shared/errors.js';
import { isServiceError, ServiceUnavailableError, type ServiceError } from '../../infra/errors.js';
import { ensureQueueReachable } from '../../infra/queue/bullmq.js';
import type { Ports, WriteDeps } from '../ports.js';
import { handleCommand, readAggregate } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { waitForProjections } from '../read-your-writes.js';
import type { AiAccess } from './access.js';
import { aiJobOptions, QUEUE_OF, type AiJob } from './jobs.js';

export const codeHash = (code: string) => createHash('sha256').update(code).digest('hex');

/** Append now; the returned `settled` resolves once the read models show the events (read-your-writes). */
async function append(ctx: WriteDeps, stream: string, command: AiCommand, metadata: RequestMetadata) {
  const result = await handleCommand(ctx.store, stream, aiDecider, command, metadata);
  const settled = () =>
    waitForProjections(
      { progress: ctx.progress, projections: ctx.projections, logger: ctx.logger, timeoutMs: ctx.config.READ_YOUR_WRITES_TIMEOUT_MS },
      result.position,
      result.events.map((e) => e.type),
    );
  return { ...result, settled };
}

/**
 * Enqueue as soon as the request event is stored — projectors apply events in stream order, so the answer can never
 * overtake its pending row — and answer the client once the read models show the request.
 */
async function appendAndEnqueue(ctx: WriteDeps & Pick<Ports, 'ai' | 'queues'>, stream: string, command: AiCommand, metadata: RequestMetadata, job: AiJob): Promise<void> {
  ensureQueueReachable(ctx.queues, 'AI');
  const appended = await append(ctx, stream, command, metadata);
  const settled = appended.settled();
  await enqueue(ctx, metadata, job);
  await settled;
}

function queueError(err: unknown): DomainError | ServiceError {
  if (err instanceof DomainError || isServiceError(err)) return err;
  return new ServiceUnavailableError('AI', 'Service temporarily unavailable', { circuit: 'ai-queue', retryAfter: 10 });
}

/** Enqueue, or fail the request on its stream and rethrow as the client should see it. */
export async function enqueue(ctx: WriteDeps & Pick<Ports, 'ai' | 'queues'>, metadata: RequestMetadata, job: AiJob): Promise<void> {
  try {
    await ctx.ai.queueGuard(() => ctx.queues.queue(QUEUE_OF[job.kind]).add(job.kind, job, { ...aiJobOptions, jobId: job.requestId }));
  } catch (err) {
    const now = new Date();
    const reason = err instanceof Error ? err.message : String(err);
    const failed = await append(ctx, job.stream, { type: 'FailAiRequest', requestId: job.requestId, reason: `Could not queue the request: ${reason}`, now: now.toISOString() }, { ...metadata, now });
    await failed.settled();
    throw queueError(err);
  }
}

function scope(a: AiAccess, userId: string) {
  return { sessionId: a.access.room.sessionId, roomId: a.access.room.id, userId };
}

export interface HintBody {
  code: string;
  language: string;
  hintLevel: HintLevel;
  followUpToHintId?: string | undefined;
  reflectionResponse?: string | undefined;
  noReply?: boolean | undefined;
}

export async function requestHint(ctx: WriteDeps & Pick<Ports, 'ai' | 'queues'>, metadata: RequestMetadata, a: AiAccess, userId: string, body: HintBody) {
  const requestId = randomUUID();
  const s = scope(a, userId);
  const stream = aiStream(s.sessionId, s.roomId);
  const followUpOf = body.followUpToHintId ?? null;
  const reflection = body.reflectionResponse?.trim() ? body.reflectionResponse.trim() : null;
  const job: AiJob = { kind: 'hint', requestId, stream, roomId: s.roomId, userId, traceId: metadata.traceId };
  await appendAndEnqueue(ctx, stream, {
    type: 'RequestHint',
    requestId,
    ...s,
    problemId: a.problem.id,
    requestedLevel: body.hintLevel,
    followUpOf,
    reflection,
    noReply: body.noReply === true,
    language: body.language,
    code: body.code,
    limit: ctx.config.RATE_LIMIT_ENABLED ? { max: ctx.config.RATE_LIMIT_HINTS_PER_5MIN, windowMs: 5 * 60_000 } : null,
    now: metadata.now.toISOString(),
  }, metadata, job);
  return { jobId: requestId, hintId: requestId, phase: followUpOf ? ('follow_up' as const) : ('initial' as const) };
}

export interface InterviewBody {
  trigger: InterviewTrigger;
  userMessage: string | null;
  code: string;
  language: string;
  codeContext: CodeContextView | null;
  reason: string | null;
  secondsSinceLastEditorActivity: number | null;
  secondsSinceLastUserMessage: number | null;
}

export async function requestInterview(ctx: WriteDeps & Pick<Ports, 'ai' | 'queues'>, metadata: RequestMetadata, a: AiAccess, userId: string, body: InterviewBody): Promise<{ jobId: string }> {
  const s = scope(a, userId);
  const stream = aiStream(s.sessionId, s.roomId);
  if (body.trigger === 'proactive') {
    const inFlight = pendingProactiveTurn((await readAggregate(ctx.store, stream, aiDecider)).state, userId, s.roomId);
    if (inFlight) return { jobId: inFlight };
  }
  const messageId = randomUUID();
  const job: AiJob = {
    kind: 'interviewer',
    requestId: messageId,
    stream,
    roomId: s.roomId,
    userId,
    traceId: metadata.traceId,
    signals: { reason: body.reason, secondsSinceLastEditorActivity: body.secondsSinceLastEditorActivity, secondsSinceLastUserMessage: body.secondsSinceLastUserMessage },
  };
  await appendAndEnqueue(ctx, stream, {
    type: 'SendInterviewerMessage',
    messageId,
    ...s,
    trigger: body.trigger,
    content: body.userMessage ?? '',
    reason: body.reason,
    code: body.code,
    language: body.language,
    codeContext: body.codeContext,
    now: metadata.now.toISOString(),
  }, metadata, job);
  return { jobId: messageId };
}

export async function requestCodeJob(
  ctx: WriteDeps & Pick<Ports, 'ai' | 'queues'>,
  metadata: RequestMetadata,
  a: AiAccess,
  userId: string,
  kind: 'analysis' | 'review',
  body: { code: string; language: string },
): Promise<{ jobId: string }> {
  const jobId = randomUUID();
  const s = scope(a, userId);
  const stream = aiStream(s.sessionId, s.roomId);
  const type = kind === 'analysis' ? 'RequestCodeAnalysis' : 'RequestCodeReview';
  const job: AiJob = { kind, requestId: jobId, stream, roomId: s.roomId, userId, traceId: metadata.traceId };
  await appendAndEnqueue(ctx, stream, { type, jobId, ...s, language: body.language, code: body.code, codeHash: codeHash(body.code), now: metadata.now.toISOString() }, metadata, job);
  return { jobId };
}
