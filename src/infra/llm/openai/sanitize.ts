/**
 * Output sanitising (docs/ai.md): a field that repeats an injection phrase, swears, thinks aloud ("wait,",
 * "actually,") or names a line the candidate's code does not have is dropped, and the caller uses the deterministic
 * coach's field instead.
 */
const UNSAFE = [
  /ignore (all |any )?(previous|prior|above) (instructions|rules)/i,
  /system prompt|developer message|<\/?untrusted_/i,
  /\bas an ai( language model)?\b/i,
  /\b(fuck|shit|bitch|bastard|asshole)\w*/i,
  /^\s*(wait|actually|hmm+|let me think)\b[,.]/im,
];

export function isUnsafe(text: string): boolean {
  return UNSAFE.some((re) => re.test(text));
}

/** Every "line N" / "L N" mentioned exists in code of `lineCount` lines. */
export function linesExist(text: string, lineCount: number): boolean {
  for (const m of text.matchAll(/\b(?:line|L)\s?(\d{1,6})\b/g)) {
    const n = Number(m[1]);
    if (n < 1 || n > lineCount) return false;
  }
  return true;
}

export function clip(text: string, max: number): string {
  const t = text.replace(/\n{3,}/g, '\n\n').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** The text when it is safe and grounded, else null. */
export function safeText(text: string | null | undefined, max: number, lineCount: number): string | null {
  if (typeof text !== 'string' || !text.trim()) return null;
  if (isUnsafe(text) || !linesExist(text, lineCount)) return null;
  return clip(text, max);
}
