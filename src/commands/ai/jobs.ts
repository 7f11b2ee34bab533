/**
 * The AI plane's queues (names of the contract) and job payloads. Job id = request id, so enqueueing twice queues one job.
 * Payloads carry ids and the request's own inputs; the worker reads the session's facts when it runs.
 */
import type { JobsOptions } from 'bullmq';
import { defaultJobOptions } from '../../infra/queue/bullmq.js';

export const HINT_QUEUE = 'ai.generate-hint';
export const INTERVIEW_QUEUE = 'ai.interview-response';
export const ANALYSIS_QUEUE = 'ai.code-analysis';
export const REVIEW_QUEUE = 'ai.review-code';
/** The realtime queues of the AI plane, one job kind each (batch jobs — reports — live elsewhere). */
export const AI_REALTIME_QUEUES = [HINT_QUEUE, INTERVIEW_QUEUE, ANALYSIS_QUEUE, REVIEW_QUEUE] as const;

interface JobBase {
  requestId: string;
  /** `ai-<sessionId>` or `ai-room-<roomId>`. */
  stream: string;
  roomId: string;
  userId: string;
  traceId: string;
}

export interface HintJob extends JobBase {
  kind: 'hint';
}

export interface InterviewJob extends JobBase {
  kind: 'interviewer';
  signals: {
    reason: string | null;
    secondsSinceLastEditorActivity: number | null;
    secondsSinceLastUserMessage: number | null;
  };
}

export interface CodeJob extends JobBase {
  kind: 'analysis' | 'review';
}

export type AiJob = HintJob | InterviewJob | CodeJob;

export const QUEUE_OF: Record<AiJob['kind'], string> = {
  hint: HINT_QUEUE,
  interviewer: INTERVIEW_QUEUE,
  analysis: ANALYSIS_QUEUE,
  review: REVIEW_QUEUE,
};

/** Realtime jobs: priority 1 (BullMQ serves lower numbers first), a short back-off, two attempts. */
export const aiJobOptions: JobsOptions = { ...defaultJobOptions, attempts: 2, backoff: { type: 'exponential', delay: 500 }, priority: 1 };
