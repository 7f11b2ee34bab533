/**
 * Picks the LLM adapter from configuration (`LLM_PROVIDER`: `local`, the default, or `openai`) and the
 * speech-to-text client (an OpenAI-compatible `/audio/transcriptions` when `OPENAI_TRANSCRIPTION_MODEL` is set).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { createBreaker } from '../breaker.js';
import { ServiceUnavailableError } from '../errors.js';
import { createLocalCoach } from './local/index.js';
import { createOpenAiCoach, type OpenAiAdapterOptions } from './openai/adapter.js';
import { serviceError, transcription } from './openai/client.js';
import type { LlmPort, TranscriptionPort } from './port.js';

export { LOCAL_MODEL, createLocalCoach } from './local/index.js';
export type * from './port.js';

export function openAiOptions(config: Config): OpenAiAdapterOptions {
  return {
    baseUrl: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    model: config.OPENAI_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    retryBaseMs: config.LLM_RETRY_BASE_MS,
    retryAfterMaxMs: config.LLM_RETRY_AFTER_MAX_MS,
    jsonMode: config.LLM_JSON_MODE,
    breakerResetMs: config.LLM_BREAKER_RESET_MS,
    breakerVolume: config.LLM_BREAKER_VOLUME,
  };
}

export function createLlm(config: Config, logger: Logger): LlmPort {
  const local = createLocalCoach();
  if (config.LLM_PROVIDER !== 'openai') return local;
  return createOpenAiCoach(openAiOptions(config), local, logger);
}

const unavailable = () =>
  new ServiceUnavailableError('AI', 'Speech-to-text is not configured', { retryAfter: 60 });

export function createTranscriber(config: Config): TranscriptionPort & { configured: boolean; shutdown(): void } {
  const options = openAiOptions(config);
  const model = config.OPENAI_TRANSCRIPTION_MODEL;
  const configured = model !== '' && config.LLM_PROVIDER === 'openai';
  const guard = createBreaker('AI', 'transcription', {
    timeoutMs: options.timeoutMs * (options.maxRetries + 1) + 1000,
    resetMs: options.breakerResetMs,
    volumeThreshold: options.breakerVolume,
  });
  return {
    configured,
    shutdown: () => guard.breaker.shutdown(),
    async transcribe(audio, mimeType, language) {
      if (!configured) throw unavailable();
      try {
        return await guard(() => transcription(options, model, audio, mimeType, language));
      } catch (err) {
        throw serviceError(err);
      }
    },
  };
}
