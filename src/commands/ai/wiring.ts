/**
 * The AI module's wiring: today's AI usage for GET /users/me/quotas — hints, interviewer turns, code analyses and
 * reviews the user asked for since the start of the UTC day.
 */
import { countAnalysesSince } from '../../projections/ai-analyses/queries.js';
import { countHintsSince } from '../../projections/ai-hints/queries.js';
import { countInterviewTurnsSince } from '../../projections/ai-interviewer/queries.js';
import { countReviewsSince } from '../../projections/ai-reviews/queries.js';
import { quotaUsageSources } from '../../projections/users/usage.js';
import type { AppContext } from '../../composition/context.js';

let registered = false;

export function aiWiring(_ctx: AppContext): void {
  if (registered) return;
  registered = true;
  quotaUsageSources.ai.push(countHintsSince, countInterviewTurnsSince, countAnalysesSince, countReviewsSince);
}
