/**
 * The AI aggregate (`ai-<sessionId>`): every request made to the coach or the interviewer and its one answer.
 * Rules kept here, against the events: a request is answered (or failed) once, so a retried job decides nothing
 * twice; a follow-up hint follows one of the asker's own hints in the same room; initial hints are limited per user
 * and room in a rolling window (the limit and window arrive in the command, from configuration); a proactive
 * interviewer turn still in flight is not asked for twice.
 */
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type {
  AiEvent,
  AiRequestKind,
  CodeAnalysisResult,
  CodeAnnotation,
  CodeContextView,
  HintLevel,
  InterviewTrigger,
  ReviewCategory,
} from './events.js';
import { followUpHintLevel, initialHintLevel } from './levels.js';

interface Scope {
  sessionId: string | null;
  roomId: string;
  userId: string;
}

export interface AiRequest extends Scope {
  kind: AiRequestKind;
  status: 'pending' | 'done' | 'failed';
  trigger: InterviewTrigger | null;
  level: HintLevel | null;
  phase: 'initial' | 'follow_up' | null;
  language: string | null;
  requestedAt: string;
}

export interface AiState {
  requests: Record<string, AiRequest>;
}

export interface HintRateLimit {
  max: number;
  windowMs: number;
}

export type AiCommand =
  | (Scope & {
      type: 'RequestHint';
      requestId: string;
      problemId: string;
      requestedLevel: HintLevel;
      followUpOf: string | null;
      reflection: string | null;
      noReply: boolean;
      language: string;
      code: string;
      /** null: not limited (rate limits switched off). */
      limit: HintRateLimit | null;
      now: string;
    })
  | {
      type: 'GiveHint';
      requestId: string;
      hint: string;
      suggestedApproach: string | null;
      reflectionPrompt: string | null;
      model: string;
      now: string;
    }
  | (Scope & {
      type: 'SendInterviewerMessage';
      messageId: string;
      trigger: InterviewTrigger;
      content: string;
      reason: string | null;
      code: string;
      language: string;
      codeContext: CodeContextView | null;
      now: string;
    })
  | {
      type: 'RecordInterviewerReply';
      jobId: string;
      messageId: string;
      content: string;
      shouldRespond: boolean;
      followUpQuestion: string | null;
      codeAnnotations: CodeAnnotation[];
      codeContext: CodeContextView | null;
      model: string;
      now: string;
    }
  | (Scope & { type: 'RequestCodeAnalysis' | 'RequestCodeReview'; jobId: string; language: string; code: string; codeHash: string; now: string })
  | { type: 'CompleteCodeAnalysis'; jobId: string; result: CodeAnalysisResult; model: string; now: string }
  | { type: 'CompleteCodeReview'; jobId: string; overallScore: number; categories: ReviewCategory[]; summary: string; model: string; now: string }
  | { type: 'FailAiRequest'; requestId: string; reason: string; now: string };

export const aiErrors = {
  hintRateLimited: (retryAfter: number, limit: number) =>
    new DomainError('AI_HINT_RATE_LIMIT', 'Too many hints requested in this room; try again later', { retryAfter, limit }),
  followUpNotFound: () =>
    new DomainError('VALIDATION_FAILED/unknown-reference', 'Hint to follow up not found', {
      fields: [{ field: 'followUpToHintId', constraint: 'exists', value: null }],
    }),
};

const scopeOf = (r: Scope): Scope => ({ sessionId: r.sessionId, roomId: r.roomId, userId: r.userId });

