/**
 * Per task: the extra prompt blocks, and how a validated LLM answer becomes the result — each field sanitised
 * (src/infra/llm/openai/sanitize.ts) and replaced by the deterministic coach's field when it is unusable.
 */
import type { CodeAnalysisResult, InterviewTrigger } from '../../../domain/ai/events.js';
import type { HintAnswer, HintRequest, InterviewAnswer, InterviewRequest, ReviewAnswer } from '../port.js';
import { block } from './prompts.js';
import { clip, safeText } from './sanitize.js';
import type { AnalysisOutput, HintOutput, InterviewOutput, ReviewOutput } from './schemas.js';

export function hintBlocks(req: HintRequest): string[] {
  return [
    block('HINT_LEVEL', `${req.level} (iteration ${req.iteration}, ${req.stage})`),
    ...(req.problem?.ladder ? [block('AUTHORED_HINT_LADDER', JSON.stringify(req.problem.ladder))] : []),
    ...(req.previousHint ? [block('PREVIOUS_HINT', req.previousHint)] : []),
    ...(req.reflection ? [block('LEARNER_REFLECTION', req.reflection)] : []),
  ];
}

export function interviewBlocks(req: InterviewRequest): string[] {
  return [
    block('TRIGGER', `${req.trigger}${req.signals.reason ? ` (${req.signals.reason})` : ''}`),
    block('INTERACTION_SIGNALS', JSON.stringify(req.signals)),
    block('CONVERSATION', req.conversation.map((m) => `${m.role}: ${m.content}`).join('\n')),
    ...(req.userMessage ? [block('LATEST_USER_MESSAGE', req.userMessage)] : []),
  ];
}

/** Optional fields follow the draft: the LLM may reword them, never add one the rules leave out. */
export function shapeHint(out: HintOutput, draft: HintAnswer, lines: number): HintAnswer {
  return {
    hint: safeText(out.hint, 900, lines) ?? draft.hint,
    suggestedApproach: draft.suggestedApproach ? (safeText(out.suggestedApproach, 220, lines) ?? draft.suggestedApproach) : null,
    reflectionPrompt: draft.reflectionPrompt ? (safeText(out.reflectionPrompt, 180, lines) ?? draft.reflectionPrompt) : null,
  };
}

/** A proactive turn may stay silent; a candidate's message is always answered. */
export function shapeInterview(trigger: InterviewTrigger) {
  return (out: InterviewOutput, draft: InterviewAnswer, lines: number): InterviewAnswer => {
    if (trigger === 'proactive' && !out.shouldRespond) return { shouldRespond: false, message: null, followUpQuestion: null, codeAnnotations: [] };
    return {
      shouldRespond: true,
      message: safeText(out.message, 500, lines) ?? draft.message,
      followUpQuestion: safeText(out.followUpQuestion, 240, lines),
      codeAnnotations: (out.codeAnnotations ?? [])
        .filter((a) => a.line <= lines && safeText(a.comment, 420, lines) !== null)
        .slice(0, 3)
        .map((a) => ({ line: a.line, comment: clip(a.comment, 420) })),
    };
  };
}

export function shapeAnalysis(out: AnalysisOutput, draft: CodeAnalysisResult, lines: number): CodeAnalysisResult {
  const questions = out.followUpQuestions.map((q) => safeText(q, 140, lines)).filter((q): q is string => q !== null).slice(0, 3);
  return {
    summary: safeText(out.summary, 320, lines) ?? draft.summary,
    focusAreas: {
      complexity: safeText(out.focusAreas.complexity, 220, lines) ?? draft.focusAreas.complexity,
      edgeCases: safeText(out.focusAreas.edgeCases, 220, lines) ?? draft.focusAreas.edgeCases,
      readability: safeText(out.focusAreas.readability, 220, lines) ?? draft.focusAreas.readability,
    },
    followUpQuestions: questions.length >= 2 ? questions : draft.followUpQuestions,
  };
}

export function shapeReview(out: ReviewOutput, draft: ReviewAnswer, lines: number): ReviewAnswer {
  const categories = out.categories
    .map((c) => ({ name: clip(c.name, 60), score: Math.round(c.score), feedback: safeText(c.feedback, 300, lines) ?? '' }))
    .filter((c) => c.feedback);
  if (categories.length === 0) return draft;
  return { overallScore: Math.round(out.overallScore), categories, summary: safeText(out.summary, 500, lines) ?? draft.summary };
}
