/**
 * The context's LLM adapter, speech-to-text client and AI queue breaker, created on first use (one per context, so
 * every test harness has its own breakers).
 */
import { createBreaker, type Guarded } from '../../infra/breaker.js';
import { createLlm, createTranscriber, type LlmPort, type TranscriptionPort } from '../../infra/llm/index.js';
import type { AppContext } from '../../runtime/context.js';

interface AiAdapters {
  llm: LlmPort;
  transcriber: TranscriptionPort & { configured: boolean; shutdown(): void };
  queueGuard: Guarded & ReturnType<typeof createBreaker>;
}

const adapters = new WeakMap<AppContext, AiAdapters>();

export function aiOf(ctx: AppContext): AiAdapters {
  let a = adapters.get(ctx);
  if (!a) {
    a = {
      llm: createLlm(ctx.config, ctx.logger),
      transcriber: createTranscriber(ctx.config),
      queueGuard: createBreaker('AI', 'ai-queue', { timeoutMs: ctx.config.AI_QUEUE_TIMEOUT_MS, resetMs: 10_000 }),
    };
    adapters.set(ctx, a);
    const created = a;
    // Breakers keep rolling-window timers; close them with the context.
    ctx.closers.push(async () => {
      created.queueGuard.breaker.shutdown();
      (created.llm as { guard?: { breaker: { shutdown(): void } } }).guard?.breaker.shutdown();
      created.transcriber.shutdown();
    });
  }
  return a;
}

/** Replace the LLM adapter of a context (the benchmark and tests point it at a protocol server they start). */
export function useLlm(ctx: AppContext, llm: LlmPort): void {
  aiOf(ctx).llm = llm;
}
