/**
 * Code quality: static analysis of the candidate's code (linter errors and warnings, cyclomatic complexity,
 * duplication) plus what the final code text shows (function length, cryptic names, very long lines). Findings on
 * the final code cite its lines; findings of an analysis of earlier code cite the run or submission analysed.
 */
import { clamp, plural, round, type GradeContext } from './context.js';
import { crypticNames, longestFunction, longLines } from './code-facts.js';
import { roleAt, within } from './segments.js';
import { lineReference } from './verify.js';
import type { DimensionResult, Evidence, GradeAnalysis } from './types.js';

interface Finding {
  penalty: number;
  note: string;
  evidence: Evidence | null;
}

function pickAnalysis(ctx: GradeContext): GradeAnalysis | null {
  const { input, segments } = ctx;
  const mine = input.analyses
    .filter((a) => within(segments, a.createdAt) && (a.userId === input.userId || roleAt(input.roles, a.userId, a.createdAt) !== 'candidate'))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.jobId.localeCompare(b.jobId));
  const hash = input.finalCode?.codeHash;
  return [...mine].reverse().find((a) => a.codeHash === hash) ?? mine[mine.length - 1] ?? null;
}

function analysisFindings(ctx: GradeContext, analysis: GradeAnalysis): Finding[] {
  const code = ctx.input.finalCode?.code ?? null;
  const onFinal = code !== null && analysis.codeHash === ctx.input.finalCode?.codeHash;
  const sourceAt =
    analysis.source === 'run'
      ? ctx.cite('code_run', (p) => p.metadata?.['runId'] === analysis.sourceId)
      : ctx.cite('code_submitted', (p) => p.metadata?.['submissionId'] === analysis.sourceId);
  const cite = (line: number | null, end: number | null, description: string): Evidence | null => {
    if (onFinal && line !== null) {
      const ref = lineReference(code, line, end ?? line);
      if (ref) return { type: 'code_line', reference: ref, description };
    }
    return sourceAt ? { type: 'event_timestamp', reference: sourceAt, description: `${description} (in the code analysed at this ${analysis.source})` } : null;
  };
  const findings: Finding[] = [];
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const warnings = analysis.diagnostics.filter((d) => d.severity === 'warning');
  errors.slice(0, 4).forEach((d) => findings.push({ penalty: 10, note: 'linter error', evidence: cite(d.line, null, `Linter error: ${d.message.slice(0, 160)}`) }));
  warnings.slice(0, 6).forEach((d, i) => findings.push({ penalty: i < 6 ? 3 : 0, note: 'linter warning', evidence: cite(d.line, null, `Linter warning: ${d.message.slice(0, 160)}`) }));
  analysis.complexity
    .filter((c) => c.cyclomaticComplexity > 10)
    .slice(0, 3)
    .forEach((c) =>
      findings.push({ penalty: 8, note: 'complex function', evidence: cite(c.startLine, null, `${c.functionName} has cyclomatic complexity ${c.cyclomaticComplexity} (above 10): split it`) }),
    );
  analysis.duplications.slice(0, 3).forEach((d) => {
    const o = d.occurrences[0];
    findings.push({ penalty: 5, note: 'duplicated code', evidence: cite(o?.startLine ?? null, o?.endLine ?? null, `${d.lines} duplicated lines: extract a helper`) });
  });
  return findings;
}

function textFindings(code: string): Finding[] {
  const findings: Finding[] = [];
  const longest = longestFunction(code);
  if (longest && longest.lines > 60) {
    const ref = lineReference(code, longest.line);
    findings.push({ penalty: 5, note: 'long function', evidence: ref ? { type: 'code_line', reference: ref, description: `A ${longest.lines}-line function: break it into named steps` } : null });
  }
  const names = crypticNames(code);
  if (names.total >= 4 && names.cryptic.length / names.total > 0.3) {
    const first = names.cryptic[0]!;
    const ref = lineReference(code, first.line);
    findings.push({
      penalty: Math.min(10, 3 * names.cryptic.length),
      note: 'cryptic names',
      evidence: ref ? { type: 'code_line', reference: ref, description: `Single-letter names (${names.cryptic.map((c) => c.name).join(', ')}) hide what values mean` } : null,
    });
  }
  const long = longLines(code);
  if (long.length > 0) {
    const ref = lineReference(code, long[0]!);
    findings.push({ penalty: Math.min(6, 2 * long.length), note: 'very long lines', evidence: ref ? { type: 'code_line', reference: ref, description: `${plural(long.length, 'line')} over 120 characters` } : null });
  }
  return findings;
}

export function codeQuality(ctx: GradeContext): DimensionResult {
  const code = ctx.input.finalCode?.code ?? null;
  const analysis = pickAnalysis(ctx);
  if ((code === null || code.trim() === '') && !analysis) {
    return { score: null, feedback: 'Not assessed: there was no code at the end of your candidate time and no analysed run or submission.', evidence: [] };
  }
  const findings = [...(analysis ? analysisFindings(ctx, analysis) : []), ...(code ? textFindings(code) : [])];
  const penalty = findings.reduce((sum, f) => sum + f.penalty, 0);
  const score = clamp(round(100 - Math.min(90, penalty)));
  const evidence = findings.flatMap((f) => (f.evidence ? [f.evidence] : []));
  if (findings.length === 0) {
    const ref = code ? firstCitableLine(code) : null;
    return {
      score,
      feedback: analysis
        ? 'Static analysis found no errors, warnings, overly complex functions or duplication, and the code reads cleanly.'
        : 'The final code reads cleanly: short functions, meaningful names, no very long lines. (No static analysis ran on it.)',
      evidence: ref ? [{ type: 'code_line', reference: ref, description: 'Final code, as analysed' }] : [],
    };
  }
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.note, (counts.get(f.note) ?? 0) + 1);
  const summary = [...counts.entries()].map(([note, n]) => plural(n, note)).join(', ');
  return {
    score,
    feedback: `Found ${summary}. Fix linter findings as you go, keep functions small with one job each, and name values after what they hold.`,
    evidence,
  };
}

function firstCitableLine(code: string): string | null {
  const lines = code.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const ref = lineReference(code, i + 1);
    if (ref) return ref;
  }
  return null;
}
