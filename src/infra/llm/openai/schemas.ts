/**
 * The JSON contracts an LLM answer must meet (TypeBox), and the lenient extraction of a JSON object from a reply
 * (code fences, prose around the object).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const OptionalText = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));
const Score = Type.Number({ minimum: 0, maximum: 100 });

export const HintOut = Type.Object({ hint: Text(2000), suggestedApproach: OptionalText(600), reflectionPrompt: OptionalText(400) });
export const InterviewOut = Type.Object({
  shouldRespond: Type.Boolean(),
  message: OptionalText(1200),
  followUpQuestion: OptionalText(600),
  codeAnnotations: Type.Optional(Type.Array(Type.Object({ line: Type.Integer({ minimum: 1 }), comment: Text(800) }), { maxItems: 6 })),
});
export const AnalysisOut = Type.Object({
  summary: Text(1000),
  focusAreas: Type.Object({ complexity: Text(600), edgeCases: Text(600), readability: Text(600) }),
  followUpQuestions: Type.Array(Text(400), { minItems: 1, maxItems: 6 }),
});
export const ReviewOut = Type.Object({
  overallScore: Score,
  categories: Type.Array(Type.Object({ name: Text(60), score: Score, feedback: Text(800) }), { minItems: 1, maxItems: 8 }),
  summary: Text(1200),
});

export type HintOutput = Static<typeof HintOut>;
export type InterviewOutput = Static<typeof InterviewOut>;
export type AnalysisOutput = Static<typeof AnalysisOut>;
export type ReviewOutput = Static<typeof ReviewOut>;

/** The reply's JSON object: the whole text, else the text between fences, else from the first `{` to the last `}`. */
export function extractJson(text: string): unknown {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced) candidates.push(fenced[1]!.trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    try {
      return JSON.parse(c);
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string };

export function check<S extends TSchema>(schema: S, reply: string): Checked<Static<S>> {
  const parsed = extractJson(reply);
  if (parsed === undefined) return { ok: false, problems: 'the reply is not a JSON object' };
  if (Value.Check(schema, parsed)) return { ok: true, value: parsed };
  const problems = [...Value.Errors(schema, parsed)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
  return { ok: false, problems: problems.join('; ') };
}
