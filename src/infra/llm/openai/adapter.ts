/**
 * The `openai` adapter: prompts an OpenAI-compatible chat-completions endpoint behind a breaker (open → 503
 * AI_SERVICE_UNAVAILABLE, slower than the deadline → 504 AI_SERVICE_TIMEOUT), validates the reply against the
 * task's TypeBox schema with one repair round, sanitises every field, and falls back to the deterministic coach —
 * field by field for unsafe text, wholly for any failure — recording which model actually answered.
 */
import type { TSchema, Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { createBreaker, type Guarded } from '../../breaker.js';
import type { Answer, CoachContext, LlmPort } from '../port.js';
import { chatCompletion, serviceError, type ChatMessage, type OpenAiClientOptions } from './client.js';
import { contextBlocks, draftBlock, systemPrompt } from './prompts.js';
import { AnalysisOut, check, HintOut, InterviewOut, ReviewOut } from './schemas.js';
import { hintBlocks, interviewBlocks, shapeAnalysis, shapeHint, shapeInterview, shapeReview } from './shape.js';

export interface OpenAiAdapterOptions extends OpenAiClientOptions {
  jsonMode: boolean;
  breakerResetMs: number;
  breakerVolume: number;
}

interface Task<S extends TSchema> {
  name: string;
  schema: S;
  role: string;
  contract: string;
  limits: string;
  temperature: number;
  maxTokens: number;
}

const TASKS = {
  hint: {
    name: 'hint',
    schema: HintOut,
    role: 'You are a programming coach in a mock interview. Give one hint at the requested level: subtle points at the area, moderate names the technique, direct names the line and the change.',
    contract: '{"hint": string, "suggestedApproach": string|null, "reflectionPrompt": string|null}',
    limits: 'hint at most 120 words, may contain a partial code fence of at most 12 lines; suggestedApproach ≤ 220 chars; reflectionPrompt ≤ 180 chars. If every test passed, do not claim a bug.',
    temperature: 0.3,
    maxTokens: 500,
  },
  interview: {
    name: 'interview',
    schema: InterviewOut,
    role: 'You are a friendly technical interviewer. Follow the room phase: in warmup ask the candidate to restate the problem and constraints; in coding ask about complexity after passing runs, edge cases after wrong answers, and coach concretely when the candidate is stuck; in wrapup ask for a testing strategy. On a proactive turn stay silent (shouldRespond false) unless you have something useful.',
    contract: '{"shouldRespond": boolean, "message": string|null, "followUpQuestion": string|null, "codeAnnotations": [{"line": integer, "comment": string}]}',
    limits: 'message ≤ 500 chars, followUpQuestion ≤ 240 chars, at most 3 annotations on existing lines.',
    temperature: 0.35,
    maxTokens: 700,
  },
  analyze: {
    name: 'analyze',
    schema: AnalysisOut,
    role: 'You are a senior engineer analysing a candidate solution.',
    contract: '{"summary": string, "focusAreas": {"complexity": string, "edgeCases": string, "readability": string}, "followUpQuestions": [string, string, string]}',
    limits: 'summary ≤ 320 chars, each focus area ≤ 220 chars, 2–3 questions of ≤ 140 chars.',
    temperature: 0.2,
    maxTokens: 700,
  },
  review: {
    name: 'review',
    schema: ReviewOut,
    role: 'You are a senior engineer reviewing a candidate solution against a rubric: correctness, efficiency, readability, structure, robustness. Scores 0–100; stay within ±15 of the draft scores unless the code clearly contradicts them.',
    contract: '{"overallScore": number, "categories": [{"name": string, "score": number, "feedback": string}], "summary": string}',
    limits: 'feedback ≤ 300 chars per category, summary ≤ 500 chars.',
    temperature: 0.2,
    maxTokens: 900,
  },
} as const;

export function createOpenAiCoach(options: OpenAiAdapterOptions, local: LlmPort, logger: Logger): LlmPort & { guard: ReturnType<typeof createBreaker>; complete: <S extends TSchema>(task: Task<S>, messages: ChatMessage[]) => Promise<Static<S>> } {
  const deadline = options.timeoutMs * (options.maxRetries + 1) + options.retryAfterMaxMs * options.maxRetries + 1000;
  const guard = createBreaker('AI', 'llm', { timeoutMs: deadline, resetMs: options.breakerResetMs, volumeThreshold: options.breakerVolume });

  /** One validated answer: the reply, and when it misses the contract one repair round. Throws on failure. */
  async function complete<S extends TSchema>(task: Task<S>, messages: ChatMessage[]): Promise<Static<S>> {
    try {
      return await (guard as Guarded)(() => attemptTask(task, messages));
    } catch (err) {
      throw serviceError(err);
    }
  }

  async function attemptTask<S extends TSchema>(task: Task<S>, messages: ChatMessage[]): Promise<Static<S>> {
    const chat = { temperature: task.temperature, maxTokens: task.maxTokens, json: options.jsonMode };
    const reply = await chatCompletion(options, messages, chat);
    const first = check(task.schema, reply);
    if (first.ok) return first.value;
    const repair: ChatMessage[] = [
      ...messages,
      { role: 'assistant', content: reply.slice(0, 4000) },
      { role: 'user', content: `That answer does not match the output contract (${first.problems}). Reply again with only the JSON object: ${task.contract}` },
    ];
    const second = check(task.schema, await chatCompletion(options, repair, chat));
    if (second.ok) return second.value;
    throw new Error(`the ${task.name} answer missed the contract twice: ${second.problems}`);
  }

  async function withFallback<S extends TSchema, R>(
    task: Task<S>,
    ctx: CoachContext,
    extra: string[],
    draft: Answer<R>,
    shape: (out: Static<S>, draft: R, lineCount: number) => R,
  ): Promise<Answer<R>> {
    const user = [...contextBlocks(ctx), ...extra, draftBlock(draft.result), 'Task: answer following the output contract, improving on the draft where you can.'].join('\n\n');
    const messages: ChatMessage[] = [
      { role: 'system', content: systemPrompt(task.role, task.contract, task.limits) },
      { role: 'user', content: user },
    ];
    try {
      const out = await complete(task, messages);
      return { result: shape(out, draft.result, ctx.code.split('\n').length), model: options.model };
    } catch (err) {
      logger.warn({ task: task.name, err: (err as Error).message }, 'LLM answer unusable; the local coach answers');
      return draft;
    }
  }

  return {
    provider: 'openai',
    guard,
    complete,
    hint: async (req) => withFallback(TASKS.hint, req, hintBlocks(req), await local.hint(req), shapeHint),
    interview: async (req) => withFallback(TASKS.interview, req, interviewBlocks(req), await local.interview(req), shapeInterview(req.trigger)),
    analyze: async (ctx) => withFallback(TASKS.analyze, ctx, [], await local.analyze(ctx), shapeAnalysis),
    review: async (ctx) => withFallback(TASKS.review, ctx, [], await local.review(ctx), shapeReview),
  };
}
