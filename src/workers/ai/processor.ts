/**
 * The AI worker: one job = one answer. It reads what was asked from the AI stream, builds the context from the read
 * models (visible cases only), asks the LLM port, scrubs every text of hidden-case values, and records the answer
 * through the command handler. A request already answered is skipped, so a retried job does nothing twice.
 */
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { buildContext } from '../../commands/ai/context.js';
import type { AiJob, InterviewJob } from '../../commands/ai/jobs.js';
import { givenHintText, readAiStream, recordAnswer, requestEvent, type StreamRead } from '../../commands/ai/results.js';
import type { RequestMetadata } from '../../commands/metadata.js';
import { scrubDeep } from '../../domain/ai/hidden.js';
import type { AiEvent, CodeContextView } from '../../domain/ai/events.js';
import { findCoachProblem } from '../../projections/problems/queries.js';
import { findRoom } from '../../projections/rooms/queries.js';
import type { AppContext } from '../../composition/context.js';

type Outcome = { status: 'answered' | 'skipped'; model?: string };

function metaOf(job: Job<AiJob>): RequestMetadata {
  return { actorId: null, traceId: randomUUID(), correlationId: job.data.traceId, causationId: job.data.requestId, ip: null, now: new Date() };
}

async function setting(ctx: AppContext, job: AiJob, problemId: string | null) {
  const [room, asked] = await Promise.all([findRoom(ctx.db, job.roomId), problemId ? findCoachProblem(ctx.db, problemId) : undefined]);
  const problem = asked ?? (room?.problemId ? await findCoachProblem(ctx.db, room.problemId) : undefined);
  if (!room || !problem) throw new Error('the room or its problem is gone');
  return { room, problem };
}

async function answerHint(ctx: AppContext, job: Job<AiJob>, read: StreamRead, asked: Extract<AiEvent, { type: 'HintRequested' }>): Promise<Outcome> {
  const d = asked.data;
  const { room, problem } = await setting(ctx, job.data, d.problemId);
  const { context, secrets } = await buildContext(ctx.db, { roomId: d.roomId, userId: d.userId, problem, code: d.code, language: d.language, phase: room.status });
  const previousHint = d.followUpOf ? givenHintText(read.events, d.followUpOf) : null;
  const answer = await ctx.ai.llm.hint({ ...context, level: d.level, stage: d.phase, iteration: d.iteration, previousHint, reflection: d.reflection });
  const r = scrubDeep(answer.result, secrets);
  const hint = d.phase === 'follow_up'
    ? `${previousHint ?? ''}\n---\nLearner reflection: ${d.reflection ?? '(no reply)'}\nCoach follow-up: ${r.hint}`.trim()
    : r.hint;
  await recordAnswer(ctx.store, metaOf(job), job.data.stream, (now) => ({
    type: 'GiveHint', requestId: d.requestId, hint, suggestedApproach: r.suggestedApproach, reflectionPrompt: r.reflectionPrompt, model: answer.model, now,
  }));
  return { status: 'answered', model: answer.model };
}

/** The snippet around the candidate's selection, re-cut from their code (1–5 when the range is not in it). */
function verifiedCodeContext(asked: { code: string; language: string; codeContext: CodeContextView | null }) {
  const lines = asked.code.split('\n');
  const c = asked.codeContext;
  const valid = c && c.startLine >= 1 && c.endLine >= c.startLine && c.endLine <= lines.length;
  const startLine = valid ? c.startLine : 1;
  const endLine = valid ? c.endLine : Math.min(5, lines.length);
  return { language: asked.language, file: c?.file ?? 'main', codeSnippet: lines.slice(startLine - 1, endLine).join('\n'), startLine, endLine };
}

