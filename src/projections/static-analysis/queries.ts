/** Reads of the `static-analysis` read model. */
import { sql } from 'kysely';
import type {
  AnalysisComplexity,
  AnalysisDiagnostic,
  AnalysisDuplication,
  AnalysisToolResult,
} from '../../domain/run/static-analysis.js';
import type { Db } from '../../infra/db/database.js';
import { UUID } from '../runs/queries.js';

export interface StaticAnalysisRow {
  jobId: string;
  source: 'run' | 'submission';
  runId: string | null;
  submissionId: string | null;
  userId: string;
  roomId: string;
  language: string;
  status: 'pending' | 'completed' | 'failed';
  diagnosticCount: number | null;
  errorCount: number | null;
  warningCount: number | null;
  maxCyclomaticComplexity: number | null;
  highComplexityCount: number | null;
  duplicationCount: number | null;
  toolFailureCount: number | null;
  report: {
    diagnostics: AnalysisDiagnostic[];
    complexity: AnalysisComplexity[];
    duplications: AnalysisDuplication[];
    toolResults: AnalysisToolResult[];
  } | null;
  errorMessage: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export async function findStaticAnalysis(db: Db, jobId: string): Promise<StaticAnalysisRow | undefined> {
  if (!UUID.test(jobId)) return undefined;
  const { rows } = await sql<StaticAnalysisRow>`
    SELECT job_id AS "jobId", source, run_id AS "runId", submission_id AS "submissionId", user_id AS "userId", room_id AS "roomId",
           language, status, diagnostic_count AS "diagnosticCount", error_count AS "errorCount", warning_count AS "warningCount",
           max_cyclomatic_complexity AS "maxCyclomaticComplexity", high_complexity_count AS "highComplexityCount",
           duplication_count AS "duplicationCount", tool_failure_count AS "toolFailureCount", report,
           error_message AS "errorMessage", created_at AS "createdAt", completed_at AS "completedAt"
    FROM static_analysis_results WHERE job_id = ${jobId}`.execute(db);
  return rows[0];
}
