/**
 * The evidence verifier, run on every report before it is stored (the LLM path included): an item that does not
 * point at something real is dropped.
 *
 * - `code_line`: `L12: <excerpt>` or `L12-L14: <excerpt>`; the lines exist in the final code and the excerpt (a
 *   trailing `…` marks a shortened one) is a verbatim part of them, at least 6 characters long.
 * - `code_snippet`: a verbatim substring of the final code, 6–120 characters.
 * - `event_timestamp`: exactly the timestamp of an event of the session's timeline.
 */
import { DIMENSIONS, type Evidence, type SessionReport } from './types.js';

export const MIN_EXCERPT = 6;
export const MAX_SNIPPET = 120;

const LINE_REF = /^L(\d+)(?:-L(\d+))?: ([\s\S]+)$/;

export interface VerificationContext {
  finalCode: string | null;
  timestamps: ReadonlySet<string>;
}

export function splitLines(code: string): string[] {
  return code.split(/\r\n|\r|\n/);
}

export function verifyEvidence(item: Evidence, ctx: VerificationContext): boolean {
  if (typeof item.reference !== 'string' || typeof item.description !== 'string') return false;
  switch (item.type) {
    case 'event_timestamp':
      return ctx.timestamps.has(item.reference);
    case 'code_snippet':
      return ctx.finalCode !== null && item.reference.trim().length >= MIN_EXCERPT && item.reference.length <= MAX_SNIPPET && ctx.finalCode.includes(item.reference);
    case 'code_line': {
      if (ctx.finalCode === null) return false;
      const m = LINE_REF.exec(item.reference);
      if (!m) return false;
      const start = Number(m[1]);
      const end = m[2] === undefined ? start : Number(m[2]);
      const lines = splitLines(ctx.finalCode);
      if (start < 1 || end < start || end > lines.length) return false;
      const excerpt = m[3]!.endsWith('…') ? m[3]!.slice(0, -1).trimEnd() : m[3]!;
      if (excerpt.trim().length < MIN_EXCERPT) return false;
      return lines.slice(start - 1, end).join('\n').includes(excerpt);
    }
    default:
      return false;
  }
}

/** The report with every unverifiable evidence item removed (and how many were dropped). */
export function verifyReport(report: SessionReport, ctx: VerificationContext): { report: SessionReport; dropped: number } {
  let dropped = 0;
  const dimensions = { ...report.dimensions };
  for (const d of DIMENSIONS) {
    const kept = report.dimensions[d].evidence.filter((e) => verifyEvidence(e, ctx));
    dropped += report.dimensions[d].evidence.length - kept.length;
    dimensions[d] = { ...report.dimensions[d], evidence: kept };
  }
  return { report: { ...report, dimensions }, dropped };
}

/** A `code_line` reference for line `n` (1-based) of `code`, or null when that line is too short to cite. */
export function lineReference(code: string, start: number, end = start): string | null {
  const lines = splitLines(code);
  if (start < 1 || end < start || end > lines.length) return null;
  const first = lines[start - 1]!.trim();
  if (first.length < MIN_EXCERPT) {
    const block = lines.slice(start - 1, end).join('\n').trim();
    if (block.length < MIN_EXCERPT) return null;
    return `${rangeLabel(start, end)}: ${shorten(block)}`;
  }
  return `${rangeLabel(start, end)}: ${end > start ? `${shorten(first)}${first.length > 80 ? '' : ' …'}` : shorten(first)}`;
}

const rangeLabel = (start: number, end: number) => (end > start ? `L${start}-L${end}` : `L${start}`);

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
