/**
 * The optional LLM narrative: a model may rewrite the report's prose from the deterministic evidence. It sees only
 * the deterministic report and the final code (never a hidden test's data), its scores are clamped to within
 * NARRATIVE_SCORE_BAND of the deterministic ones (a null stays null), and any evidence it adds is verified like
 * all evidence. Anything malformed → null, and the caller keeps the deterministic report.
 */
import { categoryScoresOf, overallOf } from './grader.js';
import { verifyEvidence, type VerificationContext } from './verify.js';
import { DIMENSIONS, type Dimension, type DimensionResult, type Evidence, type SessionReport } from './types.js';

export const NARRATIVE_SCORE_BAND = 10;
const MAX_TEXT = 1200;

export interface NarrativePrompt {
  system: string;
  user: string;
}

export function narrativePrompt(report: SessionReport, finalCode: string | null): NarrativePrompt {
  const numbered = finalCode === null ? '(no code)' : finalCode.split(/\r\n|\r|\n/).slice(0, 400).map((l, i) => `L${i + 1}| ${l}`).join('\n');
  return {
    system: [
      'You are a technical interview coach. Rewrite the feedback of a training report so it reads naturally and is actionable.',
      'Use only facts present in the report and the code. Keep every score within 10 points of the given one; keep null scores null.',
      'Evidence you add must be {type: "code_line", reference: "L<n>: <exact text of that line>"}, {type: "code_snippet", reference: <verbatim code>} or an event_timestamp copied from the report.',
      'Answer with one JSON object: {"dimensions": {"<name>": {"score": number|null, "feedback": string, "evidence": [...]}}, "strengths": string[], "areasForImprovement": string[], "detailedFeedback": string}.',
    ].join(' '),
    user: JSON.stringify({ report, finalCode: numbered }),
  };
}

const text = (v: unknown, fallback: string): string => {
  if (typeof v !== 'string') return fallback;
  const cleaned = [...v].filter((ch) => ch === '\n' || ch === '\t' || ch.charCodeAt(0) >= 32).join('').trim();
  return cleaned.length === 0 ? fallback : cleaned.slice(0, MAX_TEXT);
};

const texts = (v: unknown, fallback: string[]): string[] => {
  if (!Array.isArray(v)) return fallback;
  const out = v.filter((x): x is string => typeof x === 'string' && x.trim().length > 0).map((x) => text(x, '')).slice(0, 3);
  return out.length === 0 ? fallback : out;
};

function clampScore(proposed: unknown, deterministic: number | null): number | null {
  if (deterministic === null) return null;
  if (typeof proposed !== 'number' || !Number.isFinite(proposed)) return deterministic;
  const lo = Math.max(0, deterministic - NARRATIVE_SCORE_BAND);
  const hi = Math.min(100, deterministic + NARRATIVE_SCORE_BAND);
  return Math.round(Math.min(hi, Math.max(lo, proposed)));
}

function mergeEvidence(base: Evidence[], proposed: unknown, verify: VerificationContext): Evidence[] {
  const out = [...base];
  if (!Array.isArray(proposed)) return out;
  for (const raw of proposed.slice(0, 5)) {
    if (!raw || typeof raw !== 'object') continue;
    const r = raw as Record<string, unknown>;
    const item = { type: r['type'], reference: r['reference'], description: text(r['description'], 'Cited by the reviewer') } as Evidence;
    if (!['code_line', 'code_snippet', 'event_timestamp'].includes(String(item.type))) continue;
    if (!verifyEvidence(item, verify)) continue;
    if (out.some((e) => e.type === item.type && e.reference === item.reference)) continue;
    out.push(item);
  }
  return out;
}

/** Merge a model's JSON answer into the deterministic report; null when the answer is unusable. */
export function applyNarrative(base: SessionReport, answer: unknown, verify: VerificationContext): SessionReport | null {
  if (!answer || typeof answer !== 'object') return null;
  const a = answer as Record<string, unknown>;
  const dims = a['dimensions'];
  if (!dims || typeof dims !== 'object') return null;
  const dimensions = {} as Record<Dimension, DimensionResult>;
  for (const d of DIMENSIONS) {
    const proposed = ((dims as Record<string, unknown>)[d] ?? {}) as Record<string, unknown>;
    const det = base.dimensions[d];
    dimensions[d] = {
      score: clampScore(proposed['score'], det.score),
      feedback: text(proposed['feedback'], det.feedback),
      evidence: mergeEvidence(det.evidence, proposed['evidence'], verify),
    };
  }
  return {
    ...base,
    overallScore: overallOf(dimensions),
    dimensions,
    categoryScores: categoryScoresOf(dimensions),
    strengths: texts(a['strengths'], base.strengths),
    areasForImprovement: texts(a['areasForImprovement'], base.areasForImprovement),
    detailedFeedback: text(a['detailedFeedback'], base.detailedFeedback),
    feedback: text(a['detailedFeedback'], base.detailedFeedback),
  };
}
