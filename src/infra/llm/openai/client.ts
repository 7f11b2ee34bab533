/**
 * A minimal OpenAI-compatible HTTP client over fetch (works with OpenAI, Ollama, vLLM, llama.cpp server, LM Studio):
 * `POST {base}/chat/completions` and `POST {base}/audio/transcriptions`. Each attempt has its own timeout; 408, 429
 * and 5xx answers and network errors are retried, waiting what `Retry-After` asks (capped) or an exponential
 * back-off; anything else fails at once.
 */
import { isServiceError, ServiceUnavailableError, UpstreamTimeoutError, type ServiceError } from '../../errors.js';

export interface OpenAiClientOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  retryBaseMs: number;
  /** Longest wait a Retry-After header may impose before the client gives up instead. */
  retryAfterMaxMs: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  temperature: number;
  maxTokens: number;
  json: boolean;
}

export class LlmCallError extends Error {
  constructor(
    message: string,
    readonly kind: 'http' | 'timeout' | 'network' | 'protocol',
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'LlmCallError';
  }
}

/** The error a caller waiting on the LLM sees: 504 AI_SERVICE_TIMEOUT for timeouts, else 503 AI_SERVICE_UNAVAILABLE. */
export function serviceError(err: unknown): ServiceError {
  if (isServiceError(err)) return err;
  if (err instanceof LlmCallError && err.kind === 'timeout') return new UpstreamTimeoutError('AI', 'The AI service did not answer in time', { reason: err.message });
  return new ServiceUnavailableError('AI', 'The AI service is unavailable', { retryAfter: 10, reason: (err as Error).message.slice(0, 200) });
}

const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function endpoint(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

async function attempt(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch (err) {
    if (controller.signal.aborted) throw new LlmCallError(`no answer within ${timeoutMs} ms`, 'timeout');
    throw new LlmCallError(`request failed: ${(err as Error).message}`, 'network');
  } finally {
    clearTimeout(timer);
  }
}

/** One request with the retry policy; the response is read (and returned) only on success. */
export async function callWithRetries(options: OpenAiClientOptions, path: string, init: () => RequestInit): Promise<unknown> {
  let lastError = new LlmCallError('no attempt made', 'network');
  let lastWait = 0;
  for (let i = 0; i <= options.maxRetries; i++) {
    if (i > 0) await sleep(lastWait);
    let res: Response;
    try {
      res = await attempt(endpoint(options.baseUrl, path), init(), options.timeoutMs);
    } catch (err) {
      lastError = err as LlmCallError;
      lastWait = options.retryBaseMs * 2 ** i;
      continue;
    }
    if (res.ok) {
      try {
        return await res.json();
      } catch {
        throw new LlmCallError('the answer is not JSON', 'protocol', res.status);
      }
    }
    const body = (await res.text().catch(() => '')).slice(0, 200);
    lastError = new LlmCallError(`HTTP ${res.status}: ${body}`, 'http', res.status);
    if (!RETRYABLE(res.status)) throw lastError;
    const asked = retryAfterMs(res.headers.get('retry-after'));
    if (asked !== null && asked > options.retryAfterMaxMs) throw lastError;
    lastWait = asked ?? options.retryBaseMs * 2 ** i;
  }
  throw lastError;
}

function headers(options: OpenAiClientOptions, json: boolean): Record<string, string> {
  return { ...(json ? { 'content-type': 'application/json' } : {}), ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
}

/** The assistant message's text of one chat completion. */
export async function chatCompletion(options: OpenAiClientOptions, messages: ChatMessage[], chat: ChatOptions): Promise<string> {
  const body = JSON.stringify({
    model: options.model,
    messages,
    temperature: chat.temperature,
    max_tokens: chat.maxTokens,
    ...(chat.json ? { response_format: { type: 'json_object' } } : {}),
  });
  const answer = (await callWithRetries(options, '/chat/completions', () => ({ method: 'POST', headers: headers(options, true), body }))) as {
    choices?: Array<{ message?: { content?: unknown } }>;
  };
  const content = answer?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new LlmCallError('no message content in the answer', 'protocol');
  return content;
}

/** Text of an audio file (`/audio/transcriptions`, multipart). */
export async function transcription(options: OpenAiClientOptions, model: string, audio: Buffer, mimeType: string, language: string | null): Promise<string> {
  const extension = mimeType.split('/')[1]?.split(';')[0] ?? 'webm';
  const answer = (await callWithRetries(options, '/audio/transcriptions', () => {
    const form = new FormData();
    form.append('file', new Blob([audio], { type: mimeType }), `audio.${extension === 'mpeg' ? 'mp3' : extension}`);
    form.append('model', model);
    if (language) form.append('language', language);
    return { method: 'POST', headers: headers(options, false), body: form };
  })) as { text?: unknown };
  if (typeof answer?.text !== 'string') throw new LlmCallError('no text in the transcription', 'protocol');
  return answer.text;
}