/** Initial hints of one user in one room, oldest first. */
function initialHints(state: AiState, userId: string, roomId: string): AiRequest[] {
  return Object.values(state.requests)
    .filter((r) => r.kind === 'hint' && r.phase === 'initial' && r.userId === userId && r.roomId === roomId)
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

function decideHint(command: Extract<AiCommand, { type: 'RequestHint' }>, state: AiState): AiEvent[] {
  if (state.requests[command.requestId]) return [];
  const now = Date.parse(command.now);
  const mine = initialHints(state, command.userId, command.roomId);
  let level: HintLevel;
  let iteration: number;
  if (command.followUpOf !== null) {
    const previous = state.requests[command.followUpOf];
    if (!previous || previous.kind !== 'hint' || previous.userId !== command.userId || previous.roomId !== command.roomId) {
      throw aiErrors.followUpNotFound();
    }
    level = followUpHintLevel(command.requestedLevel, previous.level ?? 'subtle', command.reflection, command.noReply);
    iteration = Math.max(mine.length, 1);
  } else {
    if (command.limit) {
      const recent = mine.filter((r) => now - Date.parse(r.requestedAt) < command.limit!.windowMs);
      if (recent.length >= command.limit.max) {
        const oldest = Date.parse(recent[recent.length - command.limit.max]!.requestedAt);
        throw aiErrors.hintRateLimited(Math.max(1, Math.ceil((oldest + command.limit.windowMs - now) / 1000)), command.limit.max);
      }
    }
    iteration = mine.length + 1;
    level = initialHintLevel(command.requestedLevel, iteration);
  }
  return [
    {
      type: 'HintRequested',
      data: {
        requestId: command.requestId,
        ...scopeOf(command),
        problemId: command.problemId,
        level,
        followUpOf: command.followUpOf,
        requestedAt: command.now,
        requestedLevel: command.requestedLevel,
        phase: command.followUpOf ? 'follow_up' : 'initial',
        iteration,
        reflection: command.reflection,
        noReply: command.noReply,
        language: command.language,
        code: command.code,
      },
    },
  ];
}

/** The pending request a result is for; null when it is unknown, of another kind, or already answered. */
function pending(state: AiState, id: string, kind: AiRequestKind): AiRequest | null {
  const r = state.requests[id];
  return r && r.kind === kind && r.status === 'pending' ? r : null;
}

function decideAnswer(command: AiCommand, state: AiState): AiEvent[] {
  switch (command.type) {
    case 'GiveHint': {
      const r = pending(state, command.requestId, 'hint');
      if (!r) return [];
      const { type: _t, now, ...answer } = command;
      return [{ type: 'HintGiven', data: { ...answer, ...scopeOf(r), level: r.level ?? 'subtle', givenAt: now } }];
    }
    case 'RecordInterviewerReply': {
      const r = pending(state, command.jobId, 'interviewer');
      if (!r) return [];
      const { type: _t, now, ...reply } = command;
      return [{ type: 'InterviewerReplied', data: { ...reply, ...scopeOf(r), repliedAt: now } }];
    }
    case 'CompleteCodeAnalysis': {
      const r = pending(state, command.jobId, 'analysis');
      if (!r) return [];
      return [{ type: 'CodeAnalysisCompleted', data: { jobId: command.jobId, ...scopeOf(r), language: r.language ?? '', result: command.result, model: command.model, completedAt: command.now } }];
    }
    case 'CompleteCodeReview': {
      const r = pending(state, command.jobId, 'review');
      if (!r) return [];
      const { type: _t, now, ...review } = command;
      return [{ type: 'CodeReviewCompleted', data: { ...review, ...scopeOf(r), language: r.language ?? '', completedAt: now } }];
    }
    case 'FailAiRequest': {
      const r = state.requests[command.requestId];
      if (!r || r.status !== 'pending') return [];
      return [{ type: 'AiRequestFailed', data: { requestId: command.requestId, ...scopeOf(r), kind: r.kind, reason: command.reason, failedAt: command.now } }];
    }
    default:
      return [];
  }
}

function request(scope: Scope, kind: AiRequestKind, requestedAt: string, extra: Partial<AiRequest> = {}): AiRequest {
  return { ...scopeOf(scope), kind, status: 'pending', trigger: null, level: null, phase: null, language: null, requestedAt, ...extra };
}

function settle(state: AiState, id: string, status: 'done' | 'failed'): AiState {
  const r = state.requests[id];
  return r ? withRequest(state, id, { ...r, status }) : state;
}

function withRequest(state: AiState, id: string, r: AiRequest): AiState {
  return { requests: { ...state.requests, [id]: r } };
}

export const aiDecider: Decider<AiCommand, AiState, AiEvent> = {
  initialState: () => ({ requests: {} }),

  evolve(state, event) {
    switch (event.type) {
      case 'HintRequested':
        return withRequest(state, event.data.requestId, request(event.data, 'hint', event.data.requestedAt, { level: event.data.level, phase: event.data.phase }));
      case 'InterviewerMessageSent':
        return withRequest(state, event.data.jobId, request(event.data, 'interviewer', event.data.sentAt, { trigger: event.data.trigger }));
      case 'CodeAnalysisRequested':
        return withRequest(state, event.data.jobId, request(event.data, 'analysis', event.data.requestedAt, { language: event.data.language }));
      case 'CodeReviewRequested':
        return withRequest(state, event.data.jobId, request(event.data, 'review', event.data.requestedAt, { language: event.data.language }));
      case 'HintGiven':
        return settle(state, event.data.requestId, 'done');
      case 'InterviewerReplied':
      case 'CodeAnalysisCompleted':
      case 'CodeReviewCompleted':
        return settle(state, event.data.jobId, 'done');
      case 'AiRequestFailed':
        return settle(state, event.data.requestId, 'failed');
      default:
        return state;
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RequestHint':
        return decideHint(command, state);
      case 'SendInterviewerMessage': {
        if (state.requests[command.messageId]) return [];
        const { type: _t, now, messageId, ...message } = command;
        return [{ type: 'InterviewerMessageSent', data: { messageId, jobId: messageId, ...message, sentAt: now } }];
      }
      case 'RequestCodeAnalysis':
      case 'RequestCodeReview': {
        if (state.requests[command.jobId]) return [];
        const { type, now, ...data } = command;
        return [
          type === 'RequestCodeAnalysis'
            ? { type: 'CodeAnalysisRequested', data: { ...data, requestedAt: now } }
            : { type: 'CodeReviewRequested', data: { ...data, requestedAt: now } },
        ];
      }
      default:
        return decideAnswer(command, state);
    }
  },
};

/** A proactive interviewer turn of this user in this room still waiting for its answer (asked again → same job). */
export function pendingProactiveTurn(state: AiState, userId: string, roomId: string): string | null {
  for (const [id, r] of Object.entries(state.requests)) {
    if (r.kind === 'interviewer' && r.trigger === 'proactive' && r.status === 'pending' && r.userId === userId && r.roomId === roomId) return id;
  }
  return null;
}
