/**
 * The report narrator over the AI plane's OpenAI-compatible client (OpenAI, Ollama, vLLM, llama.cpp server): JSON
 * mode, low temperature, the client's timeouts and retries. Any transport or format problem throws, and the caller
 * keeps the deterministic report.
 */
import type { ReportNarrator } from '../../commands/reports/generate.js';
import type { Config } from '../../config.js';
import type { NarrativePrompt } from '../../domain/report/narrative.js';
import { openAiOptions } from '../../infra/llm/index.js';
import { chatCompletion, type OpenAiClientOptions } from '../../infra/llm/openai/client.js';

export function openAiNarrator(options: OpenAiClientOptions & { jsonMode?: boolean }): ReportNarrator {
  return {
    model: options.model,
    async rewrite(prompt: NarrativePrompt): Promise<unknown> {
      const content = await chatCompletion(
        options,
        [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        { temperature: 0.1, maxTokens: 2500, json: options.jsonMode ?? true },
      );
      const start = content.indexOf('{');
      const end = content.lastIndexOf('}');
      if (start < 0 || end <= start) throw new Error('LLM answer is not a JSON object');
      return JSON.parse(content.slice(start, end + 1)) as unknown;
    },
  };
}

/** The narrator configured for this deployment, or undefined for the deterministic report alone. */
export function narratorOf(config: Config): ReportNarrator | undefined {
  return config.LLM_PROVIDER === 'openai' ? openAiNarrator(openAiOptions(config)) : undefined;
}
