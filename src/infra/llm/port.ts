/**
 * The LLM port: what the coach and the interviewer are asked, and what they answer. Two adapters: `local` (a
 * deterministic coach computed from the session's facts, no network) and `openai` (any OpenAI-compatible
 * chat-completions endpoint, falling back to `local`). Every answer names the model that produced it.
 *
 * The context is built by the caller from the read models and is already redacted: it holds the visible test
 * cases only, and for hidden ones nothing but their count and verdict class.
 */
import type { CodeAnalysisResult, CodeAnnotation, CodeContextView, HintLevel, InterviewTrigger, ReviewCategory } from '../../domain/ai/events.js';
import type { HintLadder } from '../../domain/problem/content.js';

export interface ProblemFacts {
  title: string;
  description: string;
  constraints: string | null;
  difficulty: string;
  tags: string[];
  examples: Array<{ input: string; output: string }>;
  /** The problem's authored three-step ladder, when it has one. */
  ladder: HintLadder | null;
}

/** A visible test case the latest execution failed. */
export interface FailedCase {
  /** 1-based position among the problem's test cases. */
  number: number;
  verdict: string;
  input: string;
  expected: string | null;
  actual: string | null;
  stderr: string | null;
}

export interface ExecutionFacts {
  source: 'submission' | 'run';
  id: string;
  at: string;
  /** AC/WA/TLE/MLE/OLE/RE/CE/IE for submissions, OK/TLE/… for runs; null while pending. */
  verdict: string | null;
  passed: number;
  total: number;
  /** The code it ran is exactly the code being asked about. */
  sameCode: boolean;
  failedVisible: FailedCase[];
  /** Hidden cases that failed, by verdict class only. */
  hiddenFailures: Record<string, number>;
  compileError: string | null;
  /** stderr of a run, or of the first failing visible case. */
  stderr: string | null;
  stdin: string | null;
  stdout: string | null;
}

export interface StaticFacts {
  diagnostics: Array<{ line: number | null; severity: string; message: string; rule: string | null }>;
  complexity: Array<{ functionName: string; startLine: number; endLine: number | null; cyclomaticComplexity: number }>;
}

export interface CoachContext {
  language: string;
  code: string;
  problem: ProblemFacts | null;
  execution: ExecutionFacts | null;
  analysis: StaticFacts | null;
  /** Room phase: waiting, warmup, coding, wrapup, finished. */
  phase: string;
  /** Earlier hints of this user in the room, oldest first. */
  previousHints: Array<{ level: HintLevel; hint: string }>;
  /** The interviewer conversation so far, oldest first. */
  conversation: Array<{ role: 'user' | 'assistant'; content: string }>;
}

export interface HintRequest extends CoachContext {
  level: HintLevel;
  phase: string;
  stage: 'initial' | 'follow_up';
  iteration: number;
  previousHint: string | null;
  reflection: string | null;
}

export interface HintAnswer {
  hint: string;
  suggestedApproach: string | null;
  reflectionPrompt: string | null;
}

export interface InterviewSignals {
  reason: string | null;
  elapsedSeconds: number;
  secondsSinceLastEditorActivity: number | null;
  secondsSinceLastUserMessage: number | null;
  hintCount: number;
}

export interface InterviewRequest extends CoachContext {
  trigger: InterviewTrigger;
  userMessage: string | null;
  signals: InterviewSignals;
  codeContext: CodeContextView | null;
}

export interface InterviewAnswer {
  shouldRespond: boolean;
  message: string | null;
  followUpQuestion: string | null;
  codeAnnotations: CodeAnnotation[];
}

export interface ReviewAnswer {
  overallScore: number;
  categories: ReviewCategory[];
  summary: string;
}

export interface Answer<T> {
  result: T;
  model: string;
}

export interface LlmPort {
  readonly provider: 'local' | 'openai';
  hint(request: HintRequest): Promise<Answer<HintAnswer>>;
  interview(request: InterviewRequest): Promise<Answer<InterviewAnswer>>;
  analyze(request: CoachContext): Promise<Answer<CodeAnalysisResult>>;
  review(request: CoachContext): Promise<Answer<ReviewAnswer>>;
}

export interface TranscriptionPort {
  /** Text of the audio; throws a ServiceUnavailableError (AI_SERVICE_UNAVAILABLE) when no transcription service is configured. */
  transcribe(audio: Buffer, mimeType: string, language: string | null): Promise<string>;
}
