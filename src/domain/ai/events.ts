/**
 * The AI plane's events, on one stream per session (`ai-<sessionId>`), or per room while it has no session yet
 * (`ai-room-<roomId>`). Every event names the session, the room and the user who asked or is addressed, so the
 * timeline, the read models and the session report read them without joins. Field names are a contract with the
 * report module: add optional fields, never rename.
 */
import type { DomainEvent } from '../shared/decider.js';

export const HINT_LEVELS = ['subtle', 'moderate', 'direct'] as const;
export type HintLevel = (typeof HINT_LEVELS)[number];

export const AI_REQUEST_KINDS = ['hint', 'interviewer', 'analysis', 'review'] as const;
export type AiRequestKind = (typeof AI_REQUEST_KINDS)[number];

export type InterviewTrigger = 'user_message' | 'proactive';

interface Scope {
  sessionId: string | null;
  roomId: string;
  userId: string;
}

export interface CodeAnnotation {
  line: number;
  comment: string;
}

export interface CodeContextView {
  language: string;
  file: string;
  codeSnippet: string;
  startLine: number;
  endLine: number;
}

export interface CodeAnalysisResult {
  summary: string;
  focusAreas: { complexity: string; edgeCases: string; readability: string };
  followUpQuestions: string[];
}

export interface ReviewCategory {
  name: string;
  score: number;
  feedback: string;
}

export type HintRequested = DomainEvent<
  'HintRequested',
  Scope & {
    requestId: string;
    problemId: string;
    /** The level the hint is written at, after adaptive escalation. */
    level: HintLevel;
    followUpOf: string | null;
    requestedAt: string;
    /** What the client asked for, before escalation. */
    requestedLevel: HintLevel;
    phase: 'initial' | 'follow_up';
    /** 1 for the user's first hint in the room, then counting initial hints. */
    iteration: number;
    reflection: string | null;
    noReply: boolean;
    language: string;
    code: string;
  }
>;

export type HintGiven = DomainEvent<
  'HintGiven',
  Scope & {
    requestId: string;
    level: HintLevel;
    hint: string;
    model: string;
    givenAt: string;
    suggestedApproach: string | null;
    reflectionPrompt: string | null;
  }
>;

export type InterviewerMessageSent = DomainEvent<
  'InterviewerMessageSent',
  Scope & {
    messageId: string;
    /** The job answering this message (the same id: one reply per message). */
    jobId: string;
    trigger: InterviewTrigger;
    /** The candidate's words; empty for a proactive turn. */
    content: string;
    /** Why a proactive turn was asked for (session_joined, user_idle, code_ran, …). */
    reason: string | null;
    sentAt: string;
    /** The candidate's code when they spoke, and the part of it they pointed at. */
    code: string;
    language: string;
    codeContext: CodeContextView | null;
  }
>;

export type InterviewerReplied = DomainEvent<
  'InterviewerReplied',
  Scope & {
    messageId: string;
    jobId: string;
    /** Empty when the interviewer chose to stay silent on a proactive turn. */
    content: string;
    shouldRespond: boolean;
    followUpQuestion: string | null;
    codeAnnotations: CodeAnnotation[];
    codeContext: CodeContextView | null;
    model: string;
    repliedAt: string;
  }
>;

export type CodeAnalysisRequested = DomainEvent<
  'CodeAnalysisRequested',
  Scope & { jobId: string; language: string; code: string; codeHash: string; requestedAt: string }
>;

export type CodeAnalysisCompleted = DomainEvent<
  'CodeAnalysisCompleted',
  Scope & { jobId: string; language: string; result: CodeAnalysisResult; model: string; completedAt: string }
>;

export type CodeReviewRequested = DomainEvent<
  'CodeReviewRequested',
  Scope & { jobId: string; language: string; code: string; codeHash: string; requestedAt: string }
>;

export type CodeReviewCompleted = DomainEvent<
  'CodeReviewCompleted',
  Scope & {
    jobId: string;
    language: string;
    overallScore: number;
    categories: ReviewCategory[];
    summary: string;
    model: string;
    completedAt: string;
  }
>;

export type AiRequestFailed = DomainEvent<
  'AiRequestFailed',
  Scope & { requestId: string; kind: AiRequestKind; reason: string; failedAt: string }
>;

export type AiEvent =
  | HintRequested
  | HintGiven
  | InterviewerMessageSent
  | InterviewerReplied
  | CodeAnalysisRequested
  | CodeAnalysisCompleted
  | CodeReviewRequested
  | CodeReviewCompleted
  | AiRequestFailed;

/** The stream of a session's AI traffic, or of a room's before its session starts. */
export function aiStream(sessionId: string | null, roomId: string): string {
  return sessionId ? `ai-${sessionId}` : `ai-room-${roomId}`;
}