async function answerInterview(ctx: AppContext, job: Job<AiJob>, asked: Extract<AiEvent, { type: 'InterviewerMessageSent' }>): Promise<Outcome> {
  const d = asked.data;
  const data = job.data as InterviewJob;
  const { room, problem } = await setting(ctx, data, null);
  const { context, secrets } = await buildContext(ctx.db, { roomId: d.roomId, userId: d.userId, problem, code: d.code, language: d.language, phase: room.status });
  // The turn being answered is already in the conversation read model; the prompt holds it separately.
  const conversation = context.conversation.filter((m, i, all) => !(i === all.length - 1 && m.role === 'user' && m.content === d.content));
  const codeContext = verifiedCodeContext(d);
  const answer = await ctx.ai.llm.interview({
    ...context,
    conversation,
    trigger: d.trigger,
    userMessage: d.content || null,
    codeContext,
    signals: {
      reason: data.signals.reason,
      elapsedSeconds: Math.round(room.elapsedMs / 1000),
      secondsSinceLastEditorActivity: data.signals.secondsSinceLastEditorActivity,
      secondsSinceLastUserMessage: data.signals.secondsSinceLastUserMessage,
      hintCount: context.previousHints.length,
    },
  });
  const r = scrubDeep(answer.result, secrets);
  await recordAnswer(ctx.store, metaOf(job), data.stream, (now) => ({
    type: 'RecordInterviewerReply',
    jobId: d.jobId,
    messageId: randomUUID(),
    content: r.shouldRespond ? (r.message ?? '') : '',
    shouldRespond: r.shouldRespond,
    followUpQuestion: r.shouldRespond ? r.followUpQuestion : null,
    codeAnnotations: r.shouldRespond ? r.codeAnnotations : [],
    codeContext,
    model: answer.model,
    now,
  }));
  return { status: 'answered', model: answer.model };
}

async function answerCode(ctx: AppContext, job: Job<AiJob>, asked: Extract<AiEvent, { type: 'CodeAnalysisRequested' | 'CodeReviewRequested' }>): Promise<Outcome> {
  const d = asked.data;
  const { room, problem } = await setting(ctx, job.data, null);
  const { context, secrets } = await buildContext(ctx.db, { roomId: d.roomId, userId: d.userId, problem, code: d.code, language: d.language, phase: room.status });
  if (asked.type === 'CodeAnalysisRequested') {
    const answer = await ctx.ai.llm.analyze(context);
    const result = scrubDeep(answer.result, secrets);
    await recordAnswer(ctx.store, metaOf(job), job.data.stream, (now) => ({ type: 'CompleteCodeAnalysis', jobId: d.jobId, result, model: answer.model, now }));
    return { status: 'answered', model: answer.model };
  }
  const answer = await ctx.ai.llm.review(context);
  const r = scrubDeep(answer.result, secrets);
  await recordAnswer(ctx.store, metaOf(job), job.data.stream, (now) => ({
    type: 'CompleteCodeReview', jobId: d.jobId, overallScore: r.overallScore, categories: r.categories, summary: r.summary, model: answer.model, now,
  }));
  return { status: 'answered', model: answer.model };
}

export async function processAiJob(ctx: AppContext, job: Job<AiJob>): Promise<Outcome> {
  const read = await readAiStream(ctx.store, job.data.stream);
  const request = read.state.requests[job.data.requestId];
  const asked = requestEvent(read.events, job.data.requestId);
  if (!request || request.status !== 'pending' || !asked) return { status: 'skipped' };
  switch (asked.type) {
    case 'HintRequested':
      return answerHint(ctx, job, read, asked);
    case 'InterviewerMessageSent':
      return answerInterview(ctx, job, asked);
    case 'CodeAnalysisRequested':
    case 'CodeReviewRequested':
      return answerCode(ctx, job, asked);
    default:
      return { status: 'skipped' };
  }
}

/** A job BullMQ gave up on (out of attempts, stalled too often): its request ends as failed, never pending forever. */
export async function failAbandoned(ctx: AppContext, job: Job<AiJob>, err: Error): Promise<void> {
  await recordAnswer(ctx.store, metaOf(job), job.data.stream, (now) => ({ type: 'FailAiRequest', requestId: job.data.requestId, reason: err.message.slice(0, 300), now }));
}
