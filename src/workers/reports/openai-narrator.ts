/**
 * The report narrator over any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp
 * server): JSON mode, low temperature, bounded by LLM_TIMEOUT_MS. Any transport or format problem throws, and the
 * caller keeps the deterministic report.
 */
import type { ReportNarrator } from '../../commands/reports/generate.js';
import type { Config } from '../../config.js';
import type { NarrativePrompt } from '../../domain/report/narrative.js';

export function openAiNarrator(config: Pick<Config, 'OPENAI_BASE_URL' | 'OPENAI_API_KEY' | 'OPENAI_MODEL' | 'LLM_TIMEOUT_MS'>): ReportNarrator {
  const url = `${config.OPENAI_BASE_URL.replace(/\/+$/, '')}/chat/completions`;
  return {
    model: config.OPENAI_MODEL,
    async rewrite(prompt: NarrativePrompt): Promise<unknown> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(config.OPENAI_API_KEY ? { authorization: `Bearer ${config.OPENAI_API_KEY}` } : {}) },
        body: JSON.stringify({
          model: config.OPENAI_MODEL,
          temperature: 0.1,
          max_tokens: 2500,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: prompt.system },
            { role: 'user', content: prompt.user },
          ],
        }),
        signal: AbortSignal.timeout(config.LLM_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`LLM answered ${response.status}`);
      const body = (await response.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
      const content = body.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new Error('LLM answer has no message content');
      const start = content.indexOf('{');
      const end = content.lastIndexOf('}');
      if (start < 0 || end <= start) throw new Error('LLM answer is not a JSON object');
      return JSON.parse(content.slice(start, end + 1)) as unknown;
    },
  };
}

/** The narrator configured for this deployment, or undefined for the deterministic report alone. */
export function narratorOf(config: Config): ReportNarrator | undefined {
  return config.LLM_PROVIDER === 'openai' ? openAiNarrator(config) : undefined;
}
