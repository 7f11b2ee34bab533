/** What a linter plan is, and the helpers every plan uses to turn a tool's output into diagnostics. */
import type { AnalysisDiagnostic, AnalysisSeverity } from '../../domain/run/static-analysis.js';
import type { ToolRun, WorkDir } from './tool-process.js';

export interface LinterPlan {
  tool: string;
  /** Why it cannot run here (then the tool is reported as skipped). */
  unavailable?: string;
  /**
   * Why this code is not given to the tool (reported as skipped): code that would make a compiler front end read
   * files outside the submission and quote them back in its messages (`include_str!`, `#include "/etc/…"`).
   */
  refuse?(code: string): string | null;
  /** Source file name inside the work directory. */
  file: string;
  prepare(work: WorkDir): { argv: string[]; env?: Record<string, string> };
  parse(run: ToolRun, file: string): AnalysisDiagnostic[];
}

const MAX_MESSAGE = 1000;
export const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s);

export const diag = (
  tool: string,
  severity: AnalysisSeverity,
  message: string,
  file: string,
  line: number | null,
  column: number | null,
  rule: string | null = null,
): AnalysisDiagnostic => ({ tool, rule, severity, message: clip(message.trim()), file, line, column });

export const int = (s: string | undefined) => {
  const v = Number(s);
  return Number.isFinite(v) && v > 0 ? Math.trunc(v) : null;
};

// ------------------------------------------------------------------------------------------------ python
