/**
 * Static analysis of submitted code: the language's linter (linters.ts, run as a trusted tool outside
 * the sandbox: it reads the code, never runs it), plus cyclomatic complexity (complexity.ts) and duplication
 * (duplication.ts) measured by this project from a token stream.
 *
 * Tool outcome: `failed` on a spawn error, a timeout, unparsable output (an `info` diagnostic with
 * rule `parse-error` is added), or a non-zero exit with no findings; `skipped` when the tool is not installed;
 * otherwise `completed`. The analysis is `failed` only when the request is invalid or every tool failed.
 */
import type { AnalysisReport, AnalysisToolResult, AnalysisDiagnostic } from '../../domain/run/static-analysis.js';
import { COMPLEXITY_TOOL, HIGH_COMPLEXITY, measureComplexity } from './complexity.js';
import { DUPLICATION_TOOL, findDuplications } from './duplication.js';
import { linterFor } from './linters.js';
import { createWorkDir, runTool } from './tool-process.js';

export { COMPLEXITY_TOOL, DUPLICATION_TOOL };

const MAX_DIAGNOSTICS = 200;
const LANGUAGES = new Set(['python', 'javascript', 'typescript', 'java', 'cpp', 'c', 'go', 'rust']);

export interface AnalyzeRequest {
  language: string;
  code: string;
  /** Per-tool wall-clock limit. */
  timeoutMs: number;
}

function summarize(report: Omit<AnalysisReport, 'summary'>): AnalysisReport {
  const complexities = report.complexity.map((c) => c.cyclomaticComplexity);
  return {
    ...report,
    summary: {
      diagnosticCount: report.diagnostics.length,
      errorCount: report.diagnostics.filter((d) => d.severity === 'error').length,
      warningCount: report.diagnostics.filter((d) => d.severity === 'warning').length,
      maxCyclomaticComplexity: complexities.length > 0 ? Math.max(...complexities) : null,
      highComplexityCount: complexities.filter((c) => c >= HIGH_COMPLEXITY).length,
      duplicationCount: report.duplications.length,
      toolFailureCount: report.toolResults.filter((t) => t.status === 'failed').length,
    },
  };
}

export function failedAnalysis(error: string): AnalysisReport {
  return summarize({ status: 'failed', diagnostics: [], complexity: [], duplications: [], toolResults: [], error });
}

async function lint(language: string, code: string, timeoutMs: number): Promise<{ result: AnalysisToolResult; diagnostics: AnalysisDiagnostic[] }> {
  const plan = linterFor(language, code);
  if (!plan) return { result: { tool: 'linter', status: 'skipped', exitCode: null, durationMs: 0, timedOut: false, error: `no linter for ${language}` }, diagnostics: [] };
  const skipped = plan.unavailable ?? plan.refuse?.(code) ?? null;
  if (skipped) {
    return { result: { tool: plan.tool, status: 'skipped', exitCode: null, durationMs: 0, timedOut: false, error: skipped }, diagnostics: [] };
  }
  const work = createWorkDir();
  try {
    work.write(plan.file, code);
    const { argv, env } = plan.prepare(work);
    const run = await runTool({ argv, cwd: work.dir, ...(env ? { env } : {}), timeoutMs });
    const base = { tool: plan.tool, exitCode: run.exitCode, durationMs: run.durationMs, timedOut: run.timedOut };
    if (run.error) return { result: { ...base, status: 'failed', error: run.error }, diagnostics: [] };
    if (run.timedOut) return { result: { ...base, status: 'failed', error: `timed out after ${timeoutMs} ms` }, diagnostics: [] };
    if (run.exitCode === null) return { result: { ...base, status: 'failed', error: 'the tool was killed' }, diagnostics: [] };
    let diagnostics: AnalysisDiagnostic[];
    try {
      diagnostics = plan.parse(run, plan.file);
    } catch (err) {
      const message = `could not read the ${plan.tool} output: ${(err as Error).message}`;
      return {
        result: { ...base, status: 'failed', error: message },
        diagnostics: [{ tool: plan.tool, rule: 'parse-error', severity: 'info', message, file: null, line: null, column: null }],
      };
    }
    if (run.exitCode !== 0 && diagnostics.length === 0) {
      const tail = run.stderr.trim().split('\n').slice(-3).join('\n').slice(0, 500);
      return { result: { ...base, status: 'failed', error: `exit code ${run.exitCode}${tail ? `: ${tail}` : ''}` }, diagnostics: [] };
    }
    return { result: { ...base, status: 'completed' }, diagnostics };
  } finally {
    work.remove();
  }
}

function measured<T>(tool: string, fn: () => T[]): { result: AnalysisToolResult; items: T[] } {
  const started = performance.now();
  try {
    const items = fn();
    return { result: { tool, status: 'completed', exitCode: 0, durationMs: Math.round(performance.now() - started), timedOut: false }, items };
  } catch (err) {
    return {
      result: { tool, status: 'failed', exitCode: null, durationMs: Math.round(performance.now() - started), timedOut: false, error: (err as Error).message },
      items: [],
    };
  }
}

export async function analyzeCode(req: AnalyzeRequest): Promise<AnalysisReport> {
  if (!LANGUAGES.has(req.language)) return failedAnalysis(`Unsupported language: ${req.language}`);
  if (!req.code.trim()) return failedAnalysis('Code is empty');
  const linted = await lint(req.language, req.code, req.timeoutMs);
  const file = linterFor(req.language, req.code)?.file ?? null;
  const complexity = measured(COMPLEXITY_TOOL, () => measureComplexity(req.code, req.language, file));
  const duplication = measured(DUPLICATION_TOOL, () => findDuplications(req.code, req.language, file));
  const toolResults = [linted.result, complexity.result, duplication.result];
  const ran = toolResults.filter((t) => t.status !== 'skipped');
  const everyToolFailed = ran.length > 0 && ran.every((t) => t.status === 'failed');
  return summarize({
    status: everyToolFailed ? 'failed' : 'completed',
    diagnostics: linted.diagnostics.slice(0, MAX_DIAGNOSTICS),
    complexity: complexity.items,
    duplications: duplication.items,
    toolResults,
    error: everyToolFailed ? 'every analysis tool failed' : null,
  });
}
