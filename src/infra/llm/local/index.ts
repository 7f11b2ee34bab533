/**
 * The `local` adapter: the deterministic coach (docs/ai.md). No network, no randomness — the same session facts
 * give the same answer — and it is the fallback of the `openai` adapter.
 */
import type { LlmPort } from '../port.js';
import { localHint } from './hints.js';
import { localInterview } from './interviewer.js';
import { localAnalysis, localReview } from './review.js';

export const LOCAL_MODEL = 'syncode-local-coach-v1';

export function createLocalCoach(): LlmPort {
  return {
    provider: 'local',
    hint: async (req) => ({ result: localHint(req), model: LOCAL_MODEL }),
    interview: async (req) => ({ result: localInterview(req), model: LOCAL_MODEL }),
    analyze: async (req) => ({ result: localAnalysis(req), model: LOCAL_MODEL }),
    review: async (req) => ({ result: localReview(req), model: LOCAL_MODEL }),
  };
}
