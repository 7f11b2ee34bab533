/**
 * Hint levels and adaptive escalation (docs/ai.md): a learner who keeps asking gets more concrete help.
 *   - initial hints: from the 2nd hint in a room a subtle request becomes moderate; from the 3rd every hint is direct;
 *   - follow-ups: a learner who does not answer the reflection question, or answers that they are lost, moves one
 *     level up from the hint they are following; otherwise the level of that hint is kept. Never below the request.
 */
import { HINT_LEVELS, type HintLevel } from './events.js';

const rank = (level: HintLevel) => HINT_LEVELS.indexOf(level);
export const higher = (a: HintLevel, b: HintLevel): HintLevel => (rank(a) >= rank(b) ? a : b);
export const escalate = (level: HintLevel): HintLevel => HINT_LEVELS[Math.min(rank(level) + 1, HINT_LEVELS.length - 1)]!;

export function initialHintLevel(requested: HintLevel, iteration: number): HintLevel {
  if (iteration >= 3) return 'direct';
  if (iteration >= 2 && requested === 'subtle') return 'moderate';
  return requested;
}

const LOST = /\b(no idea|don'?t know|dont know|not sure|stuck|lost|confused|help|no clue|idk)\b|^\s*\?+\s*$/i;

/** Does a reflection say the learner could not use the previous hint? */
export function reflectionShowsConfusion(reflection: string | null): boolean {
  if (reflection === null) return true;
  const text = reflection.trim();
  return text.length < 12 || LOST.test(text);
}

export function followUpHintLevel(requested: HintLevel, previous: HintLevel, reflection: string | null, noReply: boolean): HintLevel {
  const base = noReply || reflectionShowsConfusion(reflection) ? escalate(previous) : previous;
  return higher(base, requested);
}
