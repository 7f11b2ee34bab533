/**
 * The AI adapters of a process: the LLM, the speech-to-text client and the breaker around the AI queues. The
 * composition root creates one set per context (so every test harness has its own breakers) and closes them with it.
 */
import { createBreaker, type Guarded } from '../../infra/breaker.js';
import { createLlm, createTranscriber, type LlmPort, type TranscriptionPort } from '../../infra/llm/index.js';
import type { Config } from '../../config.js';
import type { Logger } from 'pino';

export interface AiAdapters {
  llm: LlmPort;
  transcriber: TranscriptionPort & { configured: boolean; shutdown(): void };
  queueGuard: Guarded & ReturnType<typeof createBreaker>;
}

export function createAiAdapters(config: Config, logger: Logger, closers: Array<() => Promise<void>>): AiAdapters {
  const adapters: AiAdapters = {
    llm: createLlm(config, logger),
    transcriber: createTranscriber(config),
    queueGuard: createBreaker('AI', 'ai-queue', { timeoutMs: config.AI_QUEUE_TIMEOUT_MS, resetMs: 10_000 }),
  };
  const createdLlm = adapters.llm;
  const shutdownLlm = (llm: LlmPort) => (llm as { guard?: { breaker: { shutdown(): void } } }).guard?.breaker.shutdown();
  // Breakers keep rolling-window timers; close them with the context (the LLM it was created with, and the one a
  // test or benchmark put in its place).
  closers.push(async () => {
    adapters.queueGuard.breaker.shutdown();
    shutdownLlm(createdLlm);
    if (adapters.llm !== createdLlm) shutdownLlm(adapters.llm);
    adapters.transcriber.shutdown();
  });
  return adapters;
}

/** Replace the LLM adapter of a context (the benchmark and tests point it at a protocol server they start). */
export function useLlm(ctx: { ai: AiAdapters }, llm: LlmPort): void {
  ctx.ai.llm = llm;
}
